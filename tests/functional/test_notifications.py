"""R37: notifications reach people as each chose, over a real SMTP peer and a real HTTP SMS
gateway on loopback; one message per guardian (R44), no child's name in any of them, and
what could not be sent shows on the holder's log page."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import webtest
from aiosmtpd.controller import Controller
from icalendar import Calendar

from stafett import main
from stafett.models.base import OSLO

from ..conftest import app_settings, close_app, csrf_token, login
from ..ports import free_port
from .test_mail import Inbox

TODAY = dt.date.today()
CHILD = ("Emma", "Nordmann")


class RefusingInbox(Inbox):
    """An SMTP peer that refuses the addresses in ``refused`` (550, no such user)."""

    def __init__(self):
        super().__init__()
        self.refused = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class SmsPeer:
    """A gateway that records each JSON POST and answers ``status``."""

    def __init__(self):
        self.received, self.status = [], 200
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                peer.received.append((json.loads(body), self.headers.get("Authorization")))
                self.send_response(peer.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def peers(datafs):
    inbox, port = RefusingInbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    sms = SmsPeer()
    app = main({}, **app_settings(datafs, **{
        "stafett.mail_delivery": "smtp", "mail.host": "127.0.0.1", "mail.port": str(port),
        "stafett.sms.url": sms.url, "stafett.sms.token": "secret-token",
        "stafett.sms.sender": "Stafett"}))
    try:
        yield app, inbox, sms
    finally:
        close_app(app)
        sms.stop()
        controller.stop()


def _content_form(page):
    return next(form for key, form in page.forms.items()
                if isinstance(key, str) and "__formid__" in form.fields)


def _emma(app):
    conn = app.registry._zodb_databases[""].open()
    try:
        root = conn.root()["stafett"]
        log = next(log for log in root["demo"].logs.values()
                   if log.subject.name == "Emma Nordmann")
        concern = next(c for c in log.concerns.values() if c.text.startswith("Emma strever"))
        return f"/demo/logs/{log.id}/", f"/demo/logs/{log.id}/concerns/{concern.id}/"
    finally:
        conn.close()


def _change_in_db(app, change):
    conn = app.registry._zodb_databases[""].open()
    try:
        change(conn.root()["stafett"])
        conn.transaction_manager.commit()
    finally:
        conn.close()


def _client(app, username):
    client = webtest.TestApp(app)
    login(client, username)
    return client


def _choose(app, username, **choices):
    client = _client(app, username)
    form = _content_form(client.get("/notifications"))
    for kind, channel in choices.items():
        form[kind] = channel
    form.submit("save", status=303)


def _wait(condition, seconds=5.0):
    deadline = time.time() + seconds
    while not condition() and time.time() < deadline:
        time.sleep(0.05)


def _mails(inbox, since=0):
    return [(rcpt[0], message) for rcpt, message in inbox.messages[since:]]


def _assert_no_child(*texts):
    for text in texts:
        assert not any(name in text for name in CHILD), text


def test_r37_glimpse_measure_and_meeting_reach_each_guardian_as_they_chose(peers):
    app, inbox, sms = peers
    log_url, concern_url = _emma(app)
    _choose(app, "forelder2", glimpse="none", measure="sms", meeting="email")
    holder = _client(app, "larer")

    # A glimpse: Ola (defaults: e-mail, and SMS as the municipality sends SMS and his
    # number is known) gets both; Kari chose nothing.
    form = _content_form(holder.get(log_url + "add-glimpse"))
    form["text"] = "Emma hjalp en venn i dag."
    form.submit("save", status=303)
    _wait(lambda: len(inbox.messages) >= 1 and len(sms.received) >= 1)
    (to, glimpse_mail), = _mails(inbox)
    assert to == "forelder@example.org" and glimpse_mail["To"] == to
    assert glimpse_mail["Subject"] == "Et nytt lysglimt i en stafettlogg"
    (glimpse_sms, auth), = sms.received
    assert glimpse_sms["to"] == "+4790000000" and glimpse_sms["from"] == "Stafett"
    assert auth == "Bearer secret-token"
    assert glimpse_sms["text"].startswith("Stafett: Et nytt lysglimt")
    assert "http://localhost/" in glimpse_sms["text"]

    # A measure: Ola by e-mail and SMS, Kari by SMS only.
    form = _content_form(holder.get(concern_url + "add-measure"))
    form["text"] = "Emma får lese høyt for en voksen hver dag."
    form["arena"], form["party"] = "home", "home"
    form["actor"].force_value("")
    form.set("start", TODAY.isoformat())
    form.set("deadline", (TODAY + dt.timedelta(weeks=4)).isoformat())
    form.submit("save", status=303)
    _wait(lambda: len(inbox.messages) >= 2 and len(sms.received) >= 3)
    assert [to for to, _m in _mails(inbox, 1)] == ["forelder@example.org"]
    assert len(sms.received) == 3  # one each: Ola's and Kari's share the demo number

    # A meeting: each guardian gets an invitation of their own with a calendar entry.
    meeting_day = TODAY + dt.timedelta(days=10)
    form = _content_form(holder.get(log_url + "add-meeting"))
    form["date"] = meeting_day.isoformat()
    form["start_time"] = "14:30"
    form["place"] = "Møterom 2, Solbakken skole"
    form["agenda"] = "Emma sin lesing"
    form.submit(status=303)
    _wait(lambda: len(inbox.messages) >= 4)
    invitations = _mails(inbox, 2)
    assert sorted(to for to, _m in invitations) == ["forelder2@example.org",
                                                     "forelder@example.org"]
    for to, message in invitations:
        assert message["To"] == to  # R44: nobody sees the other's address
        assert message["Subject"] == "Invitasjon til et møte"
        ics = next(part for part in message.iter_attachments()
                   if part.get_content_type() == "text/calendar")
        event = Calendar.from_ical(ics.get_content()).walk("VEVENT")[0]
        start = event.decoded("dtstart")  # 14:30 on the Oslo clock, an hour long
        assert (start.date(), start.hour, start.minute) == (meeting_day, 14, 30)
        assert start.utcoffset() == start.replace(tzinfo=OSLO).utcoffset()
        assert event.decoded("dtend") - start == dt.timedelta(hours=1)
        assert str(event["location"]) == "Møterom 2, Solbakken skole"
        assert str(event["summary"]) == "Samarbeidsmøte (Stafett)"
        _assert_no_child(ics.get_content())

    for _to, message in _mails(inbox):
        _assert_no_child(message["Subject"], message.get_body(("plain",)).get_content())
    _assert_no_child(*(received["text"] for received, _auth in sms.received))


def test_r37_what_cannot_be_sent_is_shown_to_the_holder(peers):
    app, inbox, sms = peers
    log_url, _concern = _emma(app)

    def no_email_for_ola(root):
        log = next(log for log in root["demo"].logs.values()
                   if log.subject.name == "Emma Nordmann")
        next(g for g in log.guardians.values() if g.username == "forelder").email = ""
    _change_in_db(app, no_email_for_ola)
    sms.status = 500
    inbox.refused.add("forelder2@example.org")
    holder = _client(app, "larer")
    form = _content_form(holder.get(log_url + "add-glimpse"))
    form["text"] = "Emma smilte hele dagen."
    form.submit("save", status=303)
    _wait(lambda: len(sms.received) >= 2)
    assert inbox.messages == []

    page = holder.get(log_url + "full")
    failures = page.html.find(id="failed-notices").get_text(" ", strip=True)
    assert ("Varselet til Ola Nordmann om nytt lysglimt kunne ikke sendes: "
            "ingen e-postadresse.") in failures
    assert "SMS-tjenesten avviste det" in failures
    assert ("Varselet til Kari Nordmann om nytt lysglimt kunne ikke sendes: "
            "e-posttjeneren tok ikke imot det.") in failures

    guardian = _client(app, "forelder2")  # the family does not see the holder's list
    assert "failed-notices" not in guardian.get(log_url + "full").text


def test_r37_nobody_is_told_of_their_own_glimpse(peers):
    app, inbox, sms = peers
    log_url, _concern = _emma(app)
    guardian = _client(app, "forelder")
    form = _content_form(guardian.get(log_url + "add-glimpse"))
    form["text"] = "Vi var på tur i skogen."
    form.submit("save", status=303)
    _wait(lambda: len(inbox.messages) >= 1)
    time.sleep(0.2)
    assert [to for to, _m in _mails(inbox)] == ["forelder2@example.org"]
    assert [r["to"] for r, _a in sms.received] == ["+4790000000"]  # Kari's, not Ola's


def test_r17_what_could_not_be_sent_goes_with_the_log(app, read_root):
    """A draft's invitation found no address; the holder discards the draft: the record
    goes with it."""
    with read_root() as root:
        noah = next(log for log in root["demo"].logs.values()
                    if log.subject.name == "Noah Hansen")
        log_id, guardian_id = noah.id, next(iter(noah.guardians.keys()))
    failures = app.registry.notice_failures
    failures.record(log_id, "guardian_invited", f"guardian:{guardian_id}", "email", "no_email")
    holder = _client(app, "larer")
    page = holder.get(f"/demo/logs/{log_id}/")
    assert "Varselet til Nina Hansen om en invitasjon kunne ikke sendes" in page.text
    holder.post(f"/demo/logs/{log_id}/discard", {"csrf_token": csrf_token(page)}, status=303)
    assert failures.of_log(log_id) == []


# -- the settings page ("Varsler") ---------------------------------------------------------------
def test_a_person_sets_their_own_choices_and_sees_them_kept(testapp, read_root):
    login(testapp, "forelder")
    page = testapp.get("/")
    assert page.html.find(id="notification-settings")["href"].endswith("/notifications")
    settings = testapp.get("/notifications")
    assert "Registrert for deg nå: forelder@example.org." in settings.text  # from the log
    form = _content_form(settings)
    assert "sms" not in [value for value, _sel, _text in form["glimpse"].options]  # no SMS here
    assert "transfer" not in form.fields  # the family chooses for the family's kinds
    form["glimpse"], form["email"], form["mobile"] = "none", "ola@example.net", "412 34 567"
    done = form.submit("save", status=303)
    assert done.location.endswith("/notifications")
    again = _content_form(done.follow())
    assert again["glimpse"].value == "none" and again["email"].value == "ola@example.net"
    assert again["mobile"].value == "+4741234567"
    with read_root() as root:
        account = root.accounts["forelder"]
        assert account.notify_choices["glimpse"] == "none"
        assert root.accounts["forelder2"].notify_choices is None


def test_bad_input_is_named_and_kept(testapp, read_root):
    login(testapp, "forelder")
    form = _content_form(testapp.get("/notifications"))
    form["email"], form["mobile"] = "ikke-en-adresse", "22 33 44 55"
    failed = form.submit("save", status=200)
    assert "Ikke et mobilnummer" in failed.text and "ikke-en-adresse" in failed.text
    token = csrf_token(failed)
    refused = testapp.post("/notifications", {"csrf_token": token, "__formid__":
                                              "notifications", "glimpse": "fax", "save": ""})
    assert refused.status_int == 200 and "Velg en av verdiene" in refused.text
    with read_root() as root:
        assert root.accounts["forelder"].notify_email is None


def test_nobody_opens_or_changes_another_s_choices(testapp, read_root):
    assert testapp.get("/notifications", expect_errors=True).status_int in (303, 403)
    login(testapp, "forelder2")
    assert testapp.get("/notifications/forelder", expect_errors=True).status_int == 404
    assert testapp.post("/notifications", {"glimpse": "none", "save": ""},
                        expect_errors=True).status_int == 400  # no CSRF token
    with read_root() as root:
        assert root.accounts["forelder"].notify_choices is None
        assert root.accounts["forelder2"].notify_choices is None


# -- new since last time, on the front page -----------------------------------------------------
def _news(client) -> str:
    section = client.get("/").html.find(id="news")
    return section.get_text(" ", strip=True) if section is not None else ""


def test_the_front_page_lists_logs_with_news_since_the_last_look(app, read_root):
    log_url, _concern = _emma(app)
    with read_root() as root:
        log_id = log_url.split("/")[3]
        forelder, larer = root.accounts["forelder"].uid, root.accounts["larer"].uid
    def quiet_for_an_hour(root):
        root["demo"].logs[log_id].activity.at -= dt.timedelta(hours=1)
    _change_in_db(app, quiet_for_an_hour)
    visits = app.registry.visits
    ten_minutes_ago = time.time_ns() - 10 * 60 * 10**9
    for uid in (forelder, larer):
        visits.visit(log_id, uid, now_ns=ten_minutes_ago)
    guardian = _client(app, "forelder")
    assert "Emma Nordmann" not in _news(guardian)  # nothing since the last look

    holder = _client(app, "larer")
    form = _content_form(holder.get(log_url + "add-glimpse"))
    form["text"] = "En fin dag."
    form.submit("save", status=303)
    assert "Emma Nordmann" in _news(guardian)
    assert "Emma Nordmann" not in _news(holder)  # their own glimpse is no news to them
    guardian.get(log_url)  # the family's page: the visit is stamped
    assert "Emma Nordmann" not in _news(guardian)
