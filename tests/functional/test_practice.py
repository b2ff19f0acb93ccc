"""R43: the practice municipality (kursløsning): fictive families behind a clear banner,
closed off from the real municipality both ways, silent (no mail), and reset by its leaders
to the starting point with nothing left of what was written there."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from stafett.models import Consent, ConsentScope
from stafett.models.log import SubjectKind
from stafett.scripts.demo import make_fnr, years_ago
from stafett.scripts.pack import pack
from stafett.workflows import give_consent
from stafett.workflows.content import open_draft

from ..conftest import csrf_token, login

PRACTICE = "/demo-kurs/"
BANNER = "Øvingsløsning – ikke bruk ekte opplysninger"
PRACTICE_CHILD = "Vetle Øvingsen"


def step_in(testapp, real: str, fictive: str):
    """A real employee logs in and steps into the practice municipality as ``fictive``."""
    login(testapp, real)
    page = testapp.get(PRACTICE + "practice")
    return testapp.post(PRACTICE + "practice", {"as": f"demo-kurs.{fictive}",
                                                "csrf_token": csrf_token(page)}, status=303)


def _log_of(municipality, name):
    return next(log for log in municipality.logs.values() if log.subject.name == name)


def _url(log) -> str:
    return f"/{log.municipality.id}/logs/{log.id}/"


@pytest.fixture
def practice_draft(read_root) -> str:
    """A log a practising holder wrote, with a child's name of its own."""
    with read_root() as root:
        practice = root["demo-kurs"]
        account = root.accounts["demo-kurs.larer"]
        holder = practice.employee(account.employee_id)
        log = open_draft(practice, holder, {
            "subject_name": PRACTICE_CHILD, "fnr": make_fnr(years_ago(8), 300),
            "kind": SubjectKind.CHILD, "level": 1, "guardians_live_together": True,
            "guardians": [{"guardian_id": "", "name": "Vera Øvingsen", "email": "",
                           "phone": "", "lives_with_child": True, "username": None,
                           "guardian_fnr": None}]}, account)
        return _url(log)


def test_r43_staff_step_in_from_the_front_page_and_every_page_there_has_the_banner(testapp):
    login(testapp, "larer")
    home = testapp.get("/")
    assert 'href="http://localhost/demo-kurs/practice"' in home.text and BANNER not in home.text
    assert BANNER in testapp.get(PRACTICE + "practice")
    step_in(testapp, "larer", "larer")
    home = testapp.get("/")
    assert BANNER in home.text and "Lars Lærer" in home.text
    emma = home.html.find("a", string="Emma Nordmann")["href"]
    assert "/demo-kurs/logs/" in emma
    assert BANNER in testapp.get(emma)
    assert BANNER in testapp.get(emma + "add-concern")
    testapp.post("/language", {"locale": "en", "csrf_token": csrf_token(home)}, status=303)
    assert "Practice municipality – do not use real information" in testapp.get(emma)


def test_r43_the_practice_and_the_real_municipality_see_nothing_of_each_other(testapp,
                                                                              read_root):
    with read_root() as root:
        real = _url(_log_of(root["demo"], "Emma Nordmann"))
        fictive = _url(_log_of(root["demo-kurs"], "Emma Nordmann"))
    login(testapp, "larer")
    testapp.get(real, status=200)
    testapp.get(fictive, status=403)
    step_in(testapp, "larer", "larer")
    testapp.get(fictive, status=200)
    testapp.get(real, status=403)
    asking = testapp.get("/demo/ask-for-log")  # a public page; asking from here is refused
    testapp.post("/demo/ask-for-log", {"csrf_token": csrf_token(asking)}, status=403)
    login(testapp, "forelder")  # a real guardian: not staff, no way in
    testapp.get(PRACTICE + "practice", status=403)
    testapp.get(fictive, status=403)


def test_r43_no_mail_leaves_the_practice_municipality_and_the_copy_is_kept(testapp, read_root,
                                                                           datafs):
    with read_root() as root:
        noah = _log_of(root["demo-kurs"], "Noah Hansen")
        give_consent(noah, Consent(list(noah.guardians.keys()), dt.date.today(),
                                   ConsentScope.CREATE), root.accounts["demo-kurs.larer"])
        url = _url(noah)
    step_in(testapp, "larer", "larer")
    testapp.post(url + "activate", {"csrf_token": csrf_token(testapp.get(url))}, status=303)
    with read_root() as root:
        noah = _log_of(root["demo-kurs"], "Noah Hansen")
        assert noah.state == "active"
        assert [m.kind for m in noah.outbox.values()] == ["log_activated"]
    mail = os.path.join(os.path.dirname(datafs), "mail")
    assert not os.path.exists(mail) or not any(files for _d, _s, files in os.walk(mail))


def test_r43_a_leader_resets_the_practice_municipality_and_nothing_is_left(
        testapp, read_root, practice_draft, app, datafs):
    step_in(testapp, "larer", "larer")
    assert PRACTICE_CHILD in testapp.get("/").text
    step_in(testapp, "rektor", "rektor")
    confirm = testapp.get(PRACTICE + "reset-practice")
    assert "Tilbakestill kursløsningen" in confirm.text
    done = testapp.post(PRACTICE + "reset-practice", {"csrf_token": csrf_token(confirm)},
                        status=303)
    assert done.location.endswith(PRACTICE + "practice")
    assert "tilbake ved utgangspunktet" in testapp.get(done.location).text  # still logged in
    testapp.get(practice_draft, status=404)
    with read_root() as root:
        practice = root["demo-kurs"]
        assert PRACTICE_CHILD not in {log.subject.name for log in practice.logs.values()}
        assert {"Emma Nordmann", "Noah Hansen", "Sara Lund"} <= {
            log.subject.name for log in practice.logs.values()}
        assert [e["kind"] for _k, e in practice.journal.of_kind("practice_reset")] == [
            "practice_reset"]
        assert not any(a.display_name == "Vera Øvingsen" for a in root.accounts.values())
    pack(app.registry._zodb_databases[""])
    folder = os.path.dirname(datafs)
    traces = [PRACTICE_CHILD.encode(), "Vera Øvingsen".encode()]
    holding = [name for dirpath, _dirs, names in os.walk(folder) for name in names
               if any(t in open(os.path.join(dirpath, name), "rb").read() for t in traces)]
    assert holding == []


@pytest.mark.parametrize("fictive", ["forelder", "assistent", "larer"])
def test_r43_guardians_actors_and_holders_cannot_reset(testapp, fictive):
    step_in(testapp, "larer", fictive)
    testapp.get(PRACTICE + "reset-practice", status=403)
    testapp.post(PRACTICE + "reset-practice", {"csrf_token": csrf_token(testapp.get("/"))},
                 status=403)


def test_r43_real_staff_cannot_reset_without_stepping_in_nor_step_in_as_a_real_person(
        testapp):
    login(testapp, "rektor")  # a real leader: a trainee there, not its leader
    testapp.get(PRACTICE + "reset-practice", status=403)
    page = testapp.get(PRACTICE + "practice")
    testapp.post(PRACTICE + "practice", {"as": "rektor", "csrf_token": csrf_token(page)},
                 status=400)
    testapp.get("/demo/audit", status=403)  # still only the leader they were


def test_r43_reset_and_stepping_in_need_the_form_token(testapp, read_root):
    step_in(testapp, "rektor", "rektor")
    testapp.post(PRACTICE + "reset-practice", {}, status=400)
    testapp.post(PRACTICE + "practice", {"as": "demo-kurs.larer"}, status=400)
    with read_root() as root:
        assert list(root["demo-kurs"].journal.of_kind("practice_reset")) == []


def test_r43_the_superuser_opens_the_practice_municipality_and_no_family_is_sent_there(
        testapp):
    assert "Kurskommune" not in testapp.get("/login").text  # families ask real ones only
    login(testapp, "superbruker")
    admin = testapp.get("/demo/admin")
    assert 'href="http://localhost/demo-kurs/practice"' in admin.text
    opened = testapp.post("/demo/admin-practice", {"csrf_token": csrf_token(admin)},
                          status=303)
    assert opened.location.endswith(PRACTICE + "practice")  # the one there is, not a new one
    login(testapp, "larer")
    testapp.post("/demo/admin-practice", {"csrf_token": csrf_token(testapp.get("/"))},
                 status=403)
