"""Sessions that end (OWASP ASVS V3; ID-porten: 30 min idle, 120 min at most) and login
throttling (ASVS 2.2.1): a copied cookie stops working at logout and after the absolute
limit, and five wrong passwords in a minute lock out the right one too."""

from __future__ import annotations

import datetime as dt

import time_machine
import webtest

from stafett.audit import INSTALLATION
from stafett.views.auth import THROTTLED

from ..conftest import csrf_token, login

FRONT = "/"


def logged_in(app, username="larer") -> webtest.TestApp:
    browser = webtest.TestApp(app)
    assert login(browser, username).status_int == 303
    assert browser.get(FRONT).status_int == 200
    return browser


def with_cookies_of(app, browser) -> webtest.TestApp:
    """Another client carrying a copy of ``browser``'s cookies (a stolen cookie)."""
    thief = webtest.TestApp(app)
    for name, value in browser.cookies.items():
        thief.set_cookie(name, value)
    return thief


def is_logged_in(browser) -> bool:
    response = browser.get(FRONT, expect_errors=True)
    return response.status_int == 200


def test_a_copied_cookie_stops_working_at_logout(app):
    browser = logged_in(app)
    thief = with_cookies_of(app, browser)
    assert is_logged_in(thief)
    browser.post("/logout", {"csrf_token": csrf_token(browser.get(FRONT))}, status=303)
    assert not is_logged_in(thief)
    assert not is_logged_in(browser)


def test_log_out_everywhere_ends_the_other_sessions(app):
    at_school, at_home = logged_in(app), logged_in(app)
    other_person = logged_in(app, "rektor")
    page = at_home.get(FRONT)
    at_home.post("/logout-everywhere", {"csrf_token": csrf_token(page)}, status=303)
    assert not is_logged_in(at_school) and not is_logged_in(at_home)
    assert is_logged_in(other_person)


def test_log_out_everywhere_needs_the_csrf_token(app):
    browser = logged_in(app)
    browser.post("/logout-everywhere", {}, status=400)
    assert is_logged_in(browser)


def test_a_session_ends_after_two_hours_however_busy(app):
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        browser = logged_in(app)
        for _minute in range(10, 120, 10):  # in use every ten minutes: never idle
            clock.shift(dt.timedelta(minutes=10))
            assert is_logged_in(browser)
        clock.shift(dt.timedelta(minutes=11))
        assert not is_logged_in(browser)


def test_a_session_a_year_old_is_refused(app):
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(days=365), tick=False):
        browser = logged_in(app)
    assert not is_logged_in(browser)


def test_a_session_ends_when_idle(app):
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        browser = logged_in(app)
        clock.shift(dt.timedelta(minutes=21))
        assert not is_logged_in(browser)


def test_login_starts_a_new_session(app):
    browser = webtest.TestApp(app)
    browser.get("/login")
    before = dict(browser.cookies)
    login(browser, "larer")
    after = dict(browser.cookies)
    assert after["session"] != before.get("session")
    thief = with_cookies_of(app, browser)
    login(browser, "larer")  # a second login does not keep the first session's token
    assert is_logged_in(browser) and is_logged_in(thief)
    browser.post("/logout", {"csrf_token": csrf_token(browser.get(FRONT))})
    assert is_logged_in(thief)  # the earlier session is its own; logging out ends one


def test_five_wrong_passwords_in_a_minute_lock_out_the_right_one(app, access):
    browser = webtest.TestApp(app)
    for _attempt in range(5):
        page = login(browser, "larer", password="wrong password")
        assert "larer" in page.text  # the typed username is kept
    page = login(browser, "larer")
    assert page.status_int == 200 and not is_logged_in(browser)
    assert browser.app.registry.settings  # the same app
    translated = {"Too many failed attempts", "For mange mislykkede forsøk"}
    assert any(text in page.text for text in translated), THROTTLED
    assert is_logged_in(logged_in(app, "rektor"))  # another account from here still works


def test_the_lock_lifts_after_the_window(app):
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        browser = webtest.TestApp(app)
        for _attempt in range(5):
            login(browser, "larer", password="wrong password")
        clock.shift(dt.timedelta(minutes=2))
        assert login(browser, "larer").status_int == 303


def test_failed_logins_for_unknown_usernames_are_journaled_without_the_name(app):
    browser = webtest.TestApp(app)
    login(browser, "Kari Nordmann", password="wrong")
    part = app.registry.access_journal.for_municipality(INSTALLATION)
    entries = part.of_kind("login_failed")
    assert entries and entries[-1][1]["actor_kind"] == "unknown"
    stored = app.registry.access_journal.backend.query("SELECT body FROM access_journal")
    assert not any("Kari" in body for (body,) in stored)


def test_production_refuses_the_local_form_to_staff(datafs):
    """With ``stafett.local_login = children`` only accounts with a one-time code may use
    the form; staff use ID-porten."""
    from stafett import main

    from ..conftest import app_settings, close_app

    app = main({}, **app_settings(datafs, **{"stafett.local_login": "children"}))
    try:
        browser = webtest.TestApp(app)
        assert login(browser, "larer").status_int == 200
        assert not is_logged_in(browser)
    finally:
        close_app(app)


def test_the_front_page_tells_when_a_login_ends(app):
    front = logged_in(app).get(FRONT)
    assert "etter 20 minutter uten bruk og senest etter 2 timer" in front.text
    assert 'id="logout-everywhere"' in front.text


def test_a_page_that_changes_nothing_leaves_the_session_cookie_alone(app):
    """A response that re-sent an unchanged cookie could overwrite the one a parallel request
    had just set: a browser's /favicon.ico beside a click on "Logg inn med ID-porten" lost
    the login's state that way. Only a change (a notice shown once, a login) sets it."""
    visitor = webtest.TestApp(app)
    visitor.get("/login")
    for path in ("/login", "/favicon.ico", "/accessibility"):
        response = visitor.get(path, expect_errors=True)
        assert "Set-Cookie" not in response.headers, path
    browser = logged_in(app)
    assert "Set-Cookie" not in browser.get(FRONT).headers
    browser.post("/logout", {"csrf_token": csrf_token(browser.get(FRONT))}, status=303)
    shown_once = browser.get("/login")
    assert "Set-Cookie" in shown_once.headers  # the logout notice was taken
    assert "Set-Cookie" not in browser.get("/login").headers
