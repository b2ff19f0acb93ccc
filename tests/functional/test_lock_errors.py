"""RelStorage on PostgreSQL: a write that meets another writer's lock is retried as a
conflict is (``storage.LOCK_ERRORS``), and saved; no lock error reaches the user as a
server error. The lock errors here are real: PostgreSQL's, provoked on the test server."""

from __future__ import annotations

import threading

import psycopg2
import pytest
import webtest
from pyramid_retry import IBeforeRetry
from relstorage.adapters.interfaces import UnableToAcquireLockError

from stafett import main
from stafett.services import archive
from stafett.views import notes

from ..conftest import app_settings, close_app, login
from ..storages import relstorage


@pytest.fixture
def pg_app(tmp_path, datafs, request, postgres):
    """The app on RelStorage over the demo data; a row lock is waited for one second."""
    with relstorage(tmp_path, postgres, request.getfixturevalue("demo_relstorage")) as place:
        place.uri += "&commit_lock_timeout=1"
        app = main({}, **app_settings(place.datafs, **place.settings()))
        yield app, place
        close_app(app)


def _glimpse_form(app):
    """Emma's glimpse form, filled in by her holder; and how many glimpses it added."""
    client, url, added = _holder_on_emmas_log(app)
    form = client.get(url + "add-glimpse").forms["glimpse-form"]
    form["text"] = "Emma leste høyt."
    return form, added


def _holder_on_emmas_log(app):
    client = webtest.TestApp(app)
    login(client, "larer")
    db = app.registry._zodb_databases[""]
    conn = db.open()
    try:
        emma = next(log for log in conn.root()["stafett"]["demo"].logs.values()
                    if log.subject.name == "Emma Nordmann")
        url, before = f"/demo/logs/{emma.id}/", len(emma.glimpses)
    finally:
        conn.close()
    return client, url, lambda: _glimpses(app, emma.id) - before


def _glimpses(app, log_id: str) -> int:
    conn = app.registry._zodb_databases[""].open()
    try:
        return len(conn.root()["stafett"]["demo"].logs[log_id].glimpses)
    finally:
        conn.close()


def test_a_write_whose_objects_another_session_holds_locked_is_retried_and_saved(
        pg_app, postgres):
    """Another PostgreSQL session holds every object's lock: RelStorage gives up after the
    lock timeout, the request is retried (the lock is released meanwhile) and saved."""
    app, place = pg_app
    form, added = _glimpse_form(app)
    holder = psycopg2.connect(postgres.dsn(place.database))
    holder.autocommit = True
    retried = []

    def release(event):
        retried.append(event.exception)
        holder.cursor().execute("SELECT pg_advisory_unlock_all()")

    app.registry.registerHandler(release, (IBeforeRetry,))
    try:
        holder.cursor().execute("SELECT pg_advisory_lock(zoid) FROM object_state")
        form.submit("save", status=303)
    finally:
        holder.close()
    assert [isinstance(e, UnableToAcquireLockError) for e in retried] == [True]
    assert added() == 1


def _deadlock(postgres, dbname: str) -> Exception:
    """Two sessions each update the row the other has updated: PostgreSQL kills one."""
    sessions = [psycopg2.connect(postgres.dsn(dbname)) for _ in range(2)]
    sessions[0].autocommit = True
    sessions[0].cursor().execute("CREATE TABLE rows_to_lock (id int PRIMARY KEY);"
                                 "INSERT INTO rows_to_lock VALUES (1), (2)")
    sessions[0].autocommit = False
    errors = []

    def update(session, first, second, ready):
        try:
            cur = session.cursor()
            cur.execute("UPDATE rows_to_lock SET id = id WHERE id = %s", (first,))
            ready.wait()
            cur.execute("UPDATE rows_to_lock SET id = id WHERE id = %s", (second,))
        except psycopg2.Error as exc:
            errors.append(exc)
        finally:
            session.rollback()

    ready = threading.Barrier(2)
    threads = [threading.Thread(target=update, args=(s, a, b, ready))
               for s, a, b in ((sessions[0], 1, 2), (sessions[1], 2, 1))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for session in sessions:
        session.close()
    [error] = errors
    return error


def _lock_timeout(postgres, dbname: str) -> Exception:
    """A row another session holds, waited for longer than ``lock_timeout``."""
    holder, waiter = (psycopg2.connect(postgres.dsn(dbname)) for _ in range(2))
    holder.autocommit = True
    holder.cursor().execute("CREATE TABLE rows_to_wait_for (id int PRIMARY KEY);"
                            "INSERT INTO rows_to_wait_for VALUES (1)")
    holder.autocommit = False
    holder.cursor().execute("SELECT * FROM rows_to_wait_for FOR UPDATE")
    try:
        waiter.cursor().execute("SET lock_timeout = 50;"
                                "SELECT * FROM rows_to_wait_for FOR UPDATE")
    except psycopg2.Error as exc:
        return exc
    finally:
        holder.close()
        waiter.close()
    raise AssertionError("the lock was not waited for")


@pytest.mark.parametrize("provoke", [_deadlock, _lock_timeout])
def test_a_lock_error_from_postgresql_is_retried_and_the_write_saved(
        pg_app, postgres, monkeypatch, caplog, provoke):
    app, place = pg_app
    error = provoke(postgres, place.database)
    assert error.pgcode in ("40P01", "55P03")  # deadlock_detected, lock_not_available
    real, calls = notes.add_glimpse, []

    def meets_the_lock_once(*args, **kw):
        calls.append(1)
        if len(calls) == 1:
            raise error
        return real(*args, **kw)

    monkeypatch.setattr(notes, "add_glimpse", meets_the_lock_once)
    form, added = _glimpse_form(app)
    caplog.set_level("DEBUG", logger="stafett")
    form.submit("save", status=303)
    assert len(calls) == 2 and added() == 1
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_a_lock_error_on_every_attempt_says_busy_not_server_error(pg_app, postgres,
                                                                  monkeypatch):
    app, place = pg_app
    error = _lock_timeout(postgres, place.database)

    def always_locked(*args, **kw):
        raise error

    monkeypatch.setattr(notes, "add_glimpse", always_locked)
    form, added = _glimpse_form(app)
    busy = form.submit("save", status=503)
    assert busy.headers["Retry-After"] and "ligger fortsatt i skjemaet" in busy.text
    assert added() == 0


def test_the_archive_worker_retries_a_lock_error_and_makes_the_pdf(pg_app, postgres,
                                                                  monkeypatch):
    """R35: the closing copy's PDF, made after the commit by the worker, meets a lock once
    and is made on the next attempt (not left for the night)."""
    app, place = pg_app
    error = _lock_timeout(postgres, place.database)
    real, calls = archive.produce, []

    def meets_the_lock_once(archived):
        calls.append(1)
        if len(calls) == 1:
            raise error
        return real(archived)

    monkeypatch.setattr(archive, "produce", meets_the_lock_once)
    client, url, _added = _holder_on_emmas_log(app)
    client.get(url + "close").forms["deform"].submit("submit", status=303)
    archive.WORKER.wait()
    assert len(calls) == 2
    conn = app.registry._zodb_databases[""].open()
    try:
        assert len(conn.root()["stafett"]["demo"].pending_archives) == 0
    finally:
        conn.close()
