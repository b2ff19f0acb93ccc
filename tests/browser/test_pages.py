"""The pages that exist now, in a real Chromium: login, front page, log page, language, idle."""

from __future__ import annotations

import re
import struct

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import assert_accessible, login_as, logout

pytestmark = pytest.mark.browser

LOG_URL = re.compile(r"/demo/logs/[^/]+/$")
LOGIN_URL = re.compile(r"/login$")


def log_list(page: Page, heading: str) -> Locator:
    """The front page's list of logs under ``heading`` (other panels may name a child too)."""
    return page.locator("section", has=page.get_by_role("heading", name=heading, exact=True))


def test_login_page_is_in_bokmal_and_accessible(page):
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logg inn i Stafett")
    expect(page.get_by_label("Brukernavn")).to_be_visible()
    expect(page.get_by_label("Passord")).to_be_visible()
    assert_accessible(page)


def test_wrong_password_shows_message_and_keeps_username(page):
    login_page = page.goto("/login")
    assert login_page.status == 200
    page.get_by_label("Brukernavn").fill("larer")
    page.get_by_label("Passord").fill("feil")
    page.locator("button[name=submit]").click()
    expect(page.get_by_role("alert")).to_have_text("Feil brukernavn, passord eller engangskode.")
    expect(page.get_by_label("Brukernavn")).to_have_value("larer")
    expect(page.get_by_label("Passord")).to_have_value("")
    expect(page).to_have_url(LOGIN_URL)
    assert_accessible(page)


def test_holder_sees_own_logs_and_opens_one(page):
    login_as(page, "larer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine logger")
    own_logs = log_list(page, "Logger jeg er stafettholder for")
    expect(own_logs.get_by_role("link", name="Emma Nordmann")).to_be_visible()
    assert_accessible(page)
    own_logs.get_by_role("link", name="Emma Nordmann").click()
    expect(page).to_have_url(LOG_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Emma Nordmann")
    assert_accessible(page)


def test_language_selector_switches_to_nynorsk_and_english(fresh_server, new_page):
    # The choice is stored on the account, so this runs on its own copy of the database.
    page = login_as(new_page(fresh_server.url), "larer")
    for locale, heading in (("nn", "Mine loggar"), ("en", "My logs"), ("nb", "Mine logger")):
        page.get_by_label(re.compile("Språk|Language")).select_option(locale)  # submits
        expect(page.locator("html")).to_have_attribute("lang", locale)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine logger")


def test_guardian_sees_own_childs_log_but_not_another(page, live_server):
    login_as(page, "forelder")
    our_logs = log_list(page, "Våre logger")
    expect(our_logs.get_by_role("link", name="Emma Nordmann")).to_be_visible()
    expect(page.get_by_text("Jonas Berg")).to_have_count(0)
    assert_accessible(page)
    our_logs.get_by_role("link", name="Emma Nordmann").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Emma Nordmann")

    response = page.goto(live_server.log_path("Jonas Berg"))
    assert response.status == 403
    expect(page.locator("main")).not_to_contain_text("Jonas")


def test_logout_returns_to_login_and_ends_session(page):
    login_as(page, "larer")
    logout(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Logg inn i Stafett")
    page.goto("/")
    expect(page).to_have_url(LOGIN_URL)


def test_idle_session_sends_user_to_login(serve, new_page):
    """R39: the session ends after inactivity, not while the user keeps working.

    Pyramid stores the session's last renewal in whole seconds, so a limit of 3 s ends an
    idle session after 2 to 3 s: pauses of 1 s are safe, a pause of 3.5 s is not.
    """
    server = serve(**{"stafett.session_idle_seconds": "3",
                      "stafett.session_reissue_seconds": "0"})
    page = login_as(new_page(server.url), "larer")
    for _ in range(3):  # active for as long as the idle limit in all
        page.wait_for_timeout(1000)
        page.reload()
        expect(page.get_by_role("heading", level=1)).to_have_text("Mine logger")
    page.wait_for_timeout(3500)
    page.reload()
    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Logg inn i Stafett")


def test_screenshot_of_holder_front_page(page, tmp_path):
    login_as(page, "larer")
    expect(log_list(page, "Logger jeg er stafettholder for")).to_contain_text("Emma Nordmann")
    target = tmp_path / "holder-front-page.png"
    page.screenshot(path=target, full_page=True)
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width == page.viewport_size["width"] and height > 200
