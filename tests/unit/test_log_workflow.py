"""R13-R18: the log's lifecycle."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from stafett.models import Consent, ConsentScope, Log, Meeting, Subject
from stafett.security import Permission, permits
from stafett.services.archive import produce_pending
from stafett.workflows import (
    LOG_WORKFLOW,
    TransitionForbidden,
    WorkflowError,
    create_log,
    fire,
    give_consent,
)


def test_r1_only_an_employee_who_may_hold_creates_a_log(world):
    subject = Subject("Per Test", world.fnr(__import__("datetime").date(2015, 3, 3)))
    log = Log(subject, world.actor.employee_id, world.school.id, 1)
    with pytest.raises(TransitionForbidden):  # not the holder named: no role:holder
        create_log(world.m, log, world.holder)
    with pytest.raises(WorkflowError) as refused:
        create_log(world.m, log, world.actor)
    assert refused.value.rule == "R1"
    assert len(world.m.logs) == 0


def test_r13_a_draft_is_visible_to_its_holder_and_unit_leader_only(world):
    log = world.draft()
    assert log.state == "draft"
    assert permits(world.holder, log, Permission.VIEW)
    assert permits(world.leader, log, Permission.VIEW_HEADER)
    for outsider in (world.holder2, world.guardian, world.actor, world.kinder_leader):
        assert not permits(outsider, log, Permission.VIEW_HEADER)


def test_r13_r29_a_meeting_can_exist_before_any_concern(world):
    log = world.draft()
    log.meetings.add(Meeting(__import__("datetime").date.today(), "Første møte"))
    assert len(log.meetings) == 1 and len(log.concerns) == 0


def test_r14_activation_needs_consent_and_changes_nothing_when_refused(world):
    log = world.draft()
    with pytest.raises(WorkflowError) as refused:
        fire(log, "activate", world.holder)
    assert refused.value.rule == "R10"
    assert log.state == "draft" and len(log.history) == 1  # only "create"
    assert len(log.outbox) == 0


def test_r14_a_child_of_15_needs_a_guardian(world):
    log = world.draft(age=15, guardians=())
    give_consent(log, Consent(["subject"], __import__("datetime").date.today(),
                              ConsentScope.CREATE, exception_reason="Ønsker ikke foreldre med."),
                 world.holder)
    with pytest.raises(WorkflowError) as refused:
        fire(log, "activate", world.holder)
    assert refused.value.rule == "R14"
    assert log.state == "draft"


def test_r14_a_youth_of_16_needs_no_guardian(world):
    log = world.draft(age=16, guardians=())
    world.consent(log, parties=["subject"])
    fire(log, "activate", world.holder)
    assert log.state == "active"


def test_r14_guardians_are_notified_on_activation(world):
    log = world.draft(guardians=("guardian", "guardian2"))
    world.consent(log)
    fire(log, "activate", world.holder)
    (message,) = log.outbox.values()
    assert set(message.recipients) == {"guardian@example.org", "guardian2@example.org"}
    assert "stafettlogg" in message.subject.lower()
    assert log.subject.name not in message.body  # no child's name in mail


def test_r15_closing_makes_the_log_passive_read_only_with_an_archive_pdf(world):
    log = world.active(name="Arkiv Testbarn")
    world.concern(log, "Barnet trenger ro i timene.")
    fire(log, "close", world.holder, reason="goals_met")
    assert log.state == "passive" and log.closed_at is not None
    copy = log.latest_archive()
    assert not copy.produced and list(world.m.pending_archives.values()) == [copy]
    world.concern(log, "Skrevet etter lukking.")  # the copy is the log as it was closed
    assert produce_pending(world.m) == 1 and copy.produced and len(world.m.pending_archives) == 0
    pdf = PdfReader(io.BytesIO(copy.blob.data))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "Arkiv Testbarn" in text and "Barnet trenger ro i timene." in text
    assert "Skrevet etter lukking" not in text
    for account in (world.holder, world.guardian):
        assert permits(account, log, Permission.VIEW)
        assert not permits(account, log, Permission.EDIT)
        assert not permits(account, log, Permission.CONTRIBUTE)


def test_r15_a_passive_log_stays_in_the_holders_and_leaders_lists(world):
    log = world.active()
    fire(log, "close", world.holder)
    assert log.id in world.m.index.ids("holder", world.holder.employee_id)
    assert log.id in world.m.index.ids("unit", world.school.id)
    assert log.id in world.m.index.ids("state", "passive")
    assert log.id not in world.m.index.ids("state", "active")


def test_r11_r16_only_a_unit_leader_reopens_and_only_with_new_consent(world):
    log = world.active()
    fire(log, "close", world.holder)
    with pytest.raises(TransitionForbidden):
        fire(log, "reopen", world.holder)
    with pytest.raises(WorkflowError) as refused:
        fire(log, "reopen", world.leader)
    assert refused.value.rule == "R16"
    world.consent(log, actor=world.leader, scope=ConsentScope.REOPEN, days_ago=0)
    fire(log, "reopen", world.leader)
    assert log.state == "reopened"
    assert permits(world.holder, log, Permission.EDIT)
    assert [r["trigger"] for r in log.history.values() if r["machine"] == "log"] == [
        "create", "activate", "close", "reopen"]


def test_r16_a_reopening_consent_must_be_dated_after_the_closing(world):
    log = world.active()
    fire(log, "close", world.holder)
    log.closed_at = log.closed_at - dt.timedelta(days=3)
    world.consent(log, actor=world.leader, scope=ConsentScope.REOPEN, days_ago=5)
    with pytest.raises(WorkflowError) as refused:
        fire(log, "reopen", world.leader)
    assert (refused.value.rule, log.state) == ("R16", "passive")
    world.consent(log, actor=world.leader, scope=ConsentScope.REOPEN, days_ago=3)
    fire(log, "reopen", world.leader)  # given the day it was closed: after the closing
    assert log.state == "reopened"


def test_r17_deleting_a_passive_log_needs_the_archive_and_a_leader(world):
    log = world.active()
    fire(log, "close", world.holder)
    log.archives.clear()
    with pytest.raises(TransitionForbidden):
        fire(log, "delete", world.holder)
    with pytest.raises(WorkflowError) as refused:
        fire(log, "delete", world.leader)
    assert refused.value.rule == "R17" and log.state == "passive"
    from stafett.services.archive import archive_log

    archive_log(log, reason="before_delete")
    log_id = log.id
    fire(log, "delete", world.leader, reason="retention_ended")
    assert log_id not in world.m.logs
    tombstone = world.m.tombstones[log_id]
    assert tombstone.reason == "retention_ended" and tombstone.from_state == "passive"
    assert tombstone.deleted_by == world.leader.uid
    assert log_id not in world.m.index.ids("unit", world.school.id)


def test_r17_the_holder_discards_their_own_draft_but_not_anothers(world):
    mine = world.draft()
    theirs = world.draft(holder=world.holder2)
    with pytest.raises(TransitionForbidden):
        fire(theirs, "discard", world.holder)
    fire(mine, "discard", world.holder, reason="created_by_mistake")
    assert mine.id not in world.m.logs and theirs.id in world.m.logs


def test_r17_deleting_drops_family_logins_that_served_only_this_log(world):
    log = world.draft(guardians=("guardian",))
    fire(log, "discard", world.holder)
    assert "guardian" not in world.root.accounts
    assert "holder" in world.root.accounts


def test_r18_every_transition_records_who_when_from_to_and_why(world):
    log = world.draft()
    world.consent(log)
    fire(log, "activate", world.holder, reason="first_meeting", note="Avtalt i møte.")
    record = list(log.history.values())[-1]
    assert record["source"] == "draft" and record["dest"] == "active"
    assert record["actor"] == world.holder.uid and record["reason"] == "first_meeting"
    assert record["note"] == "Avtalt i møte." and record["at"] is not None
    entries = [e for _, e in world.m.journal.entries() if e.get("trigger") == "activate"]
    assert len(entries) == 1
    assert entries[0]["object"] == log.id and entries[0]["actor"] == world.holder.uid
    assert "note" not in entries[0]  # free text stays in the log, not the journal


def _log_in_state(world, state):
    log = world.draft()
    log.state = state  # arranging a state directly: only refusals are tested with it
    return log


@pytest.mark.parametrize("state", ["draft", "active", "passive", "reopened", "deleted"])
def test_r18_every_transition_not_allowed_from_a_state_is_refused(world, state):
    """Each trigger whose source does not include the state is refused, changing nothing."""
    for trigger, spec in LOG_WORKFLOW.specs.items():
        if state in spec.sources:
            continue
        log = _log_in_state(world, state)
        before = (log.state, len(log.history), log.closed_at)
        with pytest.raises(WorkflowError) as refused:
            fire(log, trigger, world.leader)
        assert refused.value.msg == "transition_not_allowed"
        assert (log.state, len(log.history), log.closed_at) == before


def test_r18_a_refused_transition_is_journaled_as_a_refusal(world):
    log = world.draft()
    with pytest.raises(WorkflowError):
        fire(log, "close", world.holder)
    refusals = [e for _, e in world.m.journal.entries() if e["kind"] == "refused"]
    assert refusals[-1]["what"] == "transition:close" and refusals[-1]["log"] == log.id
