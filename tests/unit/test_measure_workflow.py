"""R7, R24-R27: concerns, goals and measures."""

from __future__ import annotations

import datetime as dt

import pytest

from stafett.models import (
    Arena,
    Category,
    ConsentScope,
    Decision,
    DomainError,
    Evaluation,
    Goal,
    Measure,
    Party,
    Verdict,
)
from stafett.workflows import MEASURE_WORKFLOW, WorkflowError, add_measure, fire


def _evaluation(meeting_id, verdict=Verdict.PARTLY):
    return Evaluation(meeting_id, "Tiltaket er fulgt opp hver uke.", verdict, Decision.CONTINUE,
                      "Vi ser fremgang hjemme.")


def test_r24_a_concern_has_a_category_including_the_school_environment_duty(world):
    log = world.active()
    concern = world.concern(log, "Emma blir holdt utenfor i friminuttene.",
                            Category.SCHOOL_ENVIRONMENT)
    assert concern.category == "school_environment"


def test_r24_one_goal_at_a_time_with_sub_goals_and_history(world):
    concern = world.concern(world.active())
    concern.set_goal(Goal("Emma leser 10 minutter hver dag."))
    concern.set_goal(Goal("Emma leser 20 minutter hver dag.", ("Leser høyt for en voksen",)))
    assert concern.goal.text == "Emma leser 20 minutter hver dag."
    assert concern.goal.sub_goals == ("Leser høyt for en voksen",)
    assert [g.text for g in concern.former_goals] == ["Emma leser 10 minutter hver dag."]


def test_r24_a_closed_concern_takes_no_new_measures(world):
    concern = world.concern(world.active())
    concern.close()
    with pytest.raises(WorkflowError) as refused:
        world.measure(concern, world.actor)
    assert refused.value.msg == "measure_concern_closed"


def test_r25_exactly_one_responsible_party(world):
    start = dt.date.today()
    with pytest.raises(DomainError) as refused:
        Measure("Lese sammen.", Party.ACTOR, Arena.SERVICE, start, start, None)
    assert refused.value.rule == "R25"
    with pytest.raises(DomainError):
        Measure("Lese sammen.", Party.SUBJECT, Arena.CHILD, start, start, "someone")


def test_r25_a_home_measure_is_the_guardians_responsibility(world):
    concern = world.concern(world.active())
    measure = world.measure(concern, arena=Arena.HOME, party=Party.HOME)
    assert measure.party == Party.HOME and measure.actor_id is None
    forced = Measure("Lese hjemme.", Party.SUBJECT, Arena.HOME, dt.date.today(),
                     dt.date.today())
    assert forced.party == Party.HOME


def test_r25_the_deadline_cannot_precede_the_start(world):
    start = dt.date.today()
    with pytest.raises(DomainError):
        Measure("Lese.", Party.HOME, Arena.HOME, start, start - dt.timedelta(days=1))


def test_r25_an_actor_has_one_active_measure_per_concern(world):
    concern = world.concern(world.active())
    world.measure(concern, world.actor)
    with pytest.raises(WorkflowError) as refused:
        world.measure(concern, world.actor, text="Et tiltak til.")
    assert refused.value.rule == "R25"
    assert len(concern.measures) == 1
    world.measure(concern, world.actor2)  # another actor is fine
    other = world.concern(concern.__parent__.__parent__, "Annen oppmerksomhet.")
    world.measure(other, world.actor)  # and the same actor in another concern


def test_r25_measures_are_indexed_by_deadline(world):
    log = world.active()
    measure = world.measure(world.concern(log), world.actor)
    due = list(world.m.index.measures_due(measure.deadline.isoformat()))
    assert due == [(measure.deadline.isoformat(), log.id, measure.concern.id, measure.id)]
    assert log.id in world.m.index.ids("actor", world.actor.employee_id)


def test_r7_level_1_keeps_actors_inside_the_holders_unit(world):
    level1 = world.concern(world.active(level=1))
    with pytest.raises(WorkflowError) as refused:
        world.measure(level1, world.ppt_actor)
    assert refused.value.rule == "R7"
    log2 = world.active(level=2)
    world.consent(log2, scope=ConsentScope.INVOLVE_UNIT, unit_id=world.ppt.id)
    assert world.measure(world.concern(log2), world.ppt_actor).state == "active"


def test_r11_an_actor_of_another_unit_needs_a_consent_that_involves_it(world):
    log = world.active(level=2)
    concern = world.concern(log)
    with pytest.raises(WorkflowError) as refused:
        world.measure(concern, world.ppt_actor)
    assert (refused.value.rule, refused.value.msg) == ("R11", "measure_actor_unit_needs_consent")
    assert len(concern.measures) == 0
    world.consent(log, scope=ConsentScope.INVOLVE_UNIT, unit_id=world.kinder.id)
    with pytest.raises(WorkflowError):  # a consent for another unit does not cover PPT
        world.measure(concern, world.ppt_actor)
    world.consent(log, scope=ConsentScope.INVOLVE_UNIT, unit_id=world.ppt.id)
    assert world.measure(concern, world.ppt_actor).state == "active"
    assert world.measure(concern, world.actor).state == "active"  # own unit: the basis


def test_r1_an_employee_without_the_actor_flag_is_no_actor(world):
    world.emp(world.actor).may_act = False
    with pytest.raises(WorkflowError) as refused:
        world.measure(world.concern(world.active()), world.actor)
    assert refused.value.msg == "measure_actor_may_not_act"


def test_r2_only_the_holder_adds_measures(world):
    from stafett.workflows import TransitionForbidden

    concern = world.concern(world.active())
    for account in (world.actor, world.guardian, world.leader):
        with pytest.raises(TransitionForbidden):
            world.measure(concern, world.actor, by=account)


def test_r26_the_log_shows_which_arenas_lack_a_measure(world):
    concern = world.concern(world.active())
    assert concern.missing_arenas() == [Arena.SERVICE, Arena.HOME, Arena.CHILD]
    world.measure(concern, world.actor)
    world.measure(concern, arena=Arena.HOME, party=Party.HOME)
    assert concern.missing_arenas() == [Arena.CHILD]


def test_r27_text_can_be_corrected_within_8_hours_then_it_is_fixed(world):
    measure = world.measure(world.concern(world.active()), world.actor,
                            text="Ali leser med Emma hver dag.")
    measure.correct_text("Ali leser med Emma 15 minutter hver skoledag.",
                         now=measure.created + dt.timedelta(hours=7, minutes=59))
    assert measure.text == "Ali leser med Emma 15 minutter hver skoledag."
    with pytest.raises(DomainError) as refused:
        measure.correct_text("Noe annet.", now=measure.created + dt.timedelta(hours=8, seconds=1))
    assert refused.value.rule == "R27"
    assert measure.text == "Ali leser med Emma 15 minutter hver skoledag."


def test_r27_evaluation_happens_once_in_a_meeting_with_the_familys_verdict(world):
    log = world.active()
    measure = world.measure(world.concern(log), world.actor)
    with pytest.raises(WorkflowError) as refused:
        fire(measure, "evaluate", world.holder, evaluation=_evaluation("no-meeting"))
    assert refused.value.msg == "measure_evaluation_needs_meeting"
    meeting = world.meeting(log)
    fire(measure, "evaluate", world.holder, evaluation=_evaluation(meeting.id, Verdict.WORKED))
    assert measure.state == "evaluated" and measure.evaluation.family_verdict == "worked"
    with pytest.raises(WorkflowError) as refused:
        fire(measure, "evaluate", world.holder, evaluation=_evaluation(meeting.id))
    assert refused.value.msg == "transition_not_allowed"
    assert measure.evaluation.family_verdict == "worked"
    assert not list(world.m.index.measures_due("9999-12-31"))


def test_r27_a_misregistered_measure_is_replaced_and_linked(world):
    concern = world.concern(world.active())
    old = world.measure(concern, world.actor, text="Feil aktør ført opp.")
    start = dt.date.today()
    replacement = Measure("Ali2 leser med Emma.", Party.ACTOR, Arena.SERVICE, start,
                          start + dt.timedelta(weeks=2), world.actor2.employee_id)
    fire(old, "misregister", world.holder, replacement=replacement)
    assert old.state == "misregistered" and old.replaced_by == replacement.id
    assert replacement.state == "active" and replacement.replaces == old.id
    assert replacement.id in concern.measures


def test_r27_a_refused_replacement_leaves_the_old_measure_active(world):
    concern = world.concern(world.active())
    old = world.measure(concern, world.actor)
    world.measure(concern, world.actor2)
    start = dt.date.today()
    clash = Measure("Dobbelt.", Party.ACTOR, Arena.SERVICE, start, start,
                    world.actor2.employee_id)  # actor2 already has an active measure (R25)
    with pytest.raises(WorkflowError):
        fire(old, "misregister", world.holder, replacement=clash)
    assert old.state == "active" and old.replaced_by is None
    assert len(concern.measures) == 2


@pytest.mark.parametrize("state", ["active", "evaluated", "misregistered"])
def test_r18_every_measure_trigger_not_allowed_from_a_state_is_refused(world, state):
    measure = world.measure(world.concern(world.active()), world.actor)
    for trigger, spec in MEASURE_WORKFLOW.specs.items():
        if state in spec.sources:
            continue
        measure.state = state
        with pytest.raises(WorkflowError):
            fire(measure, trigger, world.holder)
        assert measure.state == state


def test_add_measure_refused_on_a_passive_log(world):
    log = world.active()
    concern = world.concern(log)
    fire(log, "close", world.holder)
    from stafett.workflows import TransitionForbidden

    with pytest.raises(TransitionForbidden):
        add_measure(concern, Measure("Sent.", Party.HOME, Arena.HOME, dt.date.today(),
                                     dt.date.today()), world.holder)
