"""Finding a child in Chromium (R45), at 1280 and 375 px with axe: a holder searching from
the top bar, and the new-log form telling a holder of another unit who holds the child's
log. Screenshots go to ``$STAFETT_SCREENSHOTS`` when it is set."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, assert_no_sideways_scroll, login_as, shoot

pytestmark = pytest.mark.browser
WIDTHS = (1280, 375)




@pytest.mark.parametrize("width", WIDTHS)
def test_a_holder_finds_emma_from_the_top_bar(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 812})
    login_as(page, "larer")
    if width < 640:  # on a phone the field is in the folded menu
        page.locator("summary.menu-button").click()
    search = page.get_by_role("search").get_by_label("Finn et barn")
    search.fill("nordm")
    search.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Finn et barn")
    result = page.locator("#search-results").get_by_role("link", name="Emma Nordmann")
    expect(result).to_be_visible()
    expect(page.locator("#search-results tbody tr")).to_contain_text("Lars Lærer")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    shoot(page, f"search-results-{width}")
    result.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Emma Nordmann")


@pytest.mark.parametrize("width", WIDTHS)
def test_r45_the_new_log_form_names_who_holds_the_childs_log(new_page, fresh_server, width):
    with fresh_server.root() as root:
        fnr = next(x.subject.fnr for x in root["demo"].logs.values()
                   if x.subject.name == "Emma Nordmann")
    page = new_page(fresh_server.url)
    page.set_viewport_size({"width": width, "height": 812})
    login_as(page, "helsesykepleier")
    page.goto("/demo/new-log")
    page.get_by_label("Navnet til barnet eller ungdommen").fill("Emma Nordmann")
    page.locator("main").get_by_label("Fødselsnummer").first.fill(fnr)
    page.locator("main input[name=name]").fill("Ola Nordmann")  # the first guardian
    page.get_by_role("button", name="Opprett utkast").click()
    hint = page.locator("#r45-existing")
    expect(hint).to_contain_text("Lars Lærer")
    expect(hint).to_contain_text("Solbakken skole")
    expect(page.get_by_role("alert")).to_contain_text("Barnet har allerede en stafettlogg")
    expect(page.get_by_label("Navnet til barnet eller ungdommen")).to_have_value("Emma Nordmann")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    shoot(page, f"r45-new-log-{width}")
