"""GET /health: each check's state, 200 only when all pass, nothing written, no cookie."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time

import webtest
from prometheus_client.parser import text_string_to_metric_families

from stafett import main
from stafett.models.base import today, utcnow
from stafett.models.nightly import NightRun

from ..conftest import app_settings, close_app
from ..ports import free_port


def night_run(root, finished_hours_ago: float | None = 1, failed: str | None = None):
    run = NightRun(today(), "host:1234")
    if finished_hours_ago is not None:
        run.finished = utcnow() - dt.timedelta(hours=finished_hours_ago)
        run.started = run.finished - dt.timedelta(minutes=5)
    run.failed = failed
    root.nightly = run


def test_fresh_database_never_ran_the_nightly_work_and_is_unhealthy(testapp, app_db):
    before = app_db.lastTransaction()
    response = testapp.get("/health", status=503)
    checks = response.json["checks"]
    assert response.json["status"] == "failing"
    assert checks["storage"] == {"state": "ok"}
    assert checks["access_journal"] == {"state": "ok"}
    assert checks["sealed"] == {"state": "never"}
    assert checks["nightly"] == {"state": "never"}
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert app_db.lastTransaction() == before  # a GET writes nothing


def test_after_a_night_that_ran_and_sealed_it_is_healthy(app, testapp, read_root):
    with read_root() as root:
        night_run(root)
    app.registry.access_journal.seal()
    response = testapp.get("/health", status=200)
    checks = response.json["checks"]
    assert response.json["status"] == "ok"
    assert checks["sealed"]["state"] == "ok"
    assert checks["nightly"]["state"] == "ok"
    assert checks["nightly"]["night"] == today().isoformat()


def test_a_failed_stale_or_unsealed_night_is_named(app, testapp, read_root):
    app.registry.access_journal.seal()
    with read_root() as root:
        night_run(root, failed="pack: LockError")
    nightly = testapp.get("/health", status=503).json["checks"]["nightly"]
    assert (nightly["state"], nightly["failed"]) == ("failed", "pack: LockError")

    with read_root() as root:
        night_run(root, finished_hours_ago=30)
    assert testapp.get("/health", status=503).json["checks"]["nightly"]["state"] == "stale"

    with read_root() as root:
        night_run(root, finished_hours_ago=None)  # started just now, still at work
    assert testapp.get("/health", status=200).json["checks"]["nightly"]["state"] == "running"

    old = utcnow() - dt.timedelta(hours=27)
    app.registry.access_journal.seal(now_ns=int(old.timestamp() * 1e9))  # cannot go back
    assert testapp.get("/health", status=200).json["checks"]["sealed"]["state"] == "ok"


def test_the_age_limit_is_a_setting(datafs):
    app = main({}, **app_settings(datafs, **{"stafett.health.max_age_hours": "0.5"}))
    try:
        with_root = app.registry._zodb_databases[""]
        from stafett.scripts import app_root_of

        with app_root_of(with_root) as root:
            night_run(root, finished_hours_ago=1)
        app.registry.access_journal.seal()
        nightly = webtest.TestApp(app).get("/health", status=503).json["checks"]["nightly"]
        assert nightly["state"] == "stale"
    finally:
        close_app(app)


def test_a_process_with_its_scheduler_off_still_reports_the_night(datafs):
    """Another process, or stafett-daily by hand, may do the night: health reads the record."""
    app = main({}, **app_settings(datafs, **{"stafett.nightly": "off"}))
    try:
        app.registry.access_journal.seal()
        client = webtest.TestApp(app)
        assert client.get("/health", status=503).json["checks"]["nightly"] == {
            "state": "never"}
        from stafett.scripts import app_root_of

        with app_root_of(app.registry._zodb_databases[""]) as root:
            night_run(root)
        assert client.get("/health", status=200).json["checks"]["nightly"]["state"] == "ok"
    finally:
        close_app(app)


def test_a_zeo_server_that_went_away_is_unreachable_storage(datafs):
    """A real runzeo process, killed: the app's client loses its connection."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "ZEO.runzeo", "-a", f"127.0.0.1:{port}",
                               "-f", datafs], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        uri = f"zeo://127.0.0.1:{port}?connection_cache_size=1000&wait_timeout=60"
        app = main({}, **app_settings(datafs, **{"zodbconn.uri": uri}))
    except BaseException:
        server.kill()
        raise
    try:
        client = webtest.TestApp(app)
        assert client.get("/health", status=503).json["checks"]["storage"] == {"state": "ok"}
        server.kill()
        server.wait()
        storage = app.registry._zodb_databases[""].storage
        for _ in range(3000):  # the client learns of the closed socket in its own thread
            if not storage.is_connected():
                break
            time.sleep(0.01)
        response = client.get("/health", status=503)
        assert response.json["checks"]["storage"]["state"] == "unreachable"
        assert response.json["checks"]["nightly"] == {"state": "unknown"}
    finally:
        server.kill()
        close_app(app)



def test_a_broken_access_journal_is_unreachable(app, testapp):
    app.registry.access_journal.backend.query = broken_query
    checks = testapp.get("/health", status=503).json["checks"]
    assert checks["access_journal"] == {"state": "unreachable", "error": "OperationalError"}


def broken_query(*args):
    import sqlite3

    raise sqlite3.OperationalError("disk I/O error")


def test_it_costs_the_same_whatever_the_municipality_holds(datafs):
    """From a cold cache: the ZODB root, the app root and the nightly record, nothing else
    (the object loads come from /metrics' storage counters)."""
    app = main({}, **app_settings(datafs))
    try:
        client = webtest.TestApp(app, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
        with_run = app.registry._zodb_databases[""]
        from stafett.scripts import app_root_of

        with app_root_of(with_run) as root:
            night_run(root)
        with_run.cacheMinimize()
        before = zodb_loads(client)
        client.get("/health", status=503)  # sealed never: the loads are what count here
        assert 0 < zodb_loads(client) - before <= 3
    finally:
        close_app(app)


def zodb_loads(client) -> float:
    text = client.get("/metrics").text
    for family in text_string_to_metric_families(text):
        if family.name == "stafett_zodb_loads":
            return sum(sample.value for sample in family.samples)
    raise AssertionError("no stafett_zodb_loads")
