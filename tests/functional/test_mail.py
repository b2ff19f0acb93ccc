"""R14/R37: the guardians' notification travels over real SMTP when the log is activated."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import time

import pytest
import webtest
from aiosmtpd.controller import Controller

from stafett import main
from stafett.models import Consent, ConsentScope, Guardian
from stafett.workflows import give_consent

from ..conftest import app_settings, close_app, csrf_token, login
from ..ports import free_port


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, parsed))
        return "250 OK"



@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def _activate_noah(app, inbox, second_guardian=None, count=1):
    """Give Noah's draft (one guardian, Nina) its consent, optionally a second guardian
    living apart, activate it as the holder over HTTP, and wait for ``count`` messages."""
    db = app.registry._zodb_databases[""]
    conn = db.open()
    root = conn.root()["stafett"]
    noah = next(log for log in root["demo"].logs.values() if log.subject.name == "Noah Hansen")
    if second_guardian is not None:
        noah.guardians.add(second_guardian)
        noah.guardians_live_together = False
    give_consent(noah, Consent(sorted(noah.guardians.keys()), dt.date.today(),
                               ConsentScope.CREATE), root.accounts["larer"])
    url = f"/demo/logs/{noah.id}/"
    conn.transaction_manager.commit()
    conn.close()
    testapp = webtest.TestApp(app)
    login(testapp, "larer")
    testapp.post(url + "activate", {"csrf_token": csrf_token(testapp.get(url))})
    deadline = time.time() + 5
    while len(inbox.messages) < count and time.time() < deadline:
        time.sleep(0.05)
    return inbox.messages


def _smtp_app(datafs, port):
    return main({}, **app_settings(datafs, **{"stafett.mail_delivery": "smtp",
                                              "mail.host": "127.0.0.1", "mail.port": str(port)}))


def test_r44_guardians_living_apart_get_one_message_each(datafs, smtp):
    inbox, port = smtp
    app = _smtp_app(datafs, port)
    try:
        messages = _activate_noah(app, inbox, Guardian("Nils Hansen", "nils@example.org"),
                                  count=2)
        assert sorted(tuple(rcpt) for rcpt, _m in messages) == [("nils@example.org",),
                                                                 ("nina@example.org",)]
        for rcpt, message in messages:
            assert message["To"] == rcpt[0]  # neither sees the other's address
    finally:
        close_app(app)


def test_r14_guardians_get_an_email_when_the_log_is_activated(datafs, smtp):
    inbox, port = smtp
    app = _smtp_app(datafs, port)
    try:
        (recipients, message), = _activate_noah(app, inbox)
        assert recipients == ["nina@example.org"]
        assert message["Subject"] == "En stafettlogg er opprettet"
        body = message.get_content()
        assert "Solbakken skole" in body and "Noah" not in body  # no child's name in mail
    finally:
        close_app(app)
