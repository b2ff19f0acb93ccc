"""The nightly run: claimed once a night, its steps recorded, a failed run going on from the
step that failed, and the scheduler running the night once its hour has come."""

from __future__ import annotations

import datetime as dt
import threading
from types import SimpleNamespace

import pytest
import transaction
from ZODB.POSException import ConflictError

from stafett.access_journal import open_access_journal
from stafett.models.base import OSLO
from stafett.models.nightly import last_run
from stafett.scripts.daily import hand_over, server_url
from stafett.storage import app_root
from stafett.workflows.nightly import Step, claim, plan, run_night
from stafett.workflows.nightly_scheduler import Scheduler

from ..world import World

NIGHT = dt.date(2026, 12, 5)


@pytest.fixture
def access():
    journal = open_access_journal({"stafett.access_journal": "sqlite://"})
    yield journal
    journal.close()


@pytest.fixture
def settings(tmp_path) -> dict:
    return {"stafett.mail_delivery": "files", "mail.top_level_directory": str(tmp_path)}


@pytest.fixture
def world_db(db):
    """The memory database with the unit-test municipality committed in it, and a log whose
    consent expired the day before ``NIGHT`` (its path in ``db.expiring``)."""
    manager = transaction.TransactionManager()
    conn = db.open(transaction_manager=manager)
    with manager:
        world = World(app_root(conn))
        log = world.active()
        consent = next(iter(log.consents.values()))
        consent.expires = NIGHT - dt.timedelta(days=1)
        world.m.index.index_consent(log.id, consent)
        db.expiring = (log.id, consent.id)
    conn.close()
    return db


def consent_state(db) -> str:
    log_id, consent_id = db.expiring
    return read(db, lambda root: root["kommune"].logs[log_id].consents[consent_id].state)


def read(db, what):
    manager = transaction.TransactionManager()
    conn = db.open(transaction_manager=manager)
    try:
        return what(app_root(conn))
    finally:
        manager.abort()
        conn.close()


def record(db) -> SimpleNamespace | None:
    """The nightly record as plain values, read in a transaction of its own."""
    def snapshot(root):
        run = last_run(root)
        if run is None:
            return None
        return SimpleNamespace(night=run.night, process=run.process, finished=run.finished,
                               failed=run.failed, steps={name: done.summary for name, done
                                                         in run.steps.items()})
    return read(db, snapshot)


def test_every_step_of_the_night_is_recorded_with_a_summary(world_db, settings, access):
    outcome = run_night(world_db, settings, access, NIGHT)
    names = ["daily/kommune", "login-sessions", "seal-journals", "seal-access",
             "archive-delivery", "pack"]
    assert outcome.state == "ran" and not outcome.failed
    assert [name for name, _ in outcome.steps] == names
    run = record(world_db)
    assert run.night == NIGHT and run.finished is not None and run.failed is None
    assert sorted(run.steps) == sorted(names)
    assert run.steps["daily/kommune"].startswith("expired=1 ")
    assert consent_state(world_db) == "expired"
    assert "Skolen" not in " ".join(run.steps.values())


def test_a_finished_night_is_not_run_again_unless_asked(world_db, settings, access):
    run_night(world_db, settings, access, NIGHT)
    again = run_night(world_db, settings, access, NIGHT)
    assert again.state == "done" and again.steps == []
    forced = run_night(world_db, settings, access, NIGHT, again=True)
    assert forced.state == "ran" and len(forced.steps) == 6
    assert run_night(world_db, settings, access, NIGHT + dt.timedelta(days=1)).state == "ran"


def test_a_night_claimed_by_two_connections_at_once_goes_to_one(world_db):
    managers = [transaction.TransactionManager() for _ in range(2)]
    conns = [world_db.open(transaction_manager=manager) for manager in managers]
    for manager, conn, process in zip(managers, conns, ("first", "second"), strict=True):
        manager.begin()
        assert claim(app_root(conn), NIGHT, process) is None  # each thinks it may
    managers[0].commit()
    with pytest.raises(ConflictError):
        managers[1].commit()
    managers[1].abort()
    assert claim(app_root(conns[1]), NIGHT, "second") == "busy"  # seen when it looks again
    assert record(world_db).process == "first"
    for conn in conns:
        conn.close()


def test_a_run_that_failed_goes_on_from_the_failed_step(world_db, settings, access):
    calls = []
    broken = {"yes": True}

    def work(name):
        def step(_ctx, _root):
            calls.append(name)
            if name == "two" and broken["yes"]:
                raise RuntimeError("a disk full of secrets")
            return f"{name}=1"
        return step

    def steps(_root):
        return [Step(name, work(name), joint=name == "one") for name in ("one", "two", "three")]

    first = run_night(world_db, settings, access, NIGHT, steps=steps)
    assert first.failed == "two: RuntimeError" and first.steps == [("one", "one=1")]
    run = record(world_db)
    assert run.failed == "two: RuntimeError" and run.finished is None
    assert sorted(run.steps) == ["one"]

    broken["yes"] = False
    second = run_night(world_db, settings, access, NIGHT, steps=steps)
    assert second.state == "ran" and second.skipped == ["one"]
    assert second.steps == [("two", "two=1"), ("three", "three=1")]
    assert calls == ["one", "two", "two", "three"]
    run = record(world_db)
    assert run.finished is not None and run.failed is None


def test_a_night_being_run_by_a_live_process_is_left_to_it(world_db, settings, access):
    def stuck(_ctx, _root):  # the run of another process, seen from this one
        assert run_night(world_db, settings, access, NIGHT).state == "busy"
        return "ok"

    outcome = run_night(world_db, settings, access, NIGHT,
                        steps=lambda _root: [Step("only", stuck)])
    assert outcome.steps == [("only", "ok")]


def test_the_scheduler_runs_the_night_when_its_hour_has_come_and_consents_expire(
        world_db, settings, access):
    clock = {"now": dt.datetime(2026, 12, 5, 2, 29, tzinfo=OSLO)}
    ran = threading.Event()

    def run(night):
        outcome = run_night(world_db, settings, access, night)
        ran.set()
        return outcome

    scheduler = Scheduler(run, dt.time(2, 30), clock=lambda: clock["now"], every=0.01)
    assert scheduler.tick() is None  # 02:29: not yet
    assert consent_state(world_db) == "given" and record(world_db) is None
    scheduler.start()
    try:
        clock["now"] = dt.datetime(2026, 12, 5, 2, 30, tzinfo=OSLO)
        assert ran.wait(timeout=30)
    finally:
        scheduler.stop()
    assert record(world_db).night == NIGHT
    assert consent_state(world_db) == "expired"
    assert scheduler.tick() is None  # the same night is not run twice


def test_the_plan_has_one_daily_step_per_municipality(world_db):
    names = [step.name for step in read(world_db, plan)]
    assert names[0] == "daily/kommune" and names[-1] == "pack"


@pytest.mark.parametrize(("server", "url"), [
    ("listen = localhost:6543", "http://127.0.0.1:6543"),
    ("listen = 127.0.0.1:6000 [::1]:6000", "http://127.0.0.1:6000"),
    ("listen = *:8080", "http://127.0.0.1:8080"),
    ("listen = [::1]:7000", "http://[::1]:7000"),
    ("host = 0.0.0.0\nport = 6100", "http://127.0.0.1:6100")])
def test_stafett_daily_finds_the_server_from_its_listen_address(tmp_path, server, url):
    ini = tmp_path / "app.ini"
    ini.write_text(f"[app:main]\nuse = egg:stafett\n\n[server:main]\nuse = egg:waitress#main\n"
                   f"{server}\n")
    assert server_url(str(ini), {}) == url
    assert server_url(str(ini), {"stafett.nightly_url": "http://10.0.0.1:1/"}) == \
        "http://10.0.0.1:1"


def test_without_a_secret_stafett_daily_says_how_to_hand_the_night_over(tmp_path, capsys):
    assert hand_over(str(tmp_path / "app.ini"), {}, again=False) is None
    said = capsys.readouterr().err
    assert "held by the running server" in said and "stafett.nightly_secret" in said


def test_again_takes_over_a_night_whose_process_seems_to_run_it(world_db, settings, access):
    def died(_ctx, _root):  # the process stops here, leaving no failure behind
        raise SystemExit

    with pytest.raises(SystemExit):
        run_night(world_db, settings, access, NIGHT, steps=lambda _root: [
            Step("first", lambda _ctx, _root: "first=1"), Step("second", died)])
    assert run_night(world_db, settings, access, NIGHT).state == "busy"
    taken = run_night(world_db, settings, access, NIGHT, again=True, steps=lambda _root: [
        Step("first", lambda _ctx, _root: "first=2"), Step("second", lambda *_: "second=1")])
    assert taken.state == "ran" and taken.skipped == ["first"]
    assert taken.steps == [("second", "second=1")]
    assert record(world_db).finished is not None
