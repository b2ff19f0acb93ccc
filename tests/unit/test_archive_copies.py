"""R35: archive copies yearly, at a change of service, at closing and before deletion; the
yearly round reads the due-day index up to today only (R20: copies stay with the sender)."""

from __future__ import annotations

import datetime as dt

from stafett.messages import name_of
from stafett.models import ConsentScope, TransferKind
from stafett.models.base import OSLO
from stafett.models.indexes import YEARLY_FIELD, yearly_due_day
from stafett.services import copies
from stafett.workflows import fire, propose_transfer
from stafett.workflows.daily import run_daily

from ..world import World

TODAY = dt.datetime.now(OSLO).date()
A_YEAR_ON = TODAY.replace(year=TODAY.year + 1) if (TODAY.month, TODAY.day) != (2, 29) \
    else TODAY.replace(year=TODAY.year + 1, day=28)


def _due(world) -> list[str]:
    return world.m.index.yearly_due(A_YEAR_ON.isoformat())


def _set_started(world, log, when: dt.datetime) -> None:
    log.yearly_from = when
    world.m.index.reindex(log)


def test_r35_an_activated_log_is_due_a_year_later_and_a_draft_never(world):
    draft = world.draft()
    assert draft.yearly_from is None and draft.id not in _due(world)
    log = world.active()
    assert yearly_due_day(log) == A_YEAR_ON
    assert world.m.index.indexed_values(log.id, YEARLY_FIELD) == (A_YEAR_ON.isoformat(),)
    assert log.id in _due(world)
    assert world.m.index.yearly_due((A_YEAR_ON - dt.timedelta(days=1)).isoformat()) == []


def test_r35_the_daily_run_copies_only_the_logs_due_and_moves_their_day_on(world):
    due = world.active()
    not_yet = world.active()
    _set_started(world, due, dt.datetime.now(dt.UTC) - dt.timedelta(days=400))
    assert world.m.index.yearly_due(TODAY.isoformat()) == [due.id]
    report = run_daily(world.m, TODAY)
    assert report.yearly_copies == 1
    (copy,) = [a for a in due.archives.values() if a.reason == "yearly"]
    assert copy.log_id == due.id and not [a for a in not_yet.archives.values()]
    assert yearly_due_day(due) == A_YEAR_ON  # a year from the copy
    assert world.m.index.yearly_due(TODAY.isoformat()) == []
    assert run_daily(world.m, TODAY).yearly_copies == 0


def test_r35_the_yearly_copy_is_no_activity_on_the_log(world):
    log = world.active()
    _set_started(world, log, dt.datetime.now(dt.UTC) - dt.timedelta(days=400))
    before = log.last_activity
    copies.yearly_copies(world.m, TODAY, make=copies.make_yearly_copy)
    assert log.last_activity == before


def test_r35_closing_takes_the_log_out_and_reopening_starts_a_new_year(world):
    log = world.active()
    fire(log, "close", world.holder)
    assert log.id not in _due(world)
    assert [a.reason for a in log.archives.values()] == ["closed"]
    world.consent(log, actor=world.leader, scope=ConsentScope.REOPEN, days_ago=0)
    fire(log, "reopen", world.leader)
    assert log.id in _due(world) and yearly_due_day(log) == A_YEAR_ON


def test_r35_a_passive_log_gets_a_copy_before_deletion_made_in_the_transition(world):
    log = world.active()
    fire(log, "close", world.holder)
    fire(log, "delete", world.leader, reason="retention_ended")
    reasons = sorted(a.reason for a in log.archives.values())
    assert reasons == ["before_deletion", "closed"]
    last = [a for a in log.archives.values() if a.reason == "before_deletion"][0]
    assert last.produced and last.blob.data.startswith(b"%PDF")
    assert last.filename.startswith(f"stafettlogg-{log.id}-before_deletion-")
    assert log.id not in _due(world)


def test_r35_a_deleted_draft_has_no_copy(world):
    draft = world.draft()
    fire(draft, "delete", world.leader)
    assert len(draft.archives) == 0


def test_r20_copies_stay_with_the_sending_municipality(world, root):
    other = World(root, slug="nabo")
    log = world.active()
    _set_started(world, log, dt.datetime.now(dt.UTC) - dt.timedelta(days=400))
    copies.yearly_copies(world.m, TODAY)
    transfer = propose_transfer(log, _to(world, other), world.holder)
    fire(transfer, "consent", world.holder,
         consent_id=world.consent(log, scope=ConsentScope.TRANSFER).id)
    fire(transfer, "accept", other.leader, new_holder_id=other.holder.employee_id)
    assert log.id in other.m.logs and len(log.archives) == 0
    kept = sorted(a.reason for a in world.m.archive_copies.values() if a.log_id == log.id)
    assert kept == ["change_of_service", "yearly"]
    assert all(a.__parent__ is world.m for a in world.m.archive_copies.values())
    assert len(other.m.archive_copies) == 0
    assert log.id not in world.m.index.yearly_due(A_YEAR_ON.isoformat())
    assert log.id in other.m.index.yearly_due(A_YEAR_ON.isoformat())


def _to(world, other):
    from stafett.models import Transfer

    return Transfer(TransferKind.MUNICIPALITY, "Familien flytter.", world.holder.uid,
                    world.holder.employee_id, to_municipality="nabo",
                    to_unit_id=other.school.id)


def test_r35_the_copies_of_a_log_and_of_a_unit(world):
    log = world.active()
    fire(log, "close", world.holder)
    listed = copies.copies_of_log(log)
    assert [a.reason for a in listed] == ["closed"]
    assert copies.find_copy(log, listed[0].__name__) is listed[0]
    assert copies.find_copy(log, "nothing") is None
    assert copies.copies_of_unit(world.m, world.school.id) == (listed, None)
    assert copies.copies_of_unit(world.m, world.kinder.id) == ([], None)
    assert copies.unit_copy(world.m, world.school.id, listed[0].__name__) is listed[0]
    assert copies.unit_copy(world.m, world.kinder.id, listed[0].__name__) is None
    assert copies.unit_copy(world.m, world.school.id, "archive-x-2026") is None


def _to_kindergarten(world, log, concern_ids=()):
    from stafett.models import Transfer

    transfer = propose_transfer(log, Transfer(
        TransferKind.UNIT, "Barnet bytter tjeneste.", world.holder.uid,
        world.holder.employee_id, to_employee_id=world.kinder_holder.employee_id,
        concern_ids=list(concern_ids)), world.holder)
    fire(transfer, "consent", world.holder,
         consent_id=world.consent(log, scope=ConsentScope.TRANSFER).id)
    fire(transfer, "accept", world.kinder_holder)


def test_r20_copies_made_in_a_unit_stay_with_it_when_the_log_moves_to_another(world):
    """A copy made before the move holds the concerns the family kept back: the receiving
    unit neither lists nor downloads it; the sending unit's console keeps it."""
    log = world.active()
    chosen, kept_back = world.concern(log, "Lesing."), world.concern(log, "Søvn hjemme.")
    _set_started(world, log, dt.datetime.now(dt.UTC) - dt.timedelta(days=400))
    copies.yearly_copies(world.m, TODAY)
    [yearly] = log.archives.values()
    _to_kindergarten(world, log, [chosen.id])
    assert kept_back.id not in log.concerns and len(log.archives) == 0
    assert copies.copies_of_log(log) == []
    school, _ = copies.copies_of_unit(world.m, world.school.id)
    assert sorted(a.reason for a in school) == ["change_of_service", "yearly"]
    assert yearly in school and yearly.__parent__ is world.m
    assert copies.copies_of_unit(world.m, world.kinder.id) == ([], None)
    assert copies.unit_copy(world.m, world.kinder.id, yearly.__name__) is None
    fire(log, "close", world.kinder_holder)  # the receiver's own copies are its own
    assert [a.reason for a in copies.copies_of_log(log)] == ["closed"]
    assert [a.reason for a in copies.copies_of_unit(world.m, world.kinder.id)[0]] == ["closed"]


def test_r35_the_unit_list_comes_a_page_at_a_time_newest_first(world):
    logs = [world.active() for _ in range(5)]
    for log in logs:
        fire(log, "close", world.holder)
    made = sorted((a for log in logs for a in log.archives.values()),
                  key=lambda a: a.created, reverse=True)
    first, after = copies.copies_of_unit(world.m, world.school.id, size=2)
    second, after2 = copies.copies_of_unit(world.m, world.school.id, after=after, size=2)
    third, end = copies.copies_of_unit(world.m, world.school.id, after=after2, size=2)
    assert first + second + third == made and end is None
    assert after == first[-1].__name__
    for bad in ("x", "archive-../..-1", "archive-a-99999999999999999999"):
        try:
            copies.copies_of_unit(world.m, world.school.id, after=bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_r20_the_evolve_step_files_every_copy_with_the_unit_that_made_it(world, root):
    from BTrees.OOBTree import OOBTree

    from stafett.storage import _archive_copies_by_unit

    log = world.active()
    fire(log, "close", world.holder)
    [closed] = log.archives.values()
    log.unit_id = world.kinder.id  # moved before copies stayed behind
    world.m.copies_by_unit = OOBTree()
    _archive_copies_by_unit(root)
    assert len(log.archives) == 0 and closed.__parent__ is world.m
    assert copies.copies_of_unit(world.m, world.school.id) == ([closed], None)
    assert copies.copies_of_log(log) == []


def test_r35_every_reason_has_a_name_and_an_archive_title():
    from stafett.messages import COPY_REASON_NAMES
    from stafett.services.noark import REASON_TITLES

    assert set(COPY_REASON_NAMES) == set(REASON_TITLES) >= {
        "yearly", "change_of_service", "closed", "before_deletion", "individual_plan"}
    for reason in COPY_REASON_NAMES:
        assert str(name_of("copy_reason", reason)) != reason


def test_r35_the_evolve_step_gives_running_logs_their_due_day(world, root):
    from stafett.storage import _yearly_copies_due

    log, draft = world.active(), world.draft()
    log.yearly_from = None  # a log activated before this version
    world.m.index.reindex(log)
    assert log.id not in _due(world)
    _yearly_copies_due(root)
    assert log.id in _due(world) and yearly_due_day(log) == A_YEAR_ON  # from its activation
    assert draft.yearly_from is None and draft.id not in _due(world)
