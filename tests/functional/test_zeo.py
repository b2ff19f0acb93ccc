"""Several app processes share one database through a real ZEO server on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import webtest
import ZEO

from stafett import main

from ..conftest import app_settings, close_app, csrf_token, login

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_two_app_servers_see_each_others_writes_through_zeo(datafs):
    address, stop = ZEO.server(path=datafs, port=("127.0.0.1", 0), threaded=True)
    host, port = address
    uri = f"zeo://{host}:{port}?connection_cache_size=1000"
    apps = [main({}, **app_settings(datafs, **{"zodbconn.uri": uri})) for _ in range(2)]
    try:
        first, second = (webtest.TestApp(app) for app in apps)
        login(first, "larer")
        home = first.get("/")
        first.post("/language", {"locale": "en", "csrf_token": csrf_token(home)}, status=303)
        login(second, "larer")  # the language chosen on server 1 is on the account
        assert "Logs I hold" in second.get("/").text
    finally:
        for app in apps:
            close_app(app)
        stop()


READER = """
import json, sys, webtest
from stafett import main
from tests.conftest import close_app, login
settings, path, reads = json.loads(sys.argv[1]), sys.argv[2], int(sys.argv[3])
app = main({}, **settings)
client = webtest.TestApp(app)
assert login(client, "larer").status_int == 303
for _ in range(reads):
    client.get(path, status=200)
close_app(app)
"""


def test_two_app_processes_on_one_zeo_server_journal_every_read_in_one_chain(datafs, tmp_path):
    """Two OS processes, each an app on the same ZEO server and the same SQLite access
    journal, read a log at the same time: every read is journaled once, the writes from both
    processes share one hash chain, and ``stafett-audit verify`` finds nothing broken."""
    address, stop = ZEO.server(path=datafs, port=("127.0.0.1", 0), threaded=True)
    uri = f"zeo://{address[0]}:{address[1]}?connection_cache_size=1000"
    settings = app_settings(datafs, **{"zodbconn.uri": uri})
    ini = tmp_path / "zeo.ini"
    ini.write_text("[app:main]\nuse = egg:stafett\n"
                   + "".join(f"{key} = {value}\n" for key, value in settings.items()))
    app = main({}, **settings)
    try:
        access = app.registry.access_journal.for_municipality("demo")
        log_id = _a_log_of(app, "larer")
        before = len(access.of_log(log_id))
        reads = 40
        readers = [subprocess.Popen(
            [sys.executable, "-c", READER, json.dumps(settings), f"/demo/logs/{log_id}/",
             str(reads)], cwd=ROOT, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        for reader in readers:
            _out, err = reader.communicate(timeout=300)
            assert reader.returncode == 0, err
        assert len(access.of_log(log_id)) - before == 2 * reads
        verified = subprocess.run([os.path.join(os.path.dirname(sys.executable), "stafett-audit"),
                                   "verify", str(ini), "--grace", "0"],
                                  capture_output=True, text=True, timeout=300)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "access journal: sealed" in verified.stdout
        assert app.registry.access_journal.unsealed() == 0
    finally:
        close_app(app)
        stop()


def _a_log_of(app, username: str) -> str:
    db = app.registry._zodb_databases[""]
    conn = db.open()
    try:
        root = conn.root()["stafett"]
        employee_id = root.accounts[username].employee_id
        return next(log.id for log in root["demo"].logs.values()
                    if log.holder_id == employee_id and log.state == "active")
    finally:
        conn.close()
