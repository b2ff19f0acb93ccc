"""``stafett-daily`` runs while the server runs, for every setup: the app served by a real
server process, the nightly run started by hand in another process. With FileStorage the
server holds the file, so the script asks the server to run it; with ZEO the script opens the
storage itself. Also: two app processes claiming one night on one ZEO server, and the
loopback endpoint's guards."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest
import transaction
import webtest
import ZEO
from ZODB import DB
from ZODB.POSException import ConflictError
from zodburi import resolve_uri

from stafett import main
from stafett.models.base import today
from stafett.storage import app_root
from stafett.workflows.nightly import claim

from ..conftest import app_settings, close_app
from ..ports import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECRET = "nightly-test-secret"
ENV = {**os.environ, "PYTHONPATH": ROOT}


# -- the setups: each yields the zodbconn.uri of a storage holding the demo data -----------
@contextlib.contextmanager
def file_storage(datafs: str, request) -> Iterator[str]:
    yield f"file://{datafs}"


@contextlib.contextmanager
def zeo_server(datafs: str, request) -> Iterator[str]:
    address, stop = ZEO.server(path=datafs, port=("127.0.0.1", 0), threaded=True)
    try:
        yield f"zeo://{address[0]}:{address[1]}?connection_cache_size=1000"
    finally:
        stop()


# Another setup is one more entry: a factory (datafs, pytest request) -> context manager
# yielding its zodbconn.uri with the demo data in it, e.g. RelStorage on the session's
# PostgreSQL (``request.getfixturevalue("postgres")``).
SETUPS = {"filestorage": file_storage, "zeo": zeo_server}


@pytest.fixture(params=list(SETUPS))
def storage_uri(request, datafs) -> Iterator[str]:
    with SETUPS[request.param](datafs, request) as uri:
        yield uri



def write_ini(path, settings: dict, port: int) -> str:
    path.write_text("[app:main]\nuse = egg:stafett\n"
                    + "".join(f"{key} = {value}\n" for key, value in settings.items())
                    + f"\n[server:main]\nuse = egg:waitress#main\nlisten = 127.0.0.1:{port}\n")
    return str(path)


@contextlib.contextmanager
def server_process(ini: str, port: int) -> Iterator[subprocess.Popen]:
    """``pserve ini`` in a process of its own, until it answers on ``port``."""
    server = subprocess.Popen([sys.executable, "-m", "pyramid.scripts.pserve", ini],
                              cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(600):
            assert server.poll() is None, server.stdout.read()
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5).close()
                break
            time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)


def script(module: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", f"stafett.scripts.{module}", *args],
                          cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600)


def read_record(uri: str):
    factory, dbkw = resolve_uri(uri)
    db = DB(factory(), **dbkw)
    try:
        manager = transaction.TransactionManager()
        conn = db.open(transaction_manager=manager)
        with manager:
            run = app_root(conn).nightly
            record = (run.night, run.process, run.finished, sorted(run.steps), run.failed)
        conn.close()
        return record
    finally:
        db.close()


def test_stafett_daily_runs_while_the_server_runs(storage_uri, datafs, tmp_path):
    port = free_port()
    settings = app_settings(datafs, **{"zodbconn.uri": storage_uri,
                                       "stafett.nightly_secret": SECRET})
    ini = write_ini(tmp_path / "app.ini", settings, port)
    held = storage_uri.startswith("file:")
    with server_process(ini, port) as server:
        daily = script("daily", ini)
        assert daily.returncode == 0, daily.stdout + daily.stderr
        assert "Traceback" not in daily.stderr
        night = today().isoformat()
        assert f"night {night} ran" in daily.stdout
        assert "daily/demo: expired=" in daily.stdout and "pack: packed" in daily.stdout
        # FileStorage: the server ran it (its pid); ZEO: the script ran it itself.
        assert (f":{server.pid})" in daily.stdout) == held
        if held:  # packed in the server: no old copy; the commit buffer was emptied, so it
            # holds the commits after the pack, none of the (larger) daily work's before it
            assert not os.path.exists(datafs + ".old")
            with open(datafs + ".tmp", "rb") as buffer:
                tail = buffer.read()
            assert b"leftovers_cleaned" in tail and b"expired=" not in tail

        again = script("daily", ini)
        assert again.returncode == 0 and f"night {night} was already done" in again.stdout
        if held:
            for words in (("audit", "seal", ini), ("pack", ini)):
                refused = script(*words)
                assert refused.returncode == 2 and "Traceback" not in refused.stderr
                assert "held by the running server" in refused.stderr
    recorded_night, _process, finished, steps, failed = read_record(storage_uri)
    assert recorded_night == today() and finished is not None and failed is None
    assert {"daily/demo", "login-sessions", "seal-journals", "seal-access", "pack"} <= set(steps)
    assert all(step.startswith("daily/") for step in set(steps) - {
        "login-sessions", "seal-journals", "seal-access", "archive-delivery", "pack"})


def test_two_processes_claiming_one_night_on_zeo_meet_and_one_goes_on(datafs):
    """Two databases on one ZEO server, as two app processes have: both see the night
    free, both claim it, the second commit meets the first."""
    address, stop = ZEO.server(path=datafs, port=("127.0.0.1", 0), threaded=True)
    dbs = [DB(ZEO.client(address)) for _ in range(2)]
    managers = [transaction.TransactionManager() for _ in dbs]
    conns = [db.open(transaction_manager=manager) for db, manager in zip(dbs, managers,
                                                                          strict=True)]
    night = dt.date(2026, 12, 5)
    try:
        for conn, manager, name in zip(conns, managers, ("one", "two"), strict=True):
            manager.begin()
            assert claim(app_root(conn), night, name) is None
        managers[0].commit()
        with pytest.raises(ConflictError):
            managers[1].commit()
        managers[1].abort()
        manager = managers[1]
        manager.begin()
        assert claim(app_root(conns[1]), night, "two") == "busy"
        assert app_root(conns[1]).nightly.process == "one"
    finally:
        for conn, manager in zip(conns, managers, strict=True):
            manager.abort()
            conn.close()
        for db in dbs:
            db.close()
        stop()


@pytest.fixture
def guarded_app(datafs):
    app = main({}, **app_settings(datafs, **{"stafett.nightly_secret": SECRET}))
    yield webtest.TestApp(app, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
    close_app(app)


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_the_nightly_endpoint_answers_only_loopback_with_the_secret(guarded_app):
    guarded_app.post("/nightly-run", headers=bearer("wrong"), status=403)
    guarded_app.post("/nightly-run", status=403)
    guarded_app.post("/nightly-run", headers=bearer(SECRET),
                     extra_environ={"REMOTE_ADDR": "192.0.2.7"}, status=404)
    guarded_app.post("/nightly-run", headers={**bearer(SECRET), "X-Forwarded-For": "192.0.2.7"},
                     status=404)
    guarded_app.get("/nightly-run", headers=bearer(SECRET), status=404)
    guarded_app.post("/nightly-run", {"again": "maybe"}, headers=bearer(SECRET), status=400)
    ran = guarded_app.post("/nightly-run", headers=bearer(SECRET), status=200).json
    assert ran["state"] == "ran" and ran["night"] == today().isoformat()


def test_the_nightly_endpoint_is_not_there_without_a_secret(testapp):
    testapp.post("/nightly-run", headers=bearer(""), extra_environ={"REMOTE_ADDR": "127.0.0.1"},
                 status=404)
