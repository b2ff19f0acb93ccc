"""R43: a "?" beside each page's heading, in the language chosen, that opens in place and,
in meeting mode (R34), leads nowhere outside the log."""

from __future__ import annotations

import re

import pytest

from stafett.i18n import translate
from stafett.services.help import TOPICS

from ..conftest import csrf_token, login


def _help(response) -> str:
    found = re.search(r'<details class="help" id="page-help">.*?</details>', response.text,
                      re.S)
    assert found, "the page has no help"
    return found.group(0)


@pytest.fixture
def emma(read_root) -> str:
    with read_root() as root:
        log = next(log for log in root["demo"].logs.values()
                   if log.subject.name == "Emma Nordmann")
        return f"/demo/logs/{log.id}/"


def _choose(testapp, locale: str) -> None:
    testapp.post("/language", {"locale": locale, "csrf_token": csrf_token(testapp.get("/"))},
                 status=303)


def test_r43_a_form_and_the_log_page_have_their_own_help_in_bokmal_and_english(testapp, emma):
    login(testapp, "larer")
    form = _help(testapp.get(emma + "add-concern"))
    assert "Slik skriver du en oppmerksomhet" in form
    assert "«Emma deltar i friminuttene»" in form  # the goal in the present tense
    assert 'href="http://localhost/help"' in form
    log = _help(testapp.get(emma))
    assert "Loggen erstatter møtereferatet" in log
    assert "Slik skriver du" not in log

    _choose(testapp, "en")
    form = _help(testapp.get(emma + "add-concern"))
    assert "How to write a concern" in form and "«Emma takes part at break»" in form
    assert "The log replaces the minutes" in _help(testapp.get(emma))


def test_r43_measures_evaluation_and_the_front_page_follow_the_guides(testapp, read_root, emma):
    with read_root() as root:
        log = root["demo"].logs[emma.split("/")[3]]
        concern = next(iter(log.concerns.values()))
        measure = next(iter(concern.measures.values()))
        measure_url = f"{emma}concerns/{concern.id}/measures/{measure.id}/"
    login(testapp, "larer")
    assert "Mine logger" in _help(testapp.get("/"))
    assert "tjenesten, hjemmet eller barnet" in _help(
        testapp.get(f"{emma}concerns/{concern.id}/add-measure"))
    assert "det siste ordet" in _help(testapp.get(measure_url + "evaluate"))
    login(testapp, "rektor")
    assert "Som enhetsleder" in _help(testapp.get("/"))
    login(testapp, "forelder")
    family = _help(testapp.get(emma))  # the family's own page
    assert "Barnets logg" in family and "det siste ordet" in family
    assert "registrerer Stafett hvem det var" in _help(testapp.get(emma + "access-log"))


def test_r34_in_meeting_mode_the_help_leads_nowhere(testapp, emma):
    login(testapp, "larer")
    testapp.post(emma + "meeting-mode", {"csrf_token": csrf_token(testapp.get(emma))},
                 status=303)
    page = testapp.get(emma + "meeting-mode")
    shown = _help(page)
    assert "Møtemodus viser bare denne loggen" in shown
    assert "<a " not in shown and "/help" not in page.text
    voice = _help(testapp.get(emma + "add-voice"))  # a form meeting mode lets through
    assert "Barnets stemme" in voice and "<a " not in voice
    assert testapp.get("/help", status=303).location.endswith(emma + "meeting-mode")


def test_r43_the_help_page_holds_every_topic_for_staff_and_the_familys_for_the_family(
        testapp):
    assert testapp.get("/help", status=303).location.endswith("/login")
    login(testapp, "larer")
    page = testapp.get("/help")
    for topic in TOPICS.values():
        assert translate(topic.title, "nb") in page.text
    login(testapp, "forelder")
    page = testapp.get("/help")
    assert translate(TOPICS["withdraw_consent"].lines[0], "nb") in page.text
    assert "Barnets logg" in page.text and "Enhetskonsollen" not in page.text


def test_r43_the_public_ask_page_has_its_own_help_and_no_link_to_the_staff_help(testapp):
    shown = _help(testapp.get("/demo/ask-for-log"))
    assert "Be om en stafettlogg" in shown and "før du har gitt samtykke" in shown
    assert "/help" not in shown
