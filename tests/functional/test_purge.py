"""R17 everywhere: after a log is deleted and the storage packed, nothing of the child is
left: not in a FileStorage's or ZEO server's files (no ``Data.fs.old``, no ``Data.fs.tmp``
tail), not in RelStorage's PostgreSQL database (its dump, and its files once vacuumed), not
in the development mail folder."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
import webtest

from stafett.models import Consent, ConsentScope
from stafett.workflows import give_consent

from ..conftest import close_app, csrf_token, login
from ..storages import KINDS


@pytest.fixture(params=KINDS)
def storage_kind(request) -> str:
    return request.param


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


def _stored(storage, traces) -> list[str]:
    """The traces found in what the storage keeps: its files, or PostgreSQL's dump."""
    if storage.kind != "relstorage":
        return storage.files_holding(traces)
    dump = storage.dump()
    return [t.decode() for t in traces if t in dump]


def test_r17_nothing_of_a_deleted_child_remains_in_the_storage_or_mail(app, storage,
                                                                       tmp_path, request):
    mail_dir = tmp_path / "mail"
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
    assert _stored(storage, traces)  # erased, but not yet packed away
    if storage.kind == "relstorage":  # and PostgreSQL's files show it (the search works)
        request.getfixturevalue("postgres").sql(storage.database, "CHECKPOINT")
        assert storage.files_holding(traces)

    close_app(app)  # an embedded FileStorage is packed by stafett-pack with the app stopped
    script = os.path.join(os.path.dirname(sys.executable), "stafett-pack")
    subprocess.run([script, storage.ini(tmp_path / "pack.ini")], check=True,
                   capture_output=True)
    assert _stored(storage, traces) == []
    assert _files_holding(mail_dir, traces) == []
    if storage.kind == "relstorage":  # and the table files, once PostgreSQL rewrote them
        postgres = request.getfixturevalue("postgres")
        postgres.sql(storage.database, "VACUUM FULL")
        postgres.sql(storage.database, "CHECKPOINT")
        assert storage.files_holding(traces) == []
    else:  # no .old copy, no .pack; a ZEO server's .tmp buffer emptied (purgeable.py)
        beside = {n for n in os.listdir(storage.folder) if n.startswith("Data.fs")}
        assert beside <= {"Data.fs", "Data.fs.index", "Data.fs.lock", "Data.fs.tmp"}
