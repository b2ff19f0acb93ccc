"""The family's side in Chromium (issue 14): a guardian, a youth of 16, the child's view and
a family asking for a log (R41), at 1280 and 375 px, with axe; the meeting feedback from a
guardian reaching the holder.

Screenshots go to ``$STAFETT_SCREENSHOTS`` when it is set (they are looked at by a person,
not compared)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_accessible, assert_no_sideways_scroll, login_as, shoot

pytestmark = pytest.mark.browser
WIDTHS = (1280, 375)




def _before(page: Page, first: str, then: str) -> None:
    text = page.locator("main").inner_text()
    assert text.index(first) < text.index(then), f"{first!r} should come before {then!r}"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_guardian_reads_what_is_agreed_first(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 812})
    login_as(page, "forelder")
    page.goto(live_server.log_path("Emma Nordmann"))
    expect(page.get_by_role("heading", name="Dette er avtalt nå")).to_be_visible()
    _before(page, "Dette er avtalt nå", "Lysglimt")
    _before(page, "Foreldrene leser med Emma hver kveld", "Emma var stolt da hun kom hjem.")
    expect(page.locator(".family-agreed")).to_contain_text("Jeg vil lese bøker om dyr.")
    expect(page.locator(".family-meetings")).to_contain_text("Neste møte:")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    shoot(page, f"family-guardian-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_youth_of_16_reads_her_plan_and_writes_in_her_own_words(new_page, fresh_server,
                                                                  width):
    page = new_page(fresh_server.url)
    page.set_viewport_size({"width": width, "height": 812})
    login_as(page, "sara")
    page.goto(fresh_server.log_path("Sara Lund"))
    _before(page, "Dette er avtalt nå", "Lysglimt")
    expect(page.locator(".family-agreed")).to_contain_text("Sara legger bort mobilen")
    expect(page.locator(".family-agreed")).to_contain_text("Hva du gjør")  # her own words
    expect(page.locator(".family-agreed")).to_contain_text("Jeg vil prøve selv først.")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    shoot(page, f"family-youth-{width}")
    page.get_by_role("link", name="Si det med dine egne ord").first.click()
    page.get_by_label("Det du vil si").fill("Jeg vil ha samtalene etter skoletid.")
    assert_accessible(page)
    page.get_by_role("button", name="Lagre").click()
    expect(page.locator(".family-agreed")).to_contain_text(
        "Jeg vil ha samtalene etter skoletid.")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_childs_view_in_meeting_mode_is_large_simple_and_names_no_one_else(
        new_page, fresh_server, width):
    page = new_page(fresh_server.url)
    page.set_viewport_size({"width": width, "height": 812})
    login_as(page, "larer")
    page.goto(fresh_server.log_path("Emma Nordmann"))
    page.get_by_role("button", name="Møtemodus").click()
    page.get_by_role("link", name="Vis barnets side").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hei, Emma!")
    _before(page, "Dette har gått bra", "Dette jobber du med nå")
    main = page.locator("main").inner_text()
    for other in ("Nordmann", "Lars Lærer", "Ali", "Kari"):
        assert other not in main, other
    expect(page.locator(".topbar")).to_have_count(0)
    size = page.locator(".child-measure").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 19, "the child's page is set large"
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    shoot(page, f"child-view-{width}")
    page.get_by_role("link", name="Tilbake til møtet").click()
    expect(page).to_have_url(f"{fresh_server.url}{fresh_server.log_path('Emma Nordmann')}"
                             "meeting-mode")


def test_meeting_feedback_from_a_guardian_reaches_the_holder(new_page, fresh_server):
    guardian = new_page(fresh_server.url)
    login_as(guardian, "forelder")
    log = fresh_server.log_path("Emma Nordmann")
    guardian.goto(log)
    guardian.get_by_role("link", name="Er det noe i dette møtet du tenker kunne vært "
                                       "annerledes?").click()
    assert_accessible(guardian)
    guardian.get_by_label("Er det noe i dette møtet").fill("Vi fikk for lite tid til å "
                                                            "snakke om lesingen.")
    guardian.get_by_role("button", name="Send").click()
    expect(guardian.locator(".flash")).to_contain_text("Loggholderen leser svaret ditt")
    expect(guardian.locator(".family-meetings")).to_contain_text("Du har svart")
    guardian.get_by_role("link", name="Si hvordan tiltakene har gått").click()
    guardian.locator("input[type=radio][value=partly]").first.check()
    guardian.get_by_role("button", name="Lagre til møtet").click()
    holder = new_page(fresh_server.url)
    login_as(holder, "larer")
    holder.goto(log)
    expect(holder.locator(".family-feedback")).to_contain_text(
        "Vi fikk for lite tid til å snakke om lesingen.")
    expect(holder.locator(".family-views").first).to_contain_text("Ola Nordmann: Virket delvis")
    assert_accessible(holder)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_municipalitys_page_for_asking_for_a_log(page, width):
    page.set_viewport_size({"width": width, "height": 812})
    page.goto("/demo/ask-for-log")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Lillevik barnehage")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    shoot(page, f"ask-for-log-{width}")


def test_a_leader_answers_a_familys_request_and_the_family_is_told(new_page, fresh_server):
    with fresh_server.root() as root:
        kinder = next(u for u in root["demo"].units.values() if u.name == "Lillevik barnehage")
        console = f"/demo/units/{kinder.id}/console-requests"
    leader = new_page(fresh_server.url)
    login_as(leader, "styrer")
    leader.goto(console)
    request = leader.locator("article.log-request", has_text="Ida Bakken")
    assert_accessible(leader)
    shoot(leader, "requests-console-1280")
    request.locator("select[name=holder]").select_option(label="Per Pedagogisk leder")
    request.locator("form.assign button").click()
    expect(leader.locator("article.log-request", has_text="Ida Bakken")).to_have_count(0)
    family = new_page(fresh_server.url)
    login_as(family, "siri")
    expect(family.locator("main")).to_contain_text(
        "Per Pedagogisk leder har fått loggen og tar kontakt med deg")
    assert_accessible(family)
    with fresh_server.root() as root:
        draft = next(log for log in root["demo"].logs.values()
                     if log.subject.name == "Ida Bakken")
        assert draft.state == "draft" and draft.unit_id == kinder.id
        assert [g.name for g in draft.guardians.values()] == ["Siri Bakken"]
