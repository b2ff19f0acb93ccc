"""The holder's journey where only a real browser can prove it: typed text survives an
expired session (R28), writing help while typing (R32), a new log with the guardian
sequence, meeting mode (R34), and accessibility of the holder's pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import LiveServer, assert_accessible, login_as

pytestmark = pytest.mark.browser

LOGIN_URL = re.compile(r"/login$")
IDLE_SECONDS = 3
# Pyramid keeps the session's last access in whole seconds, so a limit of 3 s ends an idle
# session after 2 to 3 s; this pause is always past it.
PAST_IDLE_MS = (IDLE_SECONDS + 1.5) * 1000

CONCERN = "Emma trekker seg unna i friminuttene – «æøå ÆØÅ» & <b>ikke html</b>\nAndre linje."
GOAL = "I storefri leker Emma med minst én medelev hver dag.\n  Innrykk og tomrom  "
SAVE_CONCERN = "Lagre oppmerksomhet"


def short_session_server(serve) -> LiveServer:
    return serve(**{"stafett.session_idle_seconds": str(IDLE_SECONDS),
                    "stafett.session_reissue_seconds": "0"})


def type_concern(page: Page) -> None:
    page.get_by_label("Oppmerksomhet", exact=True).fill(CONCERN)
    page.get_by_label("Kategori").select_option("social")
    page.get_by_label("Mål", exact=True).fill(GOAL)


def expect_concern_typed(page: Page) -> None:
    expect(page.get_by_label("Oppmerksomhet", exact=True)).to_have_value(CONCERN)
    expect(page.get_by_label("Kategori")).to_have_value("social")
    expect(page.get_by_label("Mål", exact=True)).to_have_value(GOAL)


def expect_empty_concern_form(page: Page) -> None:
    expect(page.get_by_label("Oppmerksomhet", exact=True)).to_have_value("")
    expect(page.get_by_label("Mål", exact=True)).to_have_value("")
    expect(page.locator(".autosave-notice")).to_have_count(0)


def stored_copies(page: Page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('stafett-autosave:'))")


# -- R28: nothing typed is lost ------------------------------------------------------------
def test_r28_typed_text_survives_an_expired_session_and_is_cleared_after_saving(
        serve, new_page):
    server = short_session_server(serve)
    form_path = server.log_path("Emma Nordmann") + "add-concern"
    page = login_as(new_page(server.url), "larer")
    page.goto(form_path)
    type_concern(page)

    page.wait_for_timeout(PAST_IDLE_MS)
    page.get_by_role("link", name="Emma Nordmann").click()  # the session has ended
    expect(page).to_have_url(LOGIN_URL)
    login_as(page, "larer")
    page.goto(form_path)
    expect_concern_typed(page)
    expect(page.locator(".autosave-notice")).to_contain_text("satt inn igjen")

    page.get_by_role("button", name=SAVE_CONCERN).click()
    expect(page.get_by_role("status").filter(has_text="lagret")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Emma trekker seg unna")
    assert stored_copies(page) == []
    page.goto(form_path)
    expect_empty_concern_form(page)


def test_r28_saving_after_the_session_expired_leads_to_login_and_keeps_the_text(
        serve, new_page):
    server = short_session_server(serve)
    form_path = server.log_path("Emma Nordmann") + "add-concern"
    page = login_as(new_page(server.url), "larer")
    page.goto(form_path)
    type_concern(page)

    page.wait_for_timeout(PAST_IDLE_MS)
    page.get_by_role("button", name=SAVE_CONCERN).click()
    expect(page).to_have_url(LOGIN_URL)
    login_as(page, "larer")
    page.goto(form_path)
    expect_concern_typed(page)


# -- R32: writing help while typing --------------------------------------------------------
VAGUE_MEASURE = "Tiltaket gjennomføres snarest, evt. etter behov."


def live_hints(page: Page, field_label: str):
    field = page.get_by_label(field_label, exact=True)
    return field.locator("xpath=..").locator("ul.writing-hints-live li")


def test_r32_writing_help_shows_hints_while_typing_before_anything_is_saved(page, live_server):
    login_as(page, "larer")
    form_path = live_server.log_path("Emma Nordmann") + "add-concern"
    page.goto(form_path)

    page.get_by_label("Oppmerksomhet", exact=True).press_sequentially(VAGUE_MEASURE)
    hints = live_hints(page, "Oppmerksomhet")
    expect(hints).to_have_count(4)
    for expected in ("«gjennomføres» sier ikke hvem som gjør det",
                     "«snarest» sier ikke når",
                     "Skriv hele ordet: «eventuelt» i stedet for «evt.»",
                     "«etter behov» sier ikke hvem som avgjør når"):
        expect(hints.filter(has_text=expected)).to_have_count(1)
    expect(page.get_by_label("Oppmerksomhet", exact=True).locator("xpath=..")
           .locator("ul.writing-hints-live")).to_have_attribute("aria-live", "polite")

    page.get_by_label("Mål", exact=True).fill("Emma rekker opp hånda.")
    goal_hints = live_hints(page, "Mål")
    expect(goal_hints).to_have_count(1)
    expect(goal_hints).to_contain_text("Målet sier ikke når eller hvor")
    expect(goal_hints).to_contain_text("I matematikktimene rekker Emma opp hånda")

    # The hints follow the text: a plain goal with time and place has none.
    page.get_by_label("Mål", exact=True).fill(
        "I matematikktimene rekker Emma opp hånda minst én gang per time.")
    expect(goal_hints).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/add-concern$"))  # nothing was submitted


# -- R13: a new draft log with two guardians ----------------------------------------------
def test_new_log_with_two_guardians_keeps_text_after_a_wrong_check_digit(fresh_server, new_page):
    from stafett.scripts.demo import make_fnr, years_ago

    fnr = make_fnr(years_ago(9), serial=7)
    wrong = fnr[:-1] + str((int(fnr[-1]) + 1) % 10)
    page = login_as(new_page(fresh_server.url), "larer")
    page.get_by_role("link", name="Ny logg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny logg")
    assert_accessible(page)

    page.get_by_label("Navnet til barnet eller ungdommen").fill("Ida Testesen")
    page.locator("input[name=fnr]").fill(wrong)
    page.get_by_label("BTI-nivå").select_option(label="Nivå 2")
    guardians = page.locator(".item-guardians .deform-seq-item")
    expect(guardians).to_have_count(1)
    guardians.nth(0).get_by_label("Navn", exact=True).fill("Per Testesen")
    page.get_by_role("button", name="Legg til foresatt").click()  # static/sequence.js
    expect(guardians).to_have_count(2)
    guardians.nth(1).get_by_label("Navn", exact=True).fill("Pia Testesen")
    guardians.nth(1).get_by_label("E-post").fill("pia@example.org")
    page.get_by_role("button", name="Opprett utkast").click()

    fnr_item = page.locator(".item-fnr")
    expect(fnr_item).to_contain_text("Kontrollsifrene stemmer ikke")
    expect(page.get_by_role("alert")).to_contain_text("Fødselsnummer")
    expect(page.locator("input[name=fnr]")).to_have_value(wrong)
    expect(page.get_by_label("Navnet til barnet eller ungdommen")).to_have_value("Ida Testesen")
    expect(page.get_by_label("BTI-nivå")).to_have_value("2")
    expect(guardians).to_have_count(2)
    expect(guardians.nth(1).get_by_label("Navn", exact=True)).to_have_value("Pia Testesen")
    assert_accessible(page)

    page.locator("input[name=fnr]").fill(fnr)
    page.get_by_role("button", name="Opprett utkast").click()
    expect(page.get_by_role("status")).to_contain_text("Utkastet er opprettet")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ida Testesen")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("utkast")
    expect(facts).to_contain_text("2")
    family = page.locator("section", has=page.get_by_role("heading", name="Foresatte"))
    expect(family.get_by_role("listitem")).to_have_count(2)
    expect(family).to_contain_text("Per Testesen")
    expect(family).to_contain_text("Pia Testesen pia@example.org")


# -- R34: meeting mode --------------------------------------------------------------------
MEETING_URL = re.compile(r"/demo/logs/[^/]+/meeting-mode$")


def other_children(server: LiveServer, name: str) -> list[str]:
    with server.root() as root:
        return sorted({log.subject.name for log in root["demo"].logs.values()} - {name})


def test_r34_meeting_mode_shows_one_log_until_the_holder_leaves_it(fresh_server, new_page):
    emma = fresh_server.log_path("Emma Nordmann")
    others = other_children(fresh_server, "Emma Nordmann")
    page = login_as(new_page(fresh_server.url), "larer")
    page.goto(emma)
    page.get_by_role("button", name="Møtemodus").click()
    expect(page).to_have_url(MEETING_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Emma Nordmann")
    expect(page.get_by_role("banner")).to_have_count(0)
    expect(page.get_by_role("navigation")).to_have_count(0)
    body = page.locator("body").inner_text()
    assert "Emma Nordmann" in body
    assert not [name for name in others if name in body]
    assert_accessible(page)

    # Every link on the meeting page stays in the log and is drawn for the projector: the
    # meeting's own work (concerns, evaluations, measures, the child's view and voice).
    links = page.eval_on_selector_all(
        "a[href]", "links => links.map(a => a.href)"
                   ".filter(h => !h.includes('#') && !h.endsWith('/accessibility'))")
    assert links, "the meeting page shows the concerns as links"
    assert any(url.split("?")[0].endswith(("/child-view", "/add-voice")) for url in links)
    for url in links:
        page.goto(url)
        assert page.url.split("?")[0].startswith(fresh_server.url + emma), page.url
        expect(page.get_by_role("banner")).to_have_count(0)
        assert not [name for name in others if name in page.locator("body").inner_text()]
    # Anything else typed in leads back to the meeting.
    typed = ["/", emma, emma + "add-note", emma + "full", fresh_server.log_path("Jonas Berg"),
             "/demo/new-log", "/admin", "/nosuchpage"]
    for url in typed:
        page.goto(url)
        expect(page).to_have_url(MEETING_URL)
        expect(page.get_by_role("heading", level=1)).to_have_text("Emma Nordmann")
    page.locator("main .concern a[href]").first.click()  # a real click on a concern
    expect(page.get_by_role("banner")).to_have_count(0)
    assert not [name for name in others if name in page.locator("body").inner_text()]
    page.goto(emma + "meeting-mode")

    page.get_by_role("button", name="Avslutt møtemodus").click()
    expect(page).to_have_url(re.compile(re.escape(emma) + "$"))
    expect(page.get_by_role("banner")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine logger")
    expect(page.get_by_role("navigation").first).to_be_visible()
    expect(page.get_by_role("link", name="Noah Hansen").first).to_be_visible()  # other logs


# -- accessibility of the holder's pages ---------------------------------------------------
def test_holder_log_page_and_concern_form_are_accessible(page, live_server):
    login_as(page, "larer")
    emma = live_server.log_path("Emma Nordmann")
    page.goto(emma)
    expect(page.get_by_role("button", name="Møtemodus")).to_be_visible()
    assert_accessible(page)

    page.goto(emma + "add-concern")
    assert_accessible(page)
    # Only spaces: past the browser's own required check, refused by the server.
    page.get_by_label("Oppmerksomhet", exact=True).fill("   ")
    page.get_by_label("Mål", exact=True).fill(VAGUE_MEASURE)
    page.get_by_role("button", name=SAVE_CONCERN).click()
    expect(page.get_by_role("alert")).to_contain_text("Oppmerksomhet")
    expect(page.locator(".item-text")).to_contain_text("Fyll ut dette feltet")
    expect(page.get_by_label("Mål", exact=True)).to_have_value(VAGUE_MEASURE)
    assert_accessible(page)
