"""R41: a family's request for a log, its rules and its one door (``fire``)."""

from __future__ import annotations

import pytest

from stafett import storage
from stafett.models.log_request import AskedFor, LogRequest
from stafett.scripts.demo import make_fnr, years_ago
from stafett.workflows import WorkflowError, create, fire


def _ask(world, asker_age=38, child_age=9, asked_for=AskedFor.CHILD, username="guardian"):
    asker = make_fnr(years_ago(asker_age), 401)
    account = world.root.accounts[username]
    account.fnr = asker
    subject = asker if asked_for == AskedFor.SELF else make_fnr(years_ago(child_age), 402)
    ask = LogRequest(username, asker, "Mona Moe", asked_for, "Mia Moe", subject,
                     email="mona@example.org")
    create(world.school.log_requests, ask, "send", account)
    return ask


def test_r41_a_sent_request_waits_in_its_units_queue(world):
    ask = _ask(world)
    assert ask.state == "requested" and world.school.requests_waiting() == 1
    assert world.school.waiting_log_requests() == [ask]
    assert list(world.m.log_requests_of("guardian")) == [ask]


@pytest.mark.parametrize("asker_age, child_age, asked_for, refusal", [
    (15, None, AskedFor.SELF, "req_too_young_for_self"),
    (17, 9, AskedFor.CHILD, "req_guardian_not_adult"),
    (40, 19, AskedFor.CHILD, "req_child_is_adult"),
])
def test_r41_who_may_ask(world, asker_age, child_age, asked_for, refusal):
    with pytest.raises(WorkflowError) as refused:
        _ask(world, asker_age, child_age or 9, asked_for)
    assert refused.value.msg == refusal
    assert len(world.school.log_requests) == 0 and world.school.requests_waiting() == 0


def test_r41_only_the_units_leader_assigns_and_the_holder_must_hold_in_the_unit(world):
    ask = _ask(world)
    for outsider in (world.holder, world.kinder_leader, world.root.accounts["guardian"]):
        with pytest.raises(WorkflowError):
            fire(ask, "assign", outsider, holder_id=world.emp(world.holder).id)
    with pytest.raises(WorkflowError):
        fire(ask, "assign", world.leader, holder_id=world.emp(world.kinder_holder).id)
    assert ask.state == "requested" and ask.subject_fnr and len(world.m.logs) == 0


def test_r41_assigning_opens_a_draft_with_the_asker_as_guardian(world):
    ask = _ask(world)
    fire(ask, "assign", world.leader, holder_id=world.emp(world.holder).id)
    log = world.m.logs[ask.log_id]
    assert log.state == "draft" and log.holder_id == world.emp(world.holder).id
    assert [g.fnr for g in log.guardians.values()] == [world.root.accounts["guardian"].fnr]
    assert (ask.state, ask.subject_name, ask.subject_fnr) == ("assigned", "", None)
    assert world.school.requests_waiting() == 0


def test_r41_an_answered_request_cannot_be_answered_again(world):
    ask = _ask(world)
    fire(ask, "decline", world.leader, reason="Helsestasjonen passer bedre.")
    with pytest.raises(WorkflowError):
        fire(ask, "assign", world.leader, holder_id=world.emp(world.holder).id)
    with pytest.raises(WorkflowError):
        fire(ask, "withdraw", world.root.accounts["guardian"])
    assert ask.state == "declined" and ask.reason == "Helsestasjonen passer bedre."
    assert len(world.m.logs) == 0


def test_r41_a_decline_needs_a_reason(world):
    ask = _ask(world)
    with pytest.raises(WorkflowError):
        fire(ask, "decline", world.leader, reason="  ")
    assert ask.state == "requested" and ask.subject_name == "Mia Moe"


def test_the_evolve_step_gives_existing_units_their_request_queue(world):
    del world.school.log_requests, world.school.waiting_requests
    del world.school.requests_waiting, world.m.log_requests_by_asker
    storage._log_requests_per_unit(world.root)
    assert world.school["requests"] is world.school.log_requests
    assert world.school.requests_waiting() == 0 and len(world.m.log_requests_by_asker) == 0
