"""A measure's life: active -> evaluated, or active -> misregistered with a replacement
(R25, R27)."""

from __future__ import annotations

from ..models.base import find_parent
from ..models.concern import Concern, Evaluation, Measure, Party
from ..models.consent import involves_unit
from ..models.log import Level
from ..security import Permission as P
from .engine import Step, TransitionSpec, Workflow, create, refuse, register


def concern_is_open(step: Step) -> None:
    if find_parent(step.obj, Concern).closed is not None:
        refuse("measure_concern_closed", "R24")


def actor_may_act(step: Step) -> None:
    """R7: level 1 keeps actors inside the holder's unit; actors need the may-act flag (R1);
    an actor of another unit needs the family's consent to involve that unit (R11)."""
    measure, log = step.obj, step.log
    if measure.party != Party.ACTOR:
        return
    actor = log.municipality.employee(measure.actor_id)
    if actor is None or not actor.active or not actor.may_act:
        refuse("measure_actor_may_not_act", "R1")
    if log.level == Level.ONE and actor.unit_id != log.unit_id:
        refuse("measure_actor_outside_unit", "R7")
    if not involves_unit(log, actor.unit_id):
        refuse("measure_actor_unit_needs_consent", "R11")


def one_active_measure_per_actor(step: Step) -> None:
    """R25: an actor has at most one active measure per concern at a time."""
    measure = step.obj
    if measure.party != Party.ACTOR:
        return
    concern = find_parent(measure, Concern)
    if any(m.actor_id == measure.actor_id for m in concern.active_measures() if m is not measure):
        refuse("measure_actor_has_active_measure", "R25")


def evaluation_is_complete(step: Step) -> None:
    """R27: evaluated once, in a meeting, with the family's verdict."""
    evaluation = step.params.get("evaluation")
    if not isinstance(evaluation, Evaluation) or not evaluation.family_verdict:
        refuse("measure_evaluation_needs_family_verdict", "R27")
    if evaluation.meeting_id not in step.log.meetings:
        refuse("measure_evaluation_needs_meeting", "R27")


def replacement_is_given(step: Step) -> None:
    replacement = step.params.get("replacement")
    if not isinstance(replacement, Measure) or replacement.state != "new":
        refuse("measure_misregistered_needs_replacement", "R27")


def store_evaluation(step: Step) -> None:
    evaluation = step.params["evaluation"]
    evaluation.__parent__, evaluation.__name__ = step.obj, "evaluation"
    step.obj.evaluation = evaluation


def add_replacement(step: Step) -> None:
    """R27: the corrected measure keeps the link to the one it replaces."""
    old, new = step.obj, step.params["replacement"]
    new.replaces = old.id
    add_measure(find_parent(old, Concern), new, step.actor, request=step.request,
                reason="replaces_misregistered")
    old.replaced_by = new.id


def add_measure(concern: Concern, measure: Measure, actor, **why) -> Measure:
    create(concern.measures, measure, "add", actor, **why)
    return measure


MEASURE_WORKFLOW = register(Measure, Workflow(
    "measure",
    states=["new", "active", "evaluated", "misregistered"],
    transitions=[
        TransitionSpec("add", "new", "active", P.EDIT,
                       guards=(concern_is_open, actor_may_act, one_active_measure_per_actor)),
        TransitionSpec("evaluate", "active", "evaluated", P.EDIT,
                       guards=(evaluation_is_complete,), effects=(store_evaluation,)),
        TransitionSpec("misregister", "active", "misregistered", P.EDIT,
                       guards=(replacement_is_given,), effects=(add_replacement,)),
    ],
))
