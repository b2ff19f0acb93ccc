"""R17 everywhere: after a log is deleted and the storage packed, nothing of the child is
left on disk: not in a ZEO server's files (no ``Data.fs.old``, no ``Data.fs.tmp`` tail),
not in the development mail folder."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys

import pytest
import webtest
import ZEO

from stafett import main
from stafett.models import Consent, ConsentScope
from stafett.workflows import give_consent

from ..conftest import app_settings, close_app, csrf_token, login

PURGEABLE = "%import stafett\n<purgeablefilestorage 1>\npath {path}\n</purgeablefilestorage>\n"


@pytest.fixture
def zeo_app(tmp_path, demo_datafs):
    """The app on a ZEO server (Stafett's purgeable FileStorage) in its own folder, and
    development mail delivery into files."""
    server_dir = tmp_path / "zeo"
    server_dir.mkdir()
    shutil.copy(demo_datafs, server_dir / "Data.fs")
    address, stop = ZEO.server(storage_conf=PURGEABLE.format(path=server_dir / "Data.fs"),
                               port=("127.0.0.1", 0), threaded=True)
    uri = f"zeo://{address[0]}:{address[1]}?connection_cache_size=1000"
    app = main({}, **app_settings(str(tmp_path / "Data.fs"), **{"zodbconn.uri": uri}))
    ini = tmp_path / "zeo.ini"
    ini.write_text(f"[app:main]\nuse = egg:stafett\nzodbconn.uri = {uri}\n")
    yield app, server_dir, tmp_path / "mail", ini
    close_app(app)
    stop()


def _noah(root):
    return next(log for log in root["demo"].logs.values()
                if log.subject.name in ("Noah Hansen", "Noah Slettesen"))


def _traces(root) -> list[bytes]:
    noah = _noah(root)
    guardian = next(iter(noah.guardians.values()))
    return [noah.subject.name.encode(), noah.subject.fnr.encode(), guardian.name.encode(),
            guardian.email.encode()]


def _files_holding(folder, traces) -> list[str]:
    found = []
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            data = open(os.path.join(dirpath, name), "rb").read()
            found += [f"{name}: {t.decode()}" for t in traces if t in data]
    return found


def test_r17_nothing_of_a_deleted_child_remains_in_zeo_files_or_mail(zeo_app):
    app, server_dir, mail_dir, ini = zeo_app
    db = app.registry._zodb_databases[""]
    conn = db.open()
    root = conn.root()["stafett"]
    noah = _noah(root)
    # The demo's practice municipality (R43) is built from the same fictive families and
    # has a Noah Hansen of its own: this child and guardian get names found nowhere else.
    noah.subject.name = "Noah Slettesen"
    guardian = next(iter(noah.guardians.values()))
    guardian.name, guardian.email = "Nina Slettesen", "nina.slettesen@example.org"
    traces, url = _traces(root), f"/demo/logs/{noah.id}/"
    unit_url = f"/demo/units/{noah.unit_id}/"
    give_consent(noah, Consent(list(noah.guardians.keys()), dt.date.today(),
                               ConsentScope.CREATE), root.accounts["larer"])
    conn.transaction_manager.commit()
    conn.close()

    holder = webtest.TestApp(app)
    login(holder, "larer")
    holder.post(url + "activate", {"csrf_token": csrf_token(holder.get(url))}, status=303)
    assert _files_holding(mail_dir, traces)  # the activation mail names the guardian
    holder.get(url + "close").forms["deform"].submit("submit", status=303)
    leader = webtest.TestApp(app)
    login(leader, "rektor")
    page = leader.get(unit_url + "console-delete", {"log": noah.id})
    leader.post(unit_url + "console-delete", {"log": noah.id, "confirm": "yes",
                                              "csrf_token": csrf_token(page)}, status=303)
    assert _files_holding(server_dir, traces)  # erased, but not yet packed away

    script = os.path.join(os.path.dirname(sys.executable), "stafett-pack")
    subprocess.run([script, str(ini)], check=True, capture_output=True)
    assert _files_holding(server_dir, traces) == []
    assert sorted(os.listdir(server_dir)) == ["Data.fs", "Data.fs.index", "Data.fs.lock",
                                              "Data.fs.tmp"]
    assert _files_holding(mail_dir, traces) == []
