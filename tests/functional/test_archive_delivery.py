"""R35: an archive copy leaves for the municipal archive as a Noark 5 package in the drop
folder; one that cannot be delivered stays in the outbox, the unit leader sees it and tries
it again once the folder is fixed; other roles do not see the list."""

from __future__ import annotations

import hashlib
import os
import zipfile

import pytest
import webtest
from lxml import etree

from stafett.services import archive, archive_delivery, noark

from ..conftest import app_root_of, app_settings, close_app, csrf_token, login
from ..pdfa import assert_pdfa

NS = {"a": noark.NS}


def _emma(root):
    return next(log for log in root["demo"].logs.values()
                if log.subject.name == "Emma Nordmann")


def _close_emma(app) -> tuple[str, str, str]:
    db = app.registry._zodb_databases[""]
    with app_root_of(db) as root:
        emma = _emma(root)
        log_id, unit_id, fnr = emma.id, emma.unit_id, emma.subject.fnr
    holder = webtest.TestApp(app)
    login(holder, "larer")
    holder.get(f"/demo/logs/{log_id}/close").forms["deform"].submit("submit", status=303)
    archive.WORKER.wait()
    archive_delivery.WORKER.wait()
    return log_id, f"/demo/units/{unit_id}/", fnr


def _packages(folder, log_id: str) -> list[str]:
    if not os.path.isdir(folder):
        return []
    return sorted(n for n in os.listdir(folder) if n.startswith(f"stafett-archive-{log_id}-"))


def _check_package(path: str, fnr: str) -> None:
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        assert names[0] == "arkivmelding.xml" and len(names) == 2
        pdf = package.read(names[1])
        melding = etree.fromstring(package.read("arkivmelding.xml"))
    assert_pdfa(pdf)
    objekt = melding.find("a:mappe/a:registrering/a:dokumentbeskrivelse/a:dokumentobjekt", NS)
    assert objekt.findtext("a:referanseDokumentfil", namespaces=NS) == names[1]
    assert objekt.findtext("a:sjekksum", namespaces=NS) == hashlib.sha256(pdf).hexdigest()
    assert melding.findtext("a:mappe/a:part/a:partNavn", namespaces=NS) == "Emma Nordmann"
    assert melding.findtext("a:mappe/a:part/a:foedselsnummer", namespaces=NS) == fnr


def test_closing_a_log_drops_its_package_into_the_folder(app):
    folder = app.registry.archive_transport.folder
    log_id, _unit, fnr = _close_emma(app)
    [name] = _packages(folder, log_id)
    _check_package(os.path.join(folder, name), fnr)
    assert not [n for n in os.listdir(folder) if n.startswith(".")]  # no half file left
    with app_root_of(app.registry._zodb_databases[""]) as root:
        [copy] = root["demo"].logs[log_id].archives.values()
        assert copy.delivered_at is not None
        assert archive_delivery.undelivered(root["demo"], log_id) == []


@pytest.fixture
def later_folder(storage, tmp_path) -> str:
    return str(tmp_path / "not-yet-made")


@pytest.fixture
def app_without_folder(storage, later_folder):
    from stafett import main

    wsgi = main({}, **app_settings(storage.datafs, **storage.settings(),
                                   **{"stafett.archive.folder": later_folder}))
    yield wsgi
    close_app(wsgi)


def test_an_undelivered_copy_waits_the_leader_sees_it_and_tries_again(app_without_folder,
                                                                      later_folder):
    app = app_without_folder
    log_id, unit, fnr = _close_emma(app)
    assert _packages(later_folder, log_id) == []
    with app_root_of(app.registry._zodb_databases[""]) as root:
        [entry] = archive_delivery.undelivered(root["demo"], log_id)
        assert (entry.attempts, entry.error) == (1, "archive_folder_missing")
        assert entry.next_try > entry.last_try

    leader = webtest.TestApp(app)
    login(leader, "rektor")
    page = leader.get(unit + "console-archive")
    assert log_id in page.text and "Mappen arkivet henter fra, finnes ikke." in page.text
    assert "Loggen ble avsluttet" in page.text  # why the copy was made, in words
    assert "Emma" not in page.text and fnr not in page.text  # the log's id stands for the child
    assert "Til arkivet" in leader.get(unit + "console").text  # the tab

    # Still missing: the attempt is counted, nothing is delivered.
    leader.post(unit + "console-archive-retry", {"entry": entry.key,
                                                 "csrf_token": csrf_token(page)}, status=303)
    with app_root_of(app.registry._zodb_databases[""]) as root:
        [entry] = archive_delivery.undelivered(root["demo"], log_id)
        assert entry.attempts == 2
    # Without the CSRF token: refused.
    leader.post(unit + "console-archive-retry", {"entry": entry.key}, status=400)

    os.makedirs(later_folder)
    page = leader.get(unit + "console-archive")
    leader.post(unit + "console-archive-retry", {"entry": entry.key,
                                                 "csrf_token": csrf_token(page)}, status=303)
    [name] = _packages(later_folder, log_id)
    _check_package(os.path.join(later_folder, name), fnr)
    assert log_id not in leader.get(unit + "console-archive").text

    superuser = webtest.TestApp(app)
    login(superuser, "superbruker")
    assert superuser.get("/demo/archive-outbox").status_int == 200


@pytest.mark.parametrize("username", ["larer", "forelder", "assistent", "helsesykepleier",
                                      "sara", "superbruker"])
def test_other_roles_do_not_see_the_units_outbox(app, read_root, username):
    from stafett.models.archive_outbox import ArchiveOutbox, OutboxEntry
    from stafett.models.files import StoredFile
    from stafett.models.log import ArchivedPdf

    with read_root() as root:  # a real entry waiting (added as enqueue would, no worker)
        m, emma = root["demo"], _emma(root)
        unit = f"/demo/units/{emma.unit_id}/"
        archived = ArchivedPdf("closed", blob=StoredFile(b"%PDF-1.7", "x.pdf"),
                               log_id=emma.id, unit_id=emma.unit_id)
        archived.__parent__ = m
        key = ArchiveOutbox.new_key()
        m.archive_outbox.add(OutboxEntry(key, archived, municipality_name=m.name,
                                         unit_name="", part_name="", part_fnr=""))
    other = webtest.TestApp(app)
    login(other, username)
    assert other.get(unit + "console-archive", expect_errors=True).status_int in (403, 404)
    page = other.get("/")
    assert other.post(unit + "console-archive-retry",
                      {"entry": key, "csrf_token": csrf_token(page)} if "csrf_token" in
                      page.text else {"entry": key},
                      expect_errors=True).status_int in (400, 403)
    with read_root() as root:
        assert root["demo"].archive_outbox.get(key).attempts == 0  # not tried


def test_the_municipalitys_list_is_the_superusers_only(app):
    leader = webtest.TestApp(app)
    login(leader, "rektor")
    assert leader.get("/demo/archive-outbox", expect_errors=True).status_int in (403, 404)
    anonymous = webtest.TestApp(app)
    assert anonymous.get("/demo/archive-outbox", expect_errors=True).status_int in (
        302, 303, 403, 404)


def test_the_nightly_step_delivers_what_is_due_after_its_wait(app_without_folder, later_folder):
    import datetime as dt

    from stafett.models.base import today, utcnow
    from stafett.workflows.nightly import Context, plan

    app = app_without_folder
    db = app.registry._zodb_databases[""]
    log_id, _unit, fnr = _close_emma(app)
    os.makedirs(later_folder)
    with app_root_of(db) as root:
        [step] = [s for s in plan(root) if s.name == "archive-delivery"]
        names = [s.name for s in plan(root)]
    assert names.index("archive-delivery") == names.index("pack") - 1
    ctx = Context(db, app.registry.settings, app.registry.access_journal, today())
    step.work(ctx, None)
    assert _packages(later_folder, log_id) == []  # not due: five minutes after the failure
    with app_root_of(db) as root:
        [entry] = archive_delivery.undelivered(root["demo"], log_id)
        entry.next_try = utcnow() - dt.timedelta(seconds=1)
    assert step.work(ctx, None).startswith("delivered=")
    [name] = _packages(later_folder, log_id)
    _check_package(os.path.join(later_folder, name), fnr)
    with app_root_of(db) as root:
        assert archive_delivery.undelivered(root["demo"], log_id) == []
