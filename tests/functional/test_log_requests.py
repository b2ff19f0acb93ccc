"""R41: a family asks for a log. A guardian (or a youth from 16) logs in with ID-porten
from the municipality's public page, asks a named unit; the unit's leader sees the request
in the console and names a holder, which opens a draft with the family in it, or declines;
the family is told what happens next, on the front page and by mail.

The provider is the real OpenID provider on loopback (tests/oidc.py), as in
test_idporten.py; everyone logs in through it, the leader too."""

from __future__ import annotations

import email
import os

import pytest
import webtest

from stafett import main
from stafett.audit import INSTALLATION
from stafett.models.indexes import person_key
from stafett.scripts.demo import make_fnr, years_ago

from ..conftest import app_settings, close_app, csrf_token
from ..oidc import OidcProvider
from .test_idporten import CLIENT, Person, demo_fnr, employee_fnr, idporten_settings

ASK = "/demo/ask-for-log"
ASK_LOGIN = "/idporten-login?ask=demo"
PARENT = make_fnr(years_ago(38), 201)
CHILD = make_fnr(years_ago(9), 202)


@pytest.fixture(scope="module")
def provider():
    with OidcProvider([CLIENT]) as running:
        yield running


@pytest.fixture
def app(datafs, provider):
    wsgi = main({}, **app_settings(datafs, **idporten_settings(provider)))
    yield wsgi
    close_app(wsgi)


def unit_id(app, name: str) -> str:
    return demo_fnr(app, lambda m, root: next(u.id for u in m.units.values() if u.name == name))


def employee_id(username: str):
    return lambda m, root: root.accounts[username].employee_id


def family_asks(app, pid: str = PARENT, **values) -> tuple[Person, webtest.TestResponse]:
    """A person logs in from the ask page and sends the form; returns the answer to it."""
    person = Person(app)
    form_page = person.log_in(pid, start=ASK_LOGIN).follow()
    form = form_page.forms["ask"]
    fields = {"unit": unit_id(app, "Solbakken skole"), "asked_for": "child",
              "subject_name": "Mia Moe", "subject_fnr": CHILD, "asker_name": "Mona Moe",
              "email": "mona@example.org", "phone": "", "message": "Mia gruer seg til skolen."}
    fields.update(values)
    for name, value in fields.items():
        form[name] = value
    return person, form.submit("send")


def leader(app, username: str = "rektor") -> Person:
    person = Person(app)
    person.log_in(demo_fnr(app, employee_fnr(username)))
    return person


def the_request(read_root, pid: str = PARENT):
    """(state, log id, subject name, subject number) of the person's one request."""
    with read_root() as root:
        username = root.accounts_by_fnr[person_key(pid)]
        asks = list(root["demo"].log_requests_of(username))
        assert len(asks) == 1
        ask = asks[0]
        return ask.state, ask.log_id, ask.subject_name, ask.subject_fnr


def console_forms(page, action: str):
    return [f for f in page.forms.values() if f.action.endswith("/" + action)]


def mails(datafs, folder: str) -> list[email.message.Message]:
    path = os.path.join(os.path.dirname(datafs), "mail", folder)
    return [email.message_from_string(open(os.path.join(path, n)).read())
            for n in sorted(os.listdir(path))] if os.path.isdir(path) else []


def test_r41_the_public_page_tells_what_a_log_is_and_names_units_not_people(app):
    page = webtest.TestApp(app).get(ASK)
    assert "Hva en stafettlogg er" in page.text
    units = page.html.find(id="askable-units").text
    assert "Solbakken skole" in units and "Lillevik barnehage" in units
    assert "Helsestasjonen" in units and "PPT" not in units
    assert "Randi Rektor" not in page.text and "Lars Lærer" not in page.text
    assert page.html.find(id="ask-login")["href"].endswith(ASK_LOGIN)
    assert "deform" not in page.forms  # the form comes after the login
    login = webtest.TestApp(app).get("/login")
    assert login.html.find(id="ask-pages").find("a")["href"].endswith(ASK)


def test_r41_a_guardians_request_becomes_a_draft_with_the_family(app, read_root, datafs,
                                                                 access):
    family, sent = family_asks(app)
    assert sent.status_int == 303
    page = sent.follow()
    assert "Sendt til Solbakken skole. Lederen der velger" in page.text

    rektor = leader(app)
    assert "Familier som ber om en logg: 1" in rektor.stafett.get("/").text
    school = unit_id(app, "Solbakken skole")
    assert "Familier som ber om en logg: 1" in rektor.stafett.get(
        f"/demo/units/{school}/console").text
    queue = rektor.stafett.get(f"/demo/units/{school}/console-requests")
    assert "Mia Moe" in queue.text and "Mona Moe" in queue.text
    reads = [e for _k, e in access.of_kind("read") if e.get("object_kind") == "logrequest"]
    assert reads and reads[-1]["basis"] == ("leader",) and reads[-1]["log"] is None

    assign = console_forms(queue, "assign")[0]
    assign["holder"] = demo_fnr(app, employee_id("larer"))
    done = assign.submit().follow()
    assert "Loggen er åpnet som utkast" in done.text and "Mia Moe" not in done.text

    state, log_id, name, number = the_request(read_root)
    assert (state, name, number) == ("assigned", "", None)  # the log holds them now
    with read_root() as root:
        log = root["demo"].logs[log_id]
        assert log.state == "draft" and log.subject.fnr == CHILD
        assert log.subject.name == "Mia Moe" and log.subject.kind == "child"
        assert log.holder_id == root.accounts["larer"].employee_id
        assert [(g.name, g.fnr, g.email) for g in log.guardians.values()] == [
            ("Mona Moe", PARENT, "mona@example.org")]

    front = family.stafett.get("/")
    assert ("Lars Lærer har fått loggen og tar kontakt med deg for å avtale samtykke og et "
            "første møte.") in front.text
    sent_mail = mails(datafs, log_id)
    assert len(sent_mail) == 1 and sent_mail[0]["To"] == "mona@example.org"
    assert "Mia" not in sent_mail[0]["Subject"] + sent_mail[0].get_payload()
    holder = Person(app)
    holder_front = holder.log_in(demo_fnr(app, employee_fnr("larer"))).follow()
    assert "Mia Moe" in holder_front.text  # the holder's draft


def test_r41_a_youth_of_16_asks_for_herself(app, read_root):
    youth = make_fnr(years_ago(16), 203)
    _person, sent = family_asks(app, youth, asked_for="self", subject_name="",
                                subject_fnr="", asker_name="Ida Ung", email="",
                                phone="+47 400 00 001", message="")
    assert sent.status_int == 303
    rektor = leader(app)
    school = unit_id(app, "Solbakken skole")
    assign = console_forms(rektor.stafett.get(f"/demo/units/{school}/console-requests"),
                           "assign")[0]
    assign["holder"] = demo_fnr(app, employee_id("kontaktlarer"))
    assign.submit()
    _state, log_id, _name, _number = the_request(read_root, youth)
    with read_root() as root:
        log = root["demo"].logs[log_id]
        assert (log.subject.fnr, log.subject.name, log.subject.kind) == (youth, "Ida Ung",
                                                                         "youth")
        assert len(log.guardians) == 0


def test_r41_under_16_may_not_ask_for_themselves(app, read_root):
    fifteen = make_fnr(years_ago(15), 204)
    page = Person(app).log_in(fifteen, start=ASK_LOGIN)
    assert page.status_int == 403
    assert "Fra du er 16 år kan du be om en stafettlogg for deg selv" in page.text
    with read_root() as root:
        assert person_key(fifteen) not in root.accounts_by_fnr  # no account made
    failed = app.registry.access_journal.for_municipality(INSTALLATION).of_kind("login_failed")
    assert failed[-1][1]["reason"] == "too_young"


def test_r41_a_youth_of_16_may_not_ask_for_a_child(app):
    youth = make_fnr(years_ago(16), 205)
    _person, page = family_asks(app, youth)
    assert page.status_int == 200
    assert "må du være 18 år eller eldre" in page.text
    assert page.forms["ask"]["subject_name"].value == "Mia Moe"  # the text is kept


def test_r41_a_declined_request_forgets_the_child_and_tells_the_family(app, read_root,
                                                                      datafs):
    family, _sent = family_asks(app)
    rektor = leader(app)
    school = unit_id(app, "Solbakken skole")
    decline = console_forms(rektor.stafett.get(f"/demo/units/{school}/console-requests"),
                            "decline")[0]
    decline["reason"] = "Helsestasjonen kan hjelpe dere bedre. Ring dem på 12 34 56 78."
    decline.submit()
    state, log_id, name, number = the_request(read_root)
    assert (state, log_id, name, number) == ("declined", None, "", None)
    with read_root() as root:
        ask = next(root["demo"].log_requests_of(root.accounts_by_fnr[person_key(PARENT)]))
        assert (ask.message, ask.email, ask.asker_fnr) == ("", "", None)
    front = family.stafett.get("/")
    assert "Avslått: Helsestasjonen kan hjelpe dere bedre." in front.text
    assert len(mails(datafs, "requests")) == 1
    assert "Familier som ber om en logg: " not in rektor.stafett.get("/").text


def test_r41_the_asker_withdraws_and_a_later_answer_is_refused(app, read_root):
    family, sent = family_asks(app)
    page = sent.follow()
    page.forms[next(k for k, f in page.forms.items() if f.action.endswith("/withdraw"))] \
        .submit().follow()
    assert the_request(read_root)[0] == "withdrawn"
    rektor = leader(app)
    school = unit_id(app, "Solbakken skole")
    queue = rektor.stafett.get(f"/demo/units/{school}/console-requests")
    assert "Mia Moe" not in queue.text
    with read_root() as root:
        username = root.accounts_by_fnr[person_key(PARENT)]
        ask = next(root["demo"].log_requests_of(username))
        url = f"/demo/units/{school}/requests/{ask.id}/"
    answer = rektor.stafett.post(url + "assign", {
        "csrf_token": csrf_token(queue), "holder": demo_fnr(app, employee_id("larer"))})
    assert ("det går ikke å velge stafettholder for en forespørsel om logg som er "
            "trukket tilbake") in answer.follow().text
    assert the_request(read_root)[0] == "withdrawn"


def test_r41_a_family_who_asked_logs_in_again_and_sees_the_request(app):
    family_asks(app)
    again = Person(app).log_in(PARENT).follow()
    assert "Forespørslene dine om stafettlogg" in again.text
    assert "Sendt til Solbakken skole" in again.text


def test_r41_strangers_reach_neither_the_request_nor_the_console(app, read_root):
    family, sent = family_asks(app)
    request_url = sent.location.replace("http://localhost", "")
    school = unit_id(app, "Solbakken skole")
    console = f"/demo/units/{school}/console-requests"
    other_family, _ = family_asks(app, make_fnr(years_ago(40), 206),
                                  subject_fnr=make_fnr(years_ago(8), 207))
    styrer = leader(app, "styrer")  # the leader of another unit
    teacher = leader(app, "larer")  # an employee of the unit, not its leader
    for stranger in (other_family, styrer, teacher):
        assert stranger.stafett.get(request_url, expect_errors=True).status_int in (403, 404)
        assert stranger.stafett.get(console, expect_errors=True).status_int in (403, 404)
        token = csrf_token(stranger.stafett.get("/"))
        for action in ("assign", "decline", "withdraw"):
            assert stranger.stafett.post(request_url + action, {"csrf_token": token},
                                         expect_errors=True).status_int in (403, 404)
    anonymous = webtest.TestApp(app)
    assert anonymous.get(request_url, status=303).location.endswith("/login")
    assert anonymous.get(console, status=303).location.endswith("/login")
    token = csrf_token(family.stafett.get("/"))
    for action in ("assign", "decline"):  # the asker does not answer their own request
        assert family.stafett.post(request_url + action, {"csrf_token": token},
                                   expect_errors=True).status_int == 403
    assert the_request(read_root)[0] == "requested"


def test_r41_posts_without_the_csrf_token_are_refused(app, read_root):
    family, sent = family_asks(app)
    request_url = sent.location.replace("http://localhost", "")
    family.stafett.post(request_url + "withdraw", {}, status=400)
    family.stafett.post(ASK, {"unit": unit_id(app, "Solbakken skole"), "send": "send"},
                        status=400)
    rektor = leader(app)
    rektor.stafett.post(request_url + "decline", {"reason": "Nei."}, status=400)
    assert the_request(read_root)[0] == "requested"


@pytest.mark.parametrize("values, problem", [
    ({"subject_fnr": "12345678901"}, "kontrollsifrene"),
    ({"subject_fnr": "abc"}, "11 siffer"),
    ({"subject_name": ""}, "Skriv barnets navn."),
    ({"email": "", "phone": ""}, "Skriv en e-postadresse eller et telefonnummer"),
    ({"email": "ikke-en-adresse"}, "e-post"),
    ({"subject_fnr": PARENT}, "ditt eget fødselsnummer"),
    ({"asker_name": "Mona\x00Moe"}, "kontrolltegn"),
])
def test_r41_bad_input_is_named_and_the_text_kept(app, values, problem):
    _person, page = family_asks(app, **values)
    assert page.status_int == 200
    assert problem.lower() in page.text.lower()
    assert "Mia gruer seg til skolen." in page.text


def test_r41_malformed_posts_are_refused_never_a_server_error(app, read_root):
    family, sent = family_asks(app)
    request_url = sent.location.replace("http://localhost", "")
    token = csrf_token(family.stafett.get(ASK))
    for fields in ({"unit": "no-such-unit"}, {"asked_for": "neighbour"},
                   {"unit": ["a", "b"]}, {}):
        status = family.stafett.post(ASK, dict(fields, csrf_token=token, send="send"),
                                     expect_errors=True).status_int
        assert status in (200, 400), fields
    rektor = leader(app)
    token = csrf_token(rektor.stafett.get("/"))
    for fields in ({"holder": "nobody"}, {"holder": ""}, {}):
        answer = rektor.stafett.post(request_url + "assign", dict(fields, csrf_token=token))
        assert answer.status_int == 303
        assert "Velg en stafettholder" in answer.follow().text
    for reason in ("", "\x07", "x" * 600):
        assert rektor.stafett.post(request_url + "decline",
                                   {"reason": reason, "csrf_token": token}).status_int == 303
    assert the_request(read_root)[0] == "requested"


def test_r41_gets_write_nothing_to_the_object_database(app, datafs):
    family, sent = family_asks(app)
    rektor = leader(app)
    school = unit_id(app, "Solbakken skole")
    db = app.registry._zodb_databases[""]
    before = (db.storage.lastTransaction(), os.path.getsize(datafs))
    for client, url in ((webtest.TestApp(app), ASK), (family.stafett, ASK),
                        (family.stafett, sent.location), (family.stafett, "/"),
                        (rektor.stafett, f"/demo/units/{school}/console-requests"),
                        (rektor.stafett, f"/demo/units/{school}/console"),
                        (rektor.stafett, sent.location), (rektor.stafett, "/")):
        assert client.get(url).status_int == 200, url
    assert (db.storage.lastTransaction(), os.path.getsize(datafs)) == before
