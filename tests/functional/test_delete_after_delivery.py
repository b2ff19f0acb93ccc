"""R17 with R35: deleting a log keeps Stafett's copy for the municipal archive until it is
delivered; then the package is in the drop folder, and after a pack nothing of the child
remains in the storage files."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import zipfile

import pytest
import webtest

from stafett import storage as stafett_storage
from stafett.models import Consent, ConsentScope
from stafett.services import archive, archive_delivery
from stafett.workflows import give_consent

from ..conftest import app_root_of, app_settings, close_app, csrf_token, login


@pytest.fixture
def drop_folder(tmp_path) -> str:
    return str(tmp_path / "drop-made-later")


@pytest.fixture
def app(storage, drop_folder):
    """The app with a drop folder that does not exist yet: nothing is delivered at first."""
    from stafett import main

    wsgi = main({}, **app_settings(storage.datafs, **storage.settings(),
                                   **{"stafett.archive.folder": drop_folder}))
    yield wsgi
    close_app(wsgi)


def _noah(root):
    return next(log for log in root["demo"].logs.values()
                if log.subject.name in ("Noah Hansen", "Noah Slettesen"))


def _close_and_delete(app) -> tuple[str, str, list[bytes]]:
    db = app.registry._zodb_databases[""]
    with app_root_of(db) as root:
        noah = _noah(root)
        # The practice municipality has a Noah Hansen of its own: a name found nowhere else.
        noah.subject.name = "Noah Slettesen"
        guardian = next(iter(noah.guardians.values()))
        guardian.name = "Nina Slettesen"
        give_consent(noah, Consent(list(noah.guardians.keys()), dt.date.today(),
                                   ConsentScope.CREATE), root.accounts["larer"])
        log_id, unit = noah.id, f"/demo/units/{noah.unit_id}/"
        traces = [b"Noah Slettesen", noah.subject.fnr.encode(), b"Nina Slettesen"]
    url = f"/demo/logs/{log_id}/"
    holder = webtest.TestApp(app)
    login(holder, "larer")
    holder.post(url + "activate", {"csrf_token": csrf_token(holder.get(url))}, status=303)
    holder.get(url + "close").forms["deform"].submit("submit", status=303)
    archive.WORKER.wait()
    archive_delivery.WORKER.wait()

    leader = webtest.TestApp(app)
    login(leader, "rektor")
    page = leader.get(unit + "console-delete", {"log": log_id})
    # The page tells that the closing copy still waits for the archive.
    assert "Arkivkopier som fortsatt venter på kommunens arkiv: <strong>1</strong>" in page.text
    leader.post(unit + "console-delete", {"log": log_id, "confirm": "yes",
                                          "csrf_token": csrf_token(page)}, status=303)
    return log_id, unit, traces


def test_before_delivery_the_copy_survives_the_deletion_and_a_pack(app, storage):
    log_id, _unit, traces = _close_and_delete(app)
    db = app.registry._zodb_databases[""]
    with app_root_of(db) as root:
        demo = root["demo"]
        assert log_id not in demo.logs and log_id in demo.tombstones
        entries = archive_delivery.undelivered(demo, log_id)
        assert sorted(e.archived.reason for e in entries) == ["before_deletion", "closed"]
        for copy in (e.archived for e in entries):
            assert copy.__parent__ is None and copy.html is None  # detached: only its PDF
            assert copy.produced and copy.delivered_at is None
    stafett_storage.pack(db)
    assert storage.files_holding(traces[:2])  # kept for the archive, name and number


def test_after_delivery_and_pack_nothing_of_the_child_remains(app, storage, drop_folder,
                                                             tmp_path):
    log_id, unit, traces = _close_and_delete(app)
    os.makedirs(drop_folder)
    leader = webtest.TestApp(app)
    login(leader, "rektor")
    page = leader.get(unit + "console-archive")
    assert log_id in page.text
    with app_root_of(app.registry._zodb_databases[""]) as root:
        keys = [e.key for e in archive_delivery.undelivered(root["demo"], log_id)]
    assert len(keys) == 2  # the closing copy and the copy before deletion
    for key in keys:
        leader.post(unit + "console-archive-retry",
                    {"entry": key, "csrf_token": csrf_token(page)}, status=303)
    names = [n for n in os.listdir(drop_folder) if n.startswith(f"stafett-archive-{log_id}-")]
    assert len(names) == 2
    for name in names:
        with zipfile.ZipFile(os.path.join(drop_folder, name)) as package:
            assert b"Noah Slettesen" in package.read("arkivmelding.xml")  # the archive has it
    with app_root_of(app.registry._zodb_databases[""]) as root:
        assert archive_delivery.undelivered(root["demo"], log_id) == []

    close_app(app)  # an embedded FileStorage is packed by stafett-pack with the app stopped
    script = os.path.join(os.path.dirname(sys.executable), "stafett-pack")
    subprocess.run([script, storage.ini(tmp_path / "pack.ini")], check=True,
                   capture_output=True)
    assert storage.files_holding(traces) == []
    blobs = [n for _d, _s, names in os.walk(storage.folder) for n in names if "blob" in n]
    assert blobs == []  # Stafett keeps no ZODB blobs; every file searched above
