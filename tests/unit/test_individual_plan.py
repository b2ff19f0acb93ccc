"""R38: a log passes into an individual plan with a named coordinator and the concerns the
family chose (R20), on their consent; a refusal changes nothing."""

from __future__ import annotations

import pytest

from stafett.models import ConsentScope, Transfer
from stafett.models.plan import IndividualPlan, plan_of
from stafett.workflows import WorkflowError, fire, propose_transfer
from stafett.workflows.individual_plan import hand_over_to_plan


def _ready(world):
    log = world.active(name="Plan Testbarn")
    chosen = world.concern(log, "Barnet trenger ro i timene.")
    other = world.concern(log, "Venner i friminuttene.", "social")
    consent = world.consent(log, scope=ConsentScope.INDIVIDUAL_PLAN, days_ago=0)
    return log, chosen, other, consent


def _plan(chosen, consent, name="Kari Koordinator", service="NAV"):
    return IndividualPlan(name, service, [chosen.id], consent_id=consent.id if consent else None)


def _refused(world, log, plan, rule):
    history, outbox, archives = len(log.history), len(log.outbox), len(log.archives)
    with pytest.raises(WorkflowError) as refused:
        hand_over_to_plan(log, plan, world.holder)
    assert refused.value.rule == rule
    assert log.state == "active" and plan_of(log) is None and log.closed_at is None
    assert (len(log.history), len(log.outbox), len(log.archives)) == (history, outbox, archives)
    return refused.value


def test_r38_holder_hands_over_with_coordinator_chosen_concerns_and_consent(world):
    log, chosen, _other, consent = _ready(world)
    hand_over_to_plan(log, _plan(chosen, consent), world.holder, note="Familien ønsket IP.")
    assert log.state == "passive" and log.closed_at is not None
    plan = plan_of(log)
    assert plan.coordinator == "Kari Koordinator (NAV)" and plan.concern_ids == (chosen.id,)
    assert plan.by == world.holder.uid and plan.consent_id == consent.id
    last = log.history[log.history.maxKey()]
    assert (last["trigger"], last["reason"], last["dest"]) == (
        "to_individual_plan", "individual_plan", "passive")
    assert log.latest_archive().reason == "individual_plan"


def test_r37_r38_the_family_is_told_without_the_child_in_the_subject(world):
    log, chosen, _other, consent = _ready(world)
    hand_over_to_plan(log, _plan(chosen, consent), world.holder)
    (message,) = [m for m in log.outbox.values() if m.kind == "individual_plan"]
    assert message.recipients == ("guardian@example.org",)
    assert "Plan Testbarn" not in message.subject and "Plan Testbarn" not in message.body
    assert "Kari" not in message.subject


def test_r38_plan_needs_coordinator(world):
    log, chosen, _other, consent = _ready(world)
    _refused(world, log, _plan(chosen, consent, name="  "), "R38")


def test_r20_plan_needs_chosen_concerns(world):
    log, _chosen, _other, consent = _ready(world)
    plan = IndividualPlan("Kari", "NAV", [], consent_id=consent.id)
    assert _refused(world, log, plan, "R20").msg == "plan_needs_concerns"


def test_r20_plan_concerns_come_from_this_log(world):
    log, _chosen, _other, consent = _ready(world)
    plan = IndividualPlan("Kari", "NAV", ["not-here"], consent_id=consent.id)
    assert _refused(world, log, plan, "R20").msg == "plan_unknown_concern"


def test_r20_plan_needs_the_familys_consent(world):
    log, chosen, _other, _consent = _ready(world)
    assert _refused(world, log, _plan(chosen, None), "R20").msg == "plan_needs_consent"


def test_r20_a_consent_to_something_else_is_not_enough(world):
    log, chosen, _other, _consent = _ready(world)
    transfer_consent = world.consent(log, scope=ConsentScope.TRANSFER, days_ago=0)
    assert _refused(world, log, _plan(chosen, transfer_consent), "R20").msg == \
        "plan_needs_consent"


def test_r21_no_plan_while_a_transfer_is_open(world):
    log, chosen, _other, consent = _ready(world)
    propose_transfer(log, Transfer("internal", "Ny kontaktlærer", world.holder.uid,
                                   log.holder_id, to_employee_id=world.emp(world.holder2).id),
                     world.holder)
    assert _refused(world, log, _plan(chosen, consent), "R21").msg == "log_has_open_transfer"


def test_r2_only_the_holder_hands_over(world):
    from stafett.workflows import TransitionForbidden

    log, chosen, _other, consent = _ready(world)
    for outsider in (world.guardian, world.actor, world.leader):
        with pytest.raises(TransitionForbidden):
            hand_over_to_plan(log, _plan(chosen, consent), outsider)
    assert log.state == "active" and plan_of(log) is None


def test_r15_a_passive_log_is_not_handed_over_again(world):
    log, chosen, _other, consent = _ready(world)
    fire(log, "close", world.holder)
    with pytest.raises(WorkflowError):
        hand_over_to_plan(log, _plan(chosen, consent), world.holder)
    assert plan_of(log) is None


def test_r16_a_reopened_log_can_pass_into_a_plan(world):
    log, chosen, _other, _consent = _ready(world)
    fire(log, "close", world.holder)
    world.consent(log, actor=world.leader, scope=ConsentScope.REOPEN, days_ago=0)
    fire(log, "reopen", world.leader)
    consent = world.consent(log, scope=ConsentScope.INDIVIDUAL_PLAN, days_ago=0)
    hand_over_to_plan(log, _plan(chosen, consent), world.holder)
    assert log.state == "passive" and plan_of(log).consent_id == consent.id


def test_r38_reopening_ends_the_plan_and_its_files(world):
    log, chosen, _other, consent = _ready(world)
    hand_over_to_plan(log, _plan(chosen, consent), world.holder)
    world.consent(log, actor=world.leader, scope=ConsentScope.REOPEN, days_ago=0)
    fire(log, "reopen", world.leader)
    assert plan_of(log) is None and log.closed_at is None
    triggers = [r["trigger"] for r in log.history.values()]
    assert "to_individual_plan" in triggers and triggers[-1] == "reopen"  # kept in history


def test_r38_a_handover_without_a_plan_is_refused_not_a_crash(world):
    log, *_ = _ready(world)
    with pytest.raises(WorkflowError):
        fire(log, "to_individual_plan", world.holder)
    assert log.state == "active"


# -- the PDF for a receiver without Stafett (R20, R23, R38) ---------------------------------
def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def test_r20_receiver_pdf_holds_the_chosen_concerns_only(world):
    from stafett.models import Evaluation, Goal
    from stafett.services.receiver_pdf import receiver_html, receiver_pdf
    from tests.pdfa import assert_pdfa

    log, chosen, other, _consent = _ready(world)
    chosen.set_goal(Goal("Barnet arbeider 20 minutter i strekk.", ["Ti minutter først"]))
    measure = world.measure(chosen, world.actor, text="Pauser hver tjuende minutt.")
    meeting = world.meeting(log)
    measure.evaluation = Evaluation(meeting.id, "Det går bedre.", "partly", "continue",
                                    "Mer ro hjemme også.")
    world.measure(other, world.actor2, text="Lek i friminuttet med voksen.")
    html = receiver_html(log, [chosen.id], purpose="individual_plan",
                         receiver="Kari Koordinator (NAV)")
    assert "Venner i friminuttene" not in html and "Lek i friminuttet" not in html
    text = _pdf_text(receiver_pdf(log, [chosen.id], purpose="individual_plan",
                                  receiver="Kari Koordinator (NAV)"))
    for shown in ("Plan Testbarn", "Barnet trenger ro i timene.", "20 minutter i strekk",
                  "Pauser hver tjuende minutt", "Det går bedre", "Kari Koordinator",
                  "Skolen", "Holder"):
        assert shown in text, shown
    assert "Venner i friminuttene" not in text and "Lek i friminuttet" not in text
    assert_pdfa(receiver_pdf(log, [chosen.id]))


@pytest.mark.parametrize("code", ["plan_needs_coordinator", "plan_needs_concerns",
                                  "plan_unknown_concern", "plan_needs_consent"])
def test_r18_each_refusal_is_told_in_every_language(code):
    from stafett.i18n import translate
    from stafett.messages import message_for
    from stafett.models.base import DomainError

    texts = {locale: translate(message_for(DomainError(code)), locale)
             for locale in ("nb", "nn", "en")}
    assert code not in texts.values() and len(set(texts.values())) == 3, texts
