"""On each real storage (FileStorage, ZEO, RelStorage on PostgreSQL): no state machine is
ever pickled; deletion plus pack erases for good; the console scripts work on it."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
import transaction

from stafett import main, storage
from stafett.models import ConsentScope, Glimpse
from stafett.models.notes import AuthorRole
from stafett.scripts.pack import pack
from stafett.services import archive, archive_delivery
from stafett.services.archive_transport import FolderTransport
from stafett.storage import app_root
from stafett.workflows import fire

from ..conftest import app_settings, close_app
from ..storages import KINDS, storage_of
from ..world import World

DISTINCT_NAME = "Zyxwerta Qumbelsen"


@pytest.fixture(params=KINDS)
def storage_kind(request) -> str:
    return request.param


@pytest.fixture
def place(storage_kind, tmp_path, request):
    """An empty storage of each kind (the name ``storage`` is stafett.storage here)."""
    (tmp_path / "db").mkdir()
    with storage_of(storage_kind, tmp_path, str(tmp_path / "db" / "Data.fs"), request,
                    demo=False) as made:
        yield made


def _open(place):
    db = place.open_db()
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    return db, tm, conn


def test_no_transitions_object_is_ever_pickled(place):
    db, tm, conn = _open(place)
    world = World(app_root(conn))
    tm.commit()
    log = world.draft(age=9)
    tm.commit()
    steps = [lambda: world.consent(log), lambda: fire(log, "activate", world.holder),
             lambda: world.measure(world.concern(log), world.actor),
             lambda: fire(log, "close", world.holder),
             lambda: world.consent(log, world.leader, ConsentScope.REOPEN, days_ago=0),
             lambda: fire(log, "reopen", world.leader)]
    for step in steps:
        step()
        tm.commit()
    assert log.state == "reopened"
    archive.WORKER.wait()  # the closing copy's PDF is made on the worker's connection
    conn.close()
    db.close()
    records = list(place.records())
    assert len(records) > 20
    offenders = [r for r in records if b"transitions" in r or b"Machine" in r]
    assert offenders == []


def test_r17_delete_and_pack_leave_no_trace_of_the_child_in_the_files(place, request):
    db, tm, conn = _open(place)
    world = World(app_root(conn))
    fnr = world.fnr(dt.date(2016, 4, 2))
    log = world.active(name=DISTINCT_NAME, fnr=fnr)
    log.glimpses.add(Glimpse(f"{DISTINCT_NAME} hadde en fin dag.", "guardian",
                             AuthorRole.GUARDIAN))
    world.concern(log, f"{DISTINCT_NAME} trenger støtte i lesing.")
    tm.commit()
    fire(log, "close", world.holder)
    tm.commit()
    archive.WORKER.wait()  # the closing copy's PDF, as before a leader deletes over HTTP
    tm.begin()  # and see it
    log_id = log.id
    fire(log, "delete", world.leader, reason="retention_ended")
    tm.commit()
    conn.close()
    traces = [DISTINCT_NAME.encode(), fnr.encode()]
    assert DISTINCT_NAME.encode() in place.dump()  # history still holds it until the pack
    # R35: the copy for the municipal archive outlives the log until it is delivered
    # (tests/functional/test_delete_after_delivery.py); deliver it, then pack.
    drop = request.getfixturevalue("tmp_path") / "archive-out"
    drop.mkdir()
    assert archive_delivery.deliver_due(db, FolderTransport(str(drop)))["delivered"] >= 1
    pack(db)
    if place.kind == "file":
        assert not any(name.endswith((".old", ".tmp")) for name in os.listdir(place.folder))
    if place.kind == "relstorage":  # the table files too, once PostgreSQL rewrote them
        request.getfixturevalue("postgres").sql(place.database, "VACUUM FULL")
        request.getfixturevalue("postgres").sql(place.database, "CHECKPOINT")
    assert [t for t in traces if t in place.dump()] == []
    assert place.files_holding(traces) == []
    db, tm, conn = _open(place)
    municipality = app_root(conn)["kommune"]
    assert log_id in municipality.tombstones and log_id not in municipality.logs
    conn.close()
    db.close()


def test_stafett_pack_console_script_packs_the_configured_storage(place, tmp_path):
    ini = place.ini(tmp_path / "test.ini")
    db, tm, conn = _open(place)
    app_root(conn)
    tm.commit()
    conn.close()
    db.close()
    script = os.path.join(os.path.dirname(sys.executable), "stafett-pack")
    result = subprocess.run([script, str(ini)], capture_output=True, text=True, check=True)
    assert "packed" in result.stdout
    assert not os.path.exists(os.path.join(place.folder, "Data.fs.old"))


def test_stafett_password_sets_a_first_password_for_a_console_made_account(place, tmp_path):
    from stafett.models import Account, AccountKind
    from stafett.services.passwords import check_password

    ini = place.ini(tmp_path / "test.ini")
    db, tm, conn = _open(place)
    app_root(conn).accounts["ny"] = Account("ny", "", AccountKind.EMPLOYEE, "kommune", "Ny")
    tm.commit()
    conn.close()
    db.close()
    script = os.path.join(os.path.dirname(sys.executable), "stafett-password")
    short = subprocess.run([script, str(ini), "ny"], input="kort\n", capture_output=True,
                           text=True)
    assert short.returncode == 2 and "12" in short.stderr
    done = subprocess.run([script, str(ini), "ny"], input="et langt passord\n",
                          capture_output=True, text=True, check=True)
    assert "password set" in done.stdout
    db, tm, conn = _open(place)
    account = app_root(conn).accounts["ny"]
    assert check_password(account, "et langt passord")
    assert not check_password(account, "kort")
    conn.close()
    db.close()


def test_stafett_daily_expires_consents_in_the_configured_storage(place, tmp_path):
    ini = place.ini(tmp_path / "test.ini", **{"stafett.mail_delivery": "files",
                                              "mail.top_level_directory": tmp_path / "mail"})
    db, tm, conn = _open(place)
    world = World(app_root(conn))
    log = world.active()
    consent = next(iter(log.consents.values()))
    consent.expires = dt.date.today() - dt.timedelta(days=1)
    world.m.index.index_consent(log.id, consent)
    measure = world.measure(world.concern(log), world.actor)
    measure.deadline = dt.date.today() + dt.timedelta(days=3)
    world.m.index.index_measure(log.id, measure)
    log_id, consent_id = log.id, consent.id
    tm.commit()
    conn.close()
    db.close()
    script = os.path.join(os.path.dirname(sys.executable), "stafett-daily")
    result = subprocess.run([script, str(ini)], capture_output=True, text=True, check=True)
    assert "daily/kommune: expired=1 actors_reminded=1 " in result.stdout
    assert "login-sessions: pruned=0" in result.stdout
    [reminder] = (tmp_path / "mail" / log_id).iterdir()  # sent with the committed run
    assert "actor@example.org" in reminder.read_text()
    db, tm, conn = _open(place)
    assert app_root(conn)["kommune"].logs[log_id].consents[consent_id].state == "expired"
    conn.close()
    db.close()


def test_an_app_on_a_database_behind_its_evolve_steps_refuses_to_start(place):
    """After an upgrade the operator runs stafett-init; until then no process serves data in
    the old shape (a log page would fail on it)."""
    db, tm, conn = _open(place)
    app_root(conn).generation = len(storage.EVOLVE_STEPS) - 1
    tm.commit()
    conn.close()
    db.close()
    settings = app_settings(place.datafs, **place.settings())
    with pytest.raises(storage.DatabaseBehind, match="run stafett-init"):
        main({}, **settings)
    db, tm, conn = _open(place)
    storage.evolve(app_root(conn))
    tm.commit()
    conn.close()
    db.close()
    close_app(main({}, **settings))  # evolved: it starts


def test_stafett_init_makes_the_database_on_the_configured_storage(place, tmp_path):
    """As an operator does first, with the address production.ini documents (RelStorage:
    postgres://user@host:port/db?keep_history=false)."""
    ini = place.ini(tmp_path / "init.ini")
    script = os.path.join(os.path.dirname(sys.executable), "stafett-init")
    done = subprocess.run([script, ini], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"database ready at generation {len(storage.EVOLVE_STEPS)}" in done.stdout
    db, tm, conn = _open(place)
    assert app_root(conn).generation == len(storage.EVOLVE_STEPS)
    conn.close()
    db.close()


@pytest.mark.parametrize("storage_kind", ["relstorage"])
def test_on_relstorage_the_access_journal_is_by_default_in_the_same_database(place, request):
    settings = app_settings(place.datafs, **{"zodbconn.uri": place.uri})
    del settings["stafett.access_journal"]
    app = main({}, **settings)
    try:
        app.registry.access_journal.for_municipality("demo").append("login", actor="u1")
    finally:
        close_app(app)
    rows = request.getfixturevalue("postgres").sql(
        place.database, "SELECT municipality, kind FROM access_journal")
    assert rows == [("demo", "login")]
