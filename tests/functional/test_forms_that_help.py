"""Forms that help (issue 12): the measure form takes the responsible party from the arena
(R25) and drops an employee left in a hidden field; a failed form shows one error box; the
browser's copy of a form belongs to one person; after an ended session the login page says
why; the consent link reads as an action; a glimpse shows who wrote it and when."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
import webtest

from stafett.models.base import today
from stafett.models.concern import Party

from ..conftest import csrf_token, login


def _log(root, name):
    return next(log for log in root["demo"].logs.values() if log.subject.name == name)


def _reading(read_root) -> tuple[str, str]:
    with read_root() as root:
        log = _log(root, "Emma Nordmann")
        concern = next(c for c in log.concerns.values() if c.text.startswith("Emma strever"))
        return f"/demo/logs/{log.id}/concerns/{concern.id}/", root.accounts[
            "assistent"].employee_id


def _form(page):
    return next(form for key, form in page.forms.items()
                if isinstance(key, str) and "__formid__" in form.fields)


def _measure_form(testapp, concern_url, text, **fields):
    form = _form(testapp.get(concern_url + "add-measure"))
    form["text"] = text
    for name, value in fields.items():
        form[name].force_value(value)
    form.set("start", today().isoformat())
    form.set("deadline", (today() + dt.timedelta(weeks=4)).isoformat())
    return form


def test_r25_a_home_measure_drops_an_employee_left_in_the_hidden_field(testapp, read_root):
    concern_url, assistant = _reading(read_root)
    login(testapp, "larer")
    form = _measure_form(testapp, concern_url, "Foreldrene spør Emma om boka hver kveld.",
                         arena="home", party="actor", actor=assistant)
    form.submit("save", status=303)
    with read_root() as root:
        log = _log(root, "Emma Nordmann")
        saved = next(m for m in log.active_measures() if m.text.startswith("Foreldrene spør"))
        assert saved.party == Party.HOME and saved.actor_id is None


def test_a_child_measure_ignores_a_stale_employee(testapp, read_root):
    concern_url, assistant = _reading(read_root)
    login(testapp, "larer")
    form = _measure_form(testapp, concern_url, "Emma velger boka selv.", arena="child",
                         party="subject", actor=assistant)
    form.submit("save", status=303)
    with read_root() as root:
        saved = next(m for m in _log(root, "Emma Nordmann").active_measures()
                     if m.text == "Emma velger boka selv.")
        assert saved.party == Party.SUBJECT and saved.actor_id is None


def test_a_failed_measure_form_shows_one_error_box_and_keeps_the_text(testapp, read_root):
    concern_url, _assistant = _reading(read_root)
    login(testapp, "larer")
    form = _measure_form(testapp, concern_url, "Ali leser med Emma i storefri.",
                         arena="service", party="actor", actor="")
    page = form.submit("save", status=200)
    boxes = page.html.select('[role="alert"]')
    assert len(boxes) == 1
    assert "Ansvarlig ansatt" in boxes[0].text
    assert "Velg den ansatte som har ansvaret." in boxes[0].text
    assert "Det oppstod et problem" not in page.text and "There was a problem" not in page.text
    assert "Ali leser med Emma i storefri." in page.text


def test_the_browser_copy_of_a_form_belongs_to_one_person(app, read_root):
    """Two people on one computer: each one's typed text is kept under their own key."""
    with read_root() as root:
        glimpse_form = f"/demo/logs/{_log(root, 'Emma Nordmann').id}/add-glimpse"
    owners = []
    for username in ("larer", "assistent"):
        browser = webtest.TestApp(app)
        login(browser, username)
        owner = re.search(r'data-autosave-owner="([0-9a-f]{16})"', browser.get(glimpse_form).text)
        owners.append(owner.group(1))
    assert owners[0] != owners[1]


def test_after_an_ended_session_the_login_page_says_why(app):
    browser = webtest.TestApp(app)
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False) as clock:
        login(browser, "larer")
        assert browser.get("/").status_int == 200
        clock.shift(dt.timedelta(minutes=21))
        response = browser.get("/", status=303)
        assert response.location.endswith("/login")
        page = response.follow()
        assert "Du ble logget ut fordi ingenting skjedde på 20 minutter" in page.text
        assert "Du ble logget ut" not in browser.get("/login").text  # said once


def test_a_first_visit_to_the_login_page_gives_no_reason(app):
    browser = webtest.TestApp(app)
    page = browser.get("/", status=303).follow()
    assert "Du ble logget ut" not in page.text


def test_the_consent_link_reads_as_an_action(testapp, read_root):
    login(testapp, "larer")
    with read_root() as root:
        log = _log(root, "Emma Nordmann")
    page = testapp.get(f"/demo/logs/{log.id}/")
    link = page.html.find("a", string="Trekk tilbake samtykke")
    assert link is not None and link["href"].endswith("/withdraw")
    assert "Samtykke trukket tilbake" not in page.text


def test_a_glimpse_shows_its_author_and_time_on_the_staff_page(testapp, read_root):
    login(testapp, "larer")
    with read_root() as root:
        log = _log(root, "Emma Nordmann")
    page = testapp.get(f"/demo/logs/{log.id}/")
    token = csrf_token(page)
    testapp.post(f"/demo/logs/{log.id}/add-glimpse",
                 {"csrf_token": token, "text": "Emma hjalp en venn i dag.", "save": "save"},
                 status=303)
    glimpse = next(article for article in testapp.get(f"/demo/logs/{log.id}/").html.select(
        "article.glimpse") if "Emma hjalp en venn i dag." in article.text)
    meta = glimpse.select_one(".muted").get_text(" ", strip=True)
    assert "Lars Lærer, loggholder" in meta
    assert re.search(r"\d{2}[:.]\d{2}", meta), meta  # the time, not only the day


def test_the_log_page_shows_the_newest_twenty_messages_sent(app, testapp, read_root):
    """R37: the family hears of every glimpse, so a log's sent messages grow with its life;
    the holder's page shows the newest 20, newest first, whatever the history."""
    from stafett.services.notify import OutgoingMessage

    db = app.registry._zodb_databases[""]
    conn = db.open()
    log = _log(conn.root()["stafett"], "Emma Nordmann")
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)  # newer than the demo's own
    for n in range(30):
        message = OutgoingMessage("glimpse", ["ola@example.org"], f"Melding nummer {n:02d}", "")
        message.created = start + dt.timedelta(minutes=n)
        log.outbox.add(message)
    log_url = f"/demo/logs/{log.id}/"
    conn.transaction_manager.commit()
    conn.close()
    login(testapp, "larer")
    heading = testapp.get(log_url).html.find("h2", string="Meldinger sendt fra denne loggen")
    shown = [li.strong.text for li in heading.find_parent("section").select("li")
             if li.strong.text.startswith("Melding nummer")]
    assert shown == [f"Melding nummer {n:02d}" for n in range(29, 9, -1)]
