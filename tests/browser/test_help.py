"""R43 in the browser: the "?" opens its help in place, without leaving the page or losing
what was typed; the help, the help page and the practice municipality pass axe, at 1280
and 375 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, login_as

pytestmark = pytest.mark.browser

WIDTHS = (1280, 375)
CONCERN = "Emma er ofte alene i friminuttene."
GOAL = "Emma deltar i friminuttene."


@pytest.mark.parametrize("width", WIDTHS)
def test_r43_the_help_opens_in_place_and_keeps_what_was_typed(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 812})
    login_as(page, "larer")
    form_path = live_server.log_path("Emma Nordmann") + "add-concern"
    page.goto(form_path)
    page.get_by_label("Oppmerksomhet", exact=True).fill(CONCERN)
    page.get_by_label("Mål", exact=True).fill(GOAL)

    help_text = page.locator("#page-help .help-body")
    expect(help_text).to_be_hidden()
    page.locator("#page-help summary").click()
    expect(help_text).to_be_visible()
    expect(help_text).to_contain_text("Slik skriver du en oppmerksomhet")
    expect(help_text).to_contain_text("«Emma deltar i friminuttene»")
    assert page.url.endswith(form_path)
    expect(page.get_by_label("Oppmerksomhet", exact=True)).to_have_value(CONCERN)
    expect(page.get_by_label("Mål", exact=True)).to_have_value(GOAL)
    box = page.locator("#page-help summary").bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24  # a target a finger can hit
    assert_accessible(page)

    page.locator("#page-help summary").focus()  # closed again from the keyboard
    page.keyboard.press("Enter")
    expect(help_text).to_be_hidden()
    expect(page.get_by_label("Oppmerksomhet", exact=True)).to_have_value(CONCERN)


@pytest.mark.parametrize("width", WIDTHS)
def test_r43_the_log_page_help_the_help_page_and_the_practice_pass_axe(page, live_server,
                                                                       width):
    page.set_viewport_size({"width": width, "height": 812})
    login_as(page, "larer")
    page.goto(live_server.log_path("Emma Nordmann"))
    page.locator("#page-help summary").click()
    expect(page.locator("#page-help .help-body")).to_contain_text("Loggen erstatter")
    assert_accessible(page)
    page.get_by_role("link", name="All hjelp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hjelp")
    assert_accessible(page)
    page.goto("/")
    page.get_by_role("link", name="Øv i kursløsningen").click()
    expect(page.locator(".practice-banner")).to_have_text(
        "Øvingsløsning – ikke bruk ekte opplysninger")
    expect(page.get_by_role("button", name="Lars Lærer")).to_be_visible()
    assert_accessible(page)
