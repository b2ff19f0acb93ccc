"""The leader's figures and log lists come from the index and stay in step with the logs
(R6, R9, R10, R36)."""

from __future__ import annotations

import datetime as dt

import pytest

from stafett.models import Guardian, Log, Measure, Subject, Transfer, TransferKind, indexes
from stafett.services import stats
from stafett.workflows import add_measure, fire, propose_transfer
from stafett.workflows.content import (
    add_concern,
    add_glimpse,
    add_meeting,
    add_note,
    add_private_note,
    edit_glimpse,
)

TODAY = dt.date.today()


def _states(world) -> dict:
    return dict(stats.logs_per_state(world.m.index, world.school.id))


def test_r36_logs_per_state_follow_transitions(world):
    draft = world.draft()
    world.active()
    assert _states(world) == {"draft": 1, "active": 1, "reopened": 0, "passive": 0}
    fire(draft, "discard", world.holder, reason="mistake")
    assert _states(world)["draft"] == 0
    assert _states(world)["active"] == 1
    kinder = dict(stats.logs_per_state(world.m.index, world.kinder.id))
    assert sum(kinder.values()) == 0


def test_r36_concerns_by_category_and_measures_by_arena_are_tallied(world):
    log = world.active()
    reading = world.concern(log, category="learning")
    world.concern(log, text="Barnet er alene.", category="social")
    world.m.index.reindex(log)  # concerns are added directly; the writer reindexes
    world.measure(reading, world.actor)
    world.measure(reading, arena="home", party="home")
    categories = dict(stats.concerns_by_category(world.m.index, world.school.id))
    assert categories["learning"] == 1 and categories["social"] == 1
    assert sum(categories.values()) == 2
    arenas = dict(stats.measures_by_arena(world.m.index, world.school.id))
    assert arenas == {"service": 1, "home": 1, "child": 0}
    reading.close()
    world.m.index.reindex(log)
    assert dict(stats.concerns_by_category(world.m.index, world.school.id))["learning"] == 0


def test_r36_tallies_follow_the_log_to_its_new_unit_and_vanish_on_delete(world):
    log = world.draft()
    world.concern(log, category="language")
    world.m.index.reindex(log)
    assert dict(stats.concerns_by_category(world.m.index, world.school.id))["language"] == 1
    log.unit_id = world.kinder.id
    world.m.index.reindex(log)
    assert dict(stats.concerns_by_category(world.m.index, world.school.id))["language"] == 0
    assert dict(stats.concerns_by_category(world.m.index, world.kinder.id))["language"] == 1
    log.unit_id = world.school.id
    world.m.index.reindex(log)
    fire(log, "discard", world.holder, reason="mistake")
    assert all(n == 0 for _, n in stats.concerns_by_category(world.m.index, world.school.id))


def test_r36_overdue_evaluations_counted_per_unit(world):
    log = world.active()
    concern = world.concern(log)
    start = TODAY - dt.timedelta(days=30)
    add_measure(concern, Measure("Lese hver dag.", "actor", "service", start,
                                 TODAY - dt.timedelta(days=1), world.actor.employee_id),
                world.holder)
    world.measure(concern, arena="home", party="home")  # due in four weeks
    assert stats.overdue_evaluations(world.m.index, world.school.id, TODAY) == 1
    assert stats.overdue_evaluations(world.m.index, world.kinder.id, TODAY) == 0


def test_r36_logs_without_activity_for_n_weeks(world):
    quiet, busy = world.active(), world.active()
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(weeks=10)
    quiet.activity.at = long_ago
    world.m.index.reindex(quiet)
    now = dt.datetime.now(dt.UTC)
    assert stats.idle_logs(world.m.index, world.school.id, 8, now) == 1
    assert stats.idle_logs(world.m.index, world.school.id, 12, now) == 0
    add_concern(quiet, {"text": "Ny oppmerksomhet.", "category": "learning"}, world.holder)
    assert stats.idle_logs(world.m.index, world.school.id, 8, now) == 0
    assert busy.last_activity <= now


def test_r36_share_of_children_with_a_log(world):
    world.active()
    world.draft()
    share = stats.share_with_log(world.m.index, world.school)
    assert share["with_log"] == 1 and share["percent"] == 1.0 and share["below_target"]
    world.school.children = 0
    assert stats.share_with_log(world.m.index, world.school)["percent"] is None


def test_r10_consents_expired_or_expiring_within_30_days(world):
    soon = world.active()
    for consent in soon.consents.values():
        consent.expires = TODAY + dt.timedelta(days=10)
    world.m.index.reindex(soon)
    far = world.active()
    for consent in far.consents.values():
        consent.expires = TODAY + dt.timedelta(days=90)
    world.m.index.reindex(far)
    listed = stats.consents_expiring(world.m.index, world.school.id, TODAY)
    assert listed == ([(soon.id, TODAY + dt.timedelta(days=10))], None)
    world.consent(soon, days_ago=0)  # a new consent without expiry
    assert stats.consents_expiring(world.m.index, world.school.id, TODAY) == ([], None)


def test_r10_expiring_consents_come_a_page_at_a_time_earliest_first(world):
    logs = [world.active() for _ in range(5)]
    for days, log in enumerate(logs):
        for consent in log.consents.values():
            consent.expires = TODAY + dt.timedelta(days=days)
        world.m.index.reindex(log)
    seen, after = [], None
    for _page in range(3):
        page, after = stats.consents_expiring(world.m.index, world.school.id, TODAY,
                                              after=after, size=2)
        seen += [log_id for log_id, _expires in page]
        if after is None:
            break
    assert seen == [log.id for log in logs] and after is None


def test_r9_log_missing_second_guardians_consent(world):
    log = world.active(guardians=("guardian", "guardian2"))
    assert stats.missing_guardian_consent(world.m.index, world.school.id) == ([], None)
    log.guardians_live_together = False  # both live with the child: both must consent
    world.m.index.reindex(log)
    assert stats.missing_guardian_consent(world.m.index, world.school.id) == ([log.id], None)
    world.consent(log, parties=list(log.guardians.keys()), days_ago=0)
    assert stats.missing_guardian_consent(world.m.index, world.school.id) == ([], None)


def test_r19_waiting_transfers_in_and_out(world):
    log = world.active()
    propose_transfer(log, Transfer(TransferKind.UNIT, "Flytter.", world.holder.uid,
                                   log.holder_id, to_unit_id=world.kinder.id), world.holder)
    world.m.index.reindex(log)
    out = stats.waiting_transfers(world.m, world.school.id, TODAY)
    incoming = stats.waiting_transfers(world.m, world.kinder.id, TODAY)
    assert [(w.direction, w.log_id, w.age_days) for w in out] == [("out", log.id, 0)]
    assert [(w.direction, w.log_id) for w in incoming] == [("in", log.id)]
    transfer = next(iter(log.transfers.values()))
    found = stats.incoming_transfer(world.m, world.kinder.id, log.id, transfer.id, TODAY)
    assert found.transfer is transfer
    assert stats.incoming_transfer(world.m, world.school.id, log.id, transfer.id, TODAY) is None
    assert stats.incoming_transfer(world.m, world.kinder.id, log.id, "x", TODAY) is None
    fire(transfer, "decline", world.kinder_leader, reason="Ikke vår elev.")
    world.m.index.reindex(log)
    assert stats.waiting_transfers(world.m, world.school.id, TODAY) == []


# -- the log list -------------------------------------------------------------------------------
def _many(world, n: int) -> list[Log]:
    """Logs built directly (no workflow), each with its own last activity."""
    logs = []
    base = dt.datetime.now(dt.UTC) - dt.timedelta(days=n)
    for i in range(n):
        log = world.m.logs.add(Log(Subject(f"Barn {i}", world.fnr(dt.date(2015, 1, 1))),
                                   world.holder.employee_id, world.school.id, 1 + i % 3))
        log.state = ("active", "draft", "passive")[i % 3]
        log.activity.at = base + dt.timedelta(days=i)
        world.m.index.reindex(log)
        logs.append(log)
    return logs


def _all_pages(world, flt, size=7) -> list[str]:
    seen, after = [], None
    while True:
        ids, after = stats.unit_log_ids(world.m.index, world.school.id, flt, after, size)
        seen.extend(ids)
        if after is None:
            return seen


@pytest.mark.parametrize("plan", ["sort", "walk"])
def test_r6_unit_log_list_pages_newest_first_with_filters(world, monkeypatch, plan):
    monkeypatch.setattr(stats, "choose_plan", lambda *args: plan)  # both query plans
    logs = _many(world, 40)
    newest_first = [log.id for log in reversed(logs)]
    assert _all_pages(world, stats.LogFilter()) == newest_first
    active_level_1 = [log.id for log in reversed(logs)
                      if log.state == "active" and log.level == 1]
    assert _all_pages(world, stats.LogFilter(state="active", level=1)) == active_level_1
    assert _all_pages(world, stats.LogFilter(holder=world.holder2.employee_id)) == []
    assert stats.unit_log_ids(world.m.index, world.kinder.id, stats.LogFilter())[0] == []


def test_r6_log_list_filters_by_category_and_deadline(world):
    early, late = world.active(), world.active()
    world.concern(late, category="social")
    world.m.index.reindex(late)
    start = TODAY - dt.timedelta(days=1)
    add_measure(world.concern(early), Measure("Les.", "home", "home", start,
                                             TODAY + dt.timedelta(days=3)), world.holder)
    by_category = stats.unit_log_ids(world.m.index, world.school.id,
                                     stats.LogFilter(category="social"))[0]
    assert by_category == [late.id]
    due = stats.unit_log_ids(world.m.index, world.school.id,
                             stats.LogFilter(deadline=TODAY + dt.timedelta(days=7)))[0]
    assert due == [early.id]


def test_plan_walks_when_a_page_fills_quickly_and_sorts_a_small_set():
    assert stats.choose_plan([], 40000, 50) == "walk"
    assert stats.choose_plan([(20000, None), (13000, None)], 40000, 50) == "walk"
    assert stats.choose_plan([(30, None)], 40000, 50) == "sort"
    assert stats.choose_plan([(0, None)], 40000, 50) == "sort"


def test_log_filter_ignores_unknown_values():
    flt = stats.LogFilter.from_params({"state": "gone", "level": "9", "category": "x",
                                       "deadline": "not-a-date"})
    assert flt.query() == {}


def test_a_guardian_added_later_is_indexed_on_reindex(world):
    log = world.draft(guardians=())
    log.guardians.add(Guardian("Ny", username="guardian2"))
    world.m.index.reindex(log)
    assert log.id in set(world.m.index.ids("account", "guardian2"))


def test_a_glimpse_meeting_or_note_moves_the_log_s_activity_as_a_full_reindex_would(world,
                                                                            monkeypatch):
    log = world.active()
    world.measure(world.concern(log), world.actor)
    world.m.index.reindex(log)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
    monkeypatch.setattr(indexes, "utcnow", lambda: later)
    before = dict(world.m.index._indexed[log.id])
    glimpse = add_glimpse(log, "Et lysglimt.", world.holder)
    edit_glimpse(glimpse, "Et lysglimt, rettet.", world.holder)
    add_meeting(log, {"date": TODAY, "agenda": "", "participants": "", "minute_taker": "",
                      "summary": "", "concern_ids": ()}, world.holder)
    add_note(log, {"text": "Notat.", "concern_id": "", "visibility": "family"}, None,
             world.holder)
    add_private_note(log, "Eget notat.", world.holder)
    after = dict(world.m.index._indexed[log.id])
    moved = {name for name in after if after[name] != before.get(name)}
    activity = {"unit_recent", "unit_state_recent"}
    # the day moves after 21:00; a meeting is counted (the share with family feedback)
    assert activity | {"#meeting_day"} <= moved <= activity | {"#activity_day",
                                                              "#meeting_day"}
    world.m.index.reindex(log)  # what a full reindex finds: the same entries
    assert world.m.index._indexed[log.id] == after
    newest = stats.unit_log_ids(world.m.index, world.school.id, stats.LogFilter())[0]
    assert newest[0] == log.id
