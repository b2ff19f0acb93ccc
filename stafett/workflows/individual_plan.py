"""A log passes into an individual plan (individuell plan, R38).

The holder hands the log over with a named coordinator and the concerns the family chose
(R20), on the family's consent to exactly that. The log closes with that reason (R15): an
archive copy is made (R35), the plan is recorded on the log and the family is told (R37).
The transition itself is ``to_individual_plan`` in ``workflows.log``; its guards and effects
live here.
"""

from __future__ import annotations

from ..models.base import today
from ..models.consent import ConsentScope, consent_is_sufficient
from ..models.plan import IndividualPlan
from ..services import archive, notify
from .engine import Step, fire, refuse

REASON = "individual_plan"


def _plan(step: Step) -> IndividualPlan:
    """The plan the handover names; without one, every guard refuses alike."""
    plan = step.params.get("plan")
    if not isinstance(plan, IndividualPlan):
        refuse("plan_needs_coordinator", "R38")
    return plan


# -- guards -------------------------------------------------------------------------------
def plan_has_coordinator(step: Step) -> None:
    """R38: an individual plan has a named coordinator."""
    if not (_plan(step).coordinator_name or "").strip():
        refuse("plan_needs_coordinator", "R38")


def plan_concerns_chosen(step: Step) -> None:
    """R20: the concerns that go along are chosen, and chosen among the log's own."""
    chosen = set(_plan(step).concern_ids)
    if not chosen:
        refuse("plan_needs_concerns", "R20")
    if not chosen <= set(step.log.concerns.keys()):
        refuse("plan_unknown_concern", "R20")


def plan_has_consent(step: Step) -> None:
    """R11, R20: the family consents to the log passing into the plan."""
    log, day = step.log, today()
    consent = log.consents.get(_plan(step).consent_id or "")
    if (consent is None or consent.scope != ConsentScope.INDIVIDUAL_PLAN
            or not consent.is_valid_on(day) or not consent_is_sufficient(log, consent, day)):
        refuse("plan_needs_consent", "R20")


# With these, ``workflows.log`` checks that no transfer is open (R21).
GUARDS = (plan_has_coordinator, plan_concerns_chosen, plan_has_consent)


# -- effects ------------------------------------------------------------------------------
def record_plan(step: Step) -> None:
    log, plan = step.log, _plan(step)
    plan.by = step.actor_id
    plan.__parent__ = log
    log.individual_plan = plan


def archive_for_plan(step: Step) -> None:
    """R35: the closing copy of the whole log, kept with the log; it never travels."""
    archive.archive_log(step.log, reason=REASON)


def tell_the_family(step: Step) -> None:
    notify.log_to_individual_plan(step.log, step.request)


EFFECTS = (record_plan, archive_for_plan, tell_the_family)


def hand_over_to_plan(log, plan: IndividualPlan, actor, *, note: str = "", request=None):
    """The one door: fire ``to_individual_plan`` with the plan (its consent recorded)."""
    return fire(log, "to_individual_plan", actor, reason=REASON, note=note, request=request,
                plan=plan)
