"""A whole meeting in meeting mode in Chromium (R27, R29, R34, R35): today's meeting with its
agenda and attendance, an evaluation with the family's verdict last, a new measure (the arena
choosing the responsible party, R25), a correction, the agreed-measures PDF, and no link on
any page visited that leads out of the log. The autosave notice offers, never fills
silently, a copy from another tab.

Screenshots go to ``$STAFETT_SCREENSHOTS`` when it is set (looked at by a person)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from .conftest import assert_accessible, assert_no_sideways_scroll, login_as, shoot

pytestmark = pytest.mark.browser
MEETING_URL = re.compile(r"/meeting-mode$")



def _links_stay_in(page: Page, log_path: str) -> None:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.pathname)")
    outside = [h for h in hrefs if not h.startswith(log_path)
               and h != "/accessibility" and not h.startswith("/static")]
    assert not outside, f"{page.url} links out of the log: {outside}"


def test_a_whole_meeting_in_meeting_mode(fresh_server, new_page):
    emma = fresh_server.log_path("Emma Nordmann")
    page = login_as(new_page(fresh_server.url), "larer")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(emma)
    page.get_by_role("button", name="Møtemodus").click()
    expect(page).to_have_url(MEETING_URL)
    expect(page.get_by_role("heading", name="Dagens møte")).to_be_visible()
    _links_stay_in(page, emma)

    # The meeting: agenda and who came, ticked among the log's own people.
    page.get_by_role("link", name="Registrer dagens møte").click()
    page.get_by_label("Saksliste").fill("Lesing og friminutt")
    page.get_by_label("Ola Nordmann (foresatt)").check()
    page.get_by_label("Lars Lærer (stafettholder)").check()
    page.get_by_label("Referent").fill("Lars Lærer")
    _links_stay_in(page, emma)
    page.get_by_role("button", name="Lagre").click()
    expect(page).to_have_url(MEETING_URL)
    card = page.locator(".meeting-now")
    expect(card).to_contain_text("Lesing og friminutt")
    expect(card).to_contain_text("Ola Nordmann, Lars Lærer")
    assert_accessible(page)
    shoot(page, "meeting-mode-1280")

    # An evaluation: the service's view first, the family's verdict last.
    reading = page.locator("article.concern", has_text="Emma strever")
    reading.locator("li.measure", has_text="Ali leser sammen med Emma").get_by_role(
        "link", name="Evaluer").click()
    expect(page.get_by_role("banner")).to_have_count(0)
    _links_stay_in(page, emma)
    page.get_by_label("Tjenestens vurdering").fill("Emma leser mer sammenhengende nå.")
    page.get_by_label("Beslutning").select_option(label="Fortsette")
    page.get_by_label("Familiens vurdering").select_option(label="Virket")
    shoot(page, "meeting-evaluate-1280")
    page.get_by_role("button", name="Lagre evaluering").click()
    expect(page.locator("main")).to_contain_text("Emma leser mer sammenhengende nå.")
    expect(page.get_by_role("banner")).to_have_count(0)
    _links_stay_in(page, emma)

    # A new measure at home: the arena makes the home responsible, no employee to pick.
    page.get_by_role("link", name="Nytt tiltak").click()
    page.get_by_label("Tiltak", exact=True).fill("Foreldrene spør Emma om boka hver kveld.")
    page.get_by_label("Arena").select_option(label="Hjemme")
    expect(page.get_by_label("Ansvarlig", exact=True)).to_have_value("home")
    expect(page.get_by_label("Ansvarlig ansatt")).to_be_hidden()
    page.get_by_label("Frist for evaluering").fill(
        (dt.date.today() + dt.timedelta(weeks=6)).isoformat())
    page.get_by_role("button", name="Lagre tiltak").click()
    new = page.locator("li.measure", has_text="Foreldrene spør Emma om boka")
    expect(new).to_contain_text("Hjemmet (foresatte)")

    # A correction within the 8 hours (R27).
    new.get_by_role("link", name="Rett teksten").click()
    page.get_by_label("Tiltak", exact=True).fill(
        "Foreldrene spør Emma om boka hver kveld ved leggetid.")
    page.get_by_role("button", name="Lagre").click()
    expect(page.locator("main")).to_contain_text("hver kveld ved leggetid")

    # Back to the meeting, and the agreed measures as a PDF at the end.
    page.locator("main").get_by_role("link", name="Emma Nordmann").first.click()
    expect(page).to_have_url(MEETING_URL)
    with page.expect_download() as download:
        page.get_by_role("link", name="Til slutt: avtalte tiltak (PDF)").click()
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Foreldrene spør Emma om boka hver kveld ved leggetid." in text
    assert "Evaluert i dette møtet" in text and "Emma leser mer sammenhengende nå." in text

    page.get_by_role("button", name="Avslutt møtemodus").click()
    expect(page.get_by_role("banner")).to_be_visible()


def test_meeting_mode_on_a_tablet_and_a_phone(page, live_server):
    login_as(page, "larer")
    emma = live_server.log_path("Emma Nordmann")
    page.goto(emma)
    page.get_by_role("button", name="Møtemodus").click()
    for width, height in ((768, 1024), (375, 812)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(emma + "meeting-mode")
        assert_no_sideways_scroll(page)
        shoot(page, f"meeting-mode-{width}")
    page.get_by_role("button", name="Avslutt møtemodus").click()


def test_a_copy_from_another_tab_is_offered_not_filled(fresh_server, new_page):
    """R28 without surprises: text typed in one tab and left there is offered in another
    tab's form, with a choice to put it back or discard it."""
    emma = fresh_server.log_path("Emma Nordmann")
    first = login_as(new_page(fresh_server.url), "larer")
    first.goto(emma + "add-glimpse")
    first.get_by_label("Lysglimt").fill("Emma hjalp en venn med lesingen.")
    second = first.context.new_page()
    second.goto(emma + "add-glimpse")
    expect(second.get_by_label("Lysglimt")).to_have_value("")
    notice = second.locator(".autosave-notice")
    expect(notice).to_contain_text("ikke ble lagret")
    assert_accessible(second)
    notice.get_by_role("button", name="Sett inn teksten igjen").click()
    expect(second.get_by_label("Lysglimt")).to_have_value("Emma hjalp en venn med lesingen.")
    expect(notice).to_contain_text("satt inn igjen")
    notice.get_by_role("button", name="Forkast teksten").click()
    expect(second.get_by_label("Lysglimt")).to_have_value("")
    expect(second.locator(".autosave-notice")).to_have_count(0)
    second.reload()
    expect(second.locator(".autosave-notice")).to_have_count(0)
