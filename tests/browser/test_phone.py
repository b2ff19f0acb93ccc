"""Stafett on a phone (issue 12): at 375 × 812 no page scrolls sideways, for every page
type each demo role reaches by following links (the forms among them); the top menu folds
behind a menu button; tables read as lists led by their columns' names; a glimpse can be
written with one thumb. At 1280 px the menu is shown unfolded; at 768 px (a tablet) nothing
scrolls sideways either.

Screenshots go to ``$STAFETT_SCREENSHOTS`` when it is set (they are looked at by a person,
not compared)."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_accessible, assert_no_sideways_scroll, login_as, shoot

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
TABLET = {"width": 768, "height": 1024}
DESKTOP = {"width": 1280, "height": 812}
# Downloads, the logout and ID-porten's pages are no pages of Stafett to look at.
SKIPPED = ("/logout", "/static", "format=pdf", "format=csv", "console-csv", "/pdf",
           "/attachment", "/file", "idporten")
ID = re.compile(r"^(?:[0-9a-f]{16}|\d{20}-[0-9a-f]{6})$")
PER_TYPE = 2  # pages of one type (one form, one log page) looked at per role
PAGES_PER_ROLE = 150
# The page types a role must reach, so that a lost link cannot shrink the test unnoticed.
EXPECTED = {
    "larer": ("/", "/demo/new-log", "/demo/logs/*/", "/demo/logs/*/add-concern",
              "/demo/logs/*/concerns/*/", "/demo/logs/*/concerns/*/add-measure",
              "/demo/logs/*/concerns/*/measures/*/evaluate",
              "/demo/logs/*/concerns/*/measures/*/correct",
              "/demo/logs/*/concerns/*/measures/*/misregister", "/demo/logs/*/add-meeting",
              "/demo/logs/*/add-glimpse", "/demo/logs/*/add-note",
              "/demo/logs/*/add-private-note", "/demo/logs/*/consent", "/demo/logs/*/transfer",
              "/demo/logs/*/close", "/demo/logs/*/grant", "/demo/logs/*/access-log",
              "/demo/logs/*/supervision", "/demo/logs/*/child-login", "/accessibility"),
    "assistent": ("/", "/demo/logs/*/", "/demo/logs/*/add-glimpse",
                  "/demo/logs/*/add-private-note"),
    "forelder": ("/", "/demo/logs/*/", "/demo/logs/*/full", "/demo/logs/*/add-glimpse",
                 "/demo/logs/*/before-meeting", "/demo/logs/*/meetings/*/feedback",
                 "/demo/logs/*/child-view"),
    "sara": ("/", "/demo/logs/*/", "/demo/logs/*/add-voice", "/demo/logs/*/add-glimpse"),
    "rektor": ("/demo/units/*/console", "/demo/units/*/console-logs",
               "/demo/units/*/console-staff", "/demo/units/*/console-transfers",
               "/demo/units/*/console-requests", "/demo/units/*/console-passive",
               "/demo/units/*/console-consents", "/demo/units/*/console-supervise?log",
               "/demo/units/*/employees/*/", "/demo/units/*/employees/*/edit",
               "/demo/units/*/audit"),
    "styrer": ("/demo/units/*/console", "/demo/units/*/console-delete?log",
               "/demo/units/*/console-requests", "/demo/units/*/audit"),
    "superbruker": ("/demo/admin", "/demo/units/*/admin-unit", "/demo/audit"),
    "helsesykepleier": ("/", "/demo/logs/*/", "/demo/logs/*/transfers/*/accept",
                        "/demo/logs/*/transfers/*/decline"),
    "siri": ("/", "/demo/units/*/requests/*/"),
}
# One look at a page: how far it scrolls sideways, whether its menu is folded, and every
# table cell whose data-label is not its column's heading (the words a phone shows for it).
LOOK = """() => {
  const words = el => el.textContent.replace(/\\s+/g, ' ').trim();
  const mislabelled = [];
  for (const table of document.querySelectorAll('table.list')) {
    const heads = [...table.querySelectorAll('thead th')].map(words);
    for (const row of table.querySelectorAll('tbody tr')) {
      [...row.cells].forEach((cell, i) => {
        if (heads[i] && cell.colSpan === 1 && cell.dataset.label !== heads[i]) {
          mislabelled.push(`${heads[i]} / ${cell.dataset.label}`);
        }
      });
    }
  }
  const menu = document.querySelector('details.menu');
  const button = menu && menu.querySelector('summary');
  return {sideways: document.documentElement.scrollWidth - window.innerWidth, mislabelled,
          folded: !menu || (!menu.open && button.getClientRects().length > 0)};
}"""




def page_type(url: str) -> str:
    """The kind of page ``url`` is: its path with ids blanked and its query's names only,
    e.g. ``/demo/logs/*/concerns/*/add-measure``."""
    parts = urlsplit(url)
    path = "/".join("*" if ID.match(segment) else segment for segment in parts.path.split("/"))
    names = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return path + ("?" + "&".join(names) if names else "")


def crawl(page: Page, start: str = "/", first: tuple[str, ...] = ()) -> dict[str, dict]:
    """Look at the pages reachable from ``start`` (and ``first``, looked at before the rest)
    by links on this site, at most ``PER_TYPE`` of each type: {url: what LOOK found, with
    the HTTP status}."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    seen, queue, found, per_type = {start, *first}, deque([*first, start]), {}, {}
    while queue and len(found) < PAGES_PER_ROLE:
        url = queue.popleft()
        kind = page_type(url)
        if per_type.get(kind, 0) >= PER_TYPE:
            continue
        per_type[kind] = per_type.get(kind, 0) + 1
        response = page.goto(url)
        found[url] = dict(page.evaluate(LOOK), status=response.status)
        # A link with the download attribute fetches a file, not a page.
        for href in page.eval_on_selector_all("a[href]:not([download])",
                                            "links => links.map(a => a.href)"):
            target = href.split("#")[0].removeprefix(origin) or "/"
            if (href.startswith(origin) and target not in seen
                    and not any(s in target for s in SKIPPED)):
                seen.add(target)
                queue.append(target)
    return found


def problems(pages: dict[str, dict], folded: bool = True) -> dict[str, list[str]]:
    found = {}
    for url, look in pages.items():
        wrong = [f"scrolls sideways by {look['sideways']} px"] if look["sideways"] > 0 else []
        wrong += [f"HTTP {look['status']}"] if look["status"] >= 500 else []
        wrong += [f"cell labelled wrong: {m}" for m in look["mislabelled"]]
        wrong += ["the menu is not folded"] if folded and not look["folded"] else []
        if wrong:
            found[url] = wrong
    return found


# The log with every kind of measure action: the front page may list others first.
RICHEST_LOG = {"larer": "Emma Nordmann"}


@pytest.mark.parametrize("username", sorted(EXPECTED))
def test_no_page_a_role_reaches_scrolls_sideways_on_a_phone(page, live_server, username):
    page.set_viewport_size(PHONE)
    login_as(page, username)
    richest = RICHEST_LOG.get(username)
    pages = crawl(page, first=(live_server.log_path(richest),) if richest else ())
    missing = set(EXPECTED[username]) - {page_type(url) for url in pages}
    assert missing == set(), f"{username} no longer reaches these pages"
    assert problems(pages) == {}


@pytest.mark.parametrize("username", ("larer", "rektor", "superbruker", "forelder"))
def test_no_page_scrolls_sideways_on_a_tablet(page, username):
    page.set_viewport_size(TABLET)
    login_as(page, username)
    pages = crawl(page)
    assert len(pages) > 3
    assert problems(pages, folded=False) == {}


def test_pages_before_login_and_error_pages_fit_a_phone(page):
    page.set_viewport_size(PHONE)
    for path, status in (("/login", 200), ("/accessibility", 200), ("/demo/ask-for-log", 200),
                         ("/no/such/page", 404)):
        assert page.goto(path).status == status
        assert_no_sideways_scroll(page)
    assert_accessible(page)
    login_as(page, "forelder")
    assert page.goto("/demo/admin").status == 403
    assert_no_sideways_scroll(page)
    login_as(page, "siri")
    page.goto("/demo/ask-for-log")
    expect(page.locator("form#ask")).to_be_visible()
    assert_no_sideways_scroll(page)


def test_the_menu_folds_on_a_phone_and_opens_with_its_button(page):
    page.set_viewport_size(PHONE)
    login_as(page, "rektor")
    menu_button = page.locator("summary.menu-button")
    log_out = page.get_by_role("button", name="Logg ut", exact=True)
    expect(menu_button).to_have_text("Meny")
    expect(log_out).to_be_hidden()
    expect(page.get_by_role("link", name="Enhet")).to_be_hidden()
    assert_accessible(page)
    menu_button.click()
    expect(log_out).to_be_visible()
    expect(page.get_by_role("link", name="Enhet")).to_be_visible()
    expect(page.get_by_label("Språk", exact=True)).to_be_visible()
    box = log_out.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert box["height"] >= 44, "a thumb-sized button"
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    shoot(page, "phone-menu-open-375")
    log_out.click()
    expect(page).to_have_url(re.compile(r"/login$"))


def test_the_menu_by_keyboard_on_a_phone(page):
    page.set_viewport_size(PHONE)
    login_as(page, "larer")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the app's name
    page.keyboard.press("Tab")
    expect(page.locator("summary.menu-button")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Mine logger")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("summary.menu-button")).to_be_focused()
    expect(page.get_by_role("button", name="Logg ut", exact=True)).to_be_hidden()
    page.keyboard.press("Space")
    expect(page.get_by_role("button", name="Logg ut", exact=True)).to_be_visible()


def test_the_menu_is_unfolded_on_a_desktop_with_or_without_script(browser, live_server):
    for script in (True, False):
        context = browser.new_context(base_url=live_server.url, java_script_enabled=script,
                                      viewport=DESKTOP)
        page = login_as(context.new_page(), "superbruker")
        expect(page.locator("summary.menu-button")).to_be_hidden()
        for link in ("Mine logger", "Kommune", "Revisjon kommune"):
            expect(page.get_by_role("link", name=link, exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Logg ut", exact=True)).to_be_visible()
        page.goto("/demo/audit")  # its wide table once made this page scroll at 1280 px
        assert_no_sideways_scroll(page)
        context.close()


def test_the_menu_opens_on_a_phone_without_script(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  viewport=PHONE)
    page = login_as(context.new_page(), "forelder")
    expect(page.get_by_role("button", name="Logg ut", exact=True)).to_be_hidden()
    page.locator("summary.menu-button").click()
    expect(page.get_by_role("button", name="Logg ut", exact=True)).to_be_visible()
    context.close()


def test_a_table_reads_as_a_list_on_a_phone_and_as_a_table_on_a_desktop(page):
    login_as(page, "larer")
    cell = page.locator("table.list td[data-label='Status']").first
    for viewport, display in ((PHONE, "block"), (DESKTOP, "table-cell")):
        page.set_viewport_size(viewport)
        assert cell.evaluate("td => getComputedStyle(td).display") == display
    page.set_viewport_size(PHONE)
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Status: "'
    shoot(page, "phone-home-375")
    expect(page.locator("table.list thead").first).to_be_attached()  # for screen readers


def test_labels_follow_the_language(new_page, fresh_server):
    # The language is stored on the account: a copy of the database of its own.
    page = login_as(new_page(fresh_server.url), "rektor")
    page.set_viewport_size(PHONE)
    page.locator("summary.menu-button").click()
    page.get_by_label("Språk", exact=True).select_option("nn")
    expect(page.locator("html")).to_have_attribute("lang", "nn")
    page.locator("summary.menu-button").click()
    page.get_by_role("link", name="Eining", exact=True).click()
    page.locator("nav.tabs").get_by_role("link", name="Tilsette").click()
    look = page.evaluate(LOOK)
    assert look["mislabelled"] == [] and look["sideways"] <= 0
    heads = page.locator("table.list thead th").all_inner_texts()
    labels = page.locator("table.list tbody tr").first.locator("td").evaluate_all(
        "cells => cells.map(c => c.dataset.label)")
    assert labels == heads and "Namn" in heads


def test_the_holder_writes_a_glimpse_with_one_thumb(new_page, fresh_server):
    page = new_page(fresh_server.url)
    page.set_viewport_size(PHONE)
    login_as(page, "larer")
    page.goto(fresh_server.log_path("Emma Nordmann"))
    write = page.get_by_role("link", name="Skriv et lysglimt")
    in_first_screen(write)
    assert_accessible(page)
    shoot(page, "phone-log-holder-375")
    write.click()
    _glimpse_form(page, "Emma leste høyt for klassen i dag.")
    expect(page.locator("#glimpses")).to_contain_text("Emma leste høyt for klassen i dag.")


def test_long_words_addresses_and_links_break_instead_of_widening_the_page(new_page,
                                                                          fresh_server):
    words = ("Tilgjengelighetserklæringsarbeidsgruppemøteinnkallingen til "
             "kontaktlaereren.med.et.langt.navn@solbakken-skole.demo.kommune.no, se "
             "https://www.example.org/stafettlogg/veiledning/for/foresatte/og/ansatte/i/"
             "kommunen/som/bruker/telefonen/til/lysglimt")
    holder = new_page(fresh_server.url)
    holder.set_viewport_size(PHONE)
    login_as(holder, "larer")
    holder.goto(fresh_server.log_path("Emma Nordmann") + "add-glimpse")
    holder.get_by_label("Lysglimt").fill(words)
    holder.get_by_role("button", name="Lagre").click()
    expect(holder.locator("#glimpses")).to_contain_text("Tilgjengelighetserklærings")
    assert_no_sideways_scroll(holder)
    guardian = new_page(fresh_server.url)
    guardian.set_viewport_size(PHONE)
    login_as(guardian, "forelder")
    guardian.goto(fresh_server.log_path("Emma Nordmann"))
    expect(guardian.locator(".family-glimpses")).to_contain_text("kontaktlaereren.med")
    assert_no_sideways_scroll(guardian)


def test_a_tablet_shows_the_menu_and_tables_as_they_are_on_a_desktop(page, live_server):
    page.set_viewport_size(TABLET)
    login_as(page, "larer")
    expect(page.locator("summary.menu-button")).to_be_hidden()
    expect(page.get_by_role("button", name="Logg ut", exact=True)).to_be_visible()
    cell = page.locator("table.list td[data-label='Status']").first
    assert cell.evaluate("td => getComputedStyle(td).display") == "table-cell"
    shoot(page, "tablet-home-768")
    page.goto(live_server.log_path("Emma Nordmann"))
    expect(page.get_by_role("link", name="Skriv et lysglimt")).to_be_visible()
    assert_no_sideways_scroll(page)
    shoot(page, "tablet-log-holder-768")


def test_a_guardian_reads_the_agreement_and_writes_a_glimpse_with_one_thumb(new_page,
                                                                           fresh_server):
    page = new_page(fresh_server.url)
    page.set_viewport_size(PHONE)
    login_as(page, "forelder")
    page.goto(fresh_server.log_path("Emma Nordmann"))
    in_first_screen(page.get_by_role("link", name="Skriv et lysglimt"))
    agreed = page.get_by_role("heading", name="Dette er avtalt nå").bounding_box()
    assert agreed["y"] < 2 * PHONE["height"], "what is agreed is near the top"
    shoot(page, "phone-log-guardian-375")
    page.get_by_role("link", name="Skriv et lysglimt").click()
    _glimpse_form(page, "Emma fortalte om boka hun leser.")
    expect(page.locator(".family-glimpses")).to_contain_text("Emma fortalte om boka hun leser.")


def in_first_screen(locator) -> None:
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], "reached without scrolling"
    assert box["height"] >= 44, "a thumb-sized target"


def _glimpse_form(page: Page, text: str) -> None:
    field = page.get_by_label("Lysglimt")
    save = page.get_by_role("button", name="Lagre")
    field.fill(text)
    width = field.bounding_box()["width"]
    assert 0.8 * PHONE["width"] <= width <= PHONE["width"], "the text field fills the width"
    in_first_screen(save)
    assert save.bounding_box()["width"] >= 0.5 * PHONE["width"], "a wide button"
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    shoot(page, "phone-glimpse-form-375")
    save.click()
    expect(page.locator(".flash")).to_contain_text("Lysglimtet er lagret")


def test_a_leaders_console_on_a_phone(page):
    page.set_viewport_size(PHONE)
    login_as(page, "rektor")
    page.locator("summary.menu-button").click()
    page.get_by_role("link", name="Enhet").click()
    expect(page.locator("nav.tabs")).to_be_visible()
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    shoot(page, "phone-console-375")
    page.locator("nav.tabs").get_by_role("link", name="Logger", exact=True).click()
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    shoot(page, "phone-console-logs-375")


def test_a_measure_form_on_a_phone(page, live_server):
    page.set_viewport_size(PHONE)
    login_as(page, "larer")
    page.goto(live_server.log_path("Emma Nordmann"))
    page.locator("article.concern h3 a").first.click()
    page.get_by_role("link", name="Nytt tiltak").click()
    expect(page.get_by_label("Tiltak", exact=True)).to_be_visible()
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    shoot(page, "phone-measure-form-375")


def test_the_audit_report_and_the_superusers_page_on_a_phone(page):
    page.set_viewport_size(PHONE)
    login_as(page, "superbruker")
    for path, name in (("/demo/audit", "audit"), ("/demo/admin", "admin")):
        page.goto(path)
        assert_no_sideways_scroll(page)
        assert_accessible(page)
        shoot(page, f"phone-{name}-375")


def test_meeting_mode_fits_a_phone(new_page, fresh_server):
    page = new_page(fresh_server.url)
    page.set_viewport_size(PHONE)
    login_as(page, "larer")
    page.goto(fresh_server.log_path("Emma Nordmann"))
    page.get_by_role("button", name="Møtemodus").click()
    expect(page).to_have_url(re.compile(r"/meeting-mode$"))
    assert_no_sideways_scroll(page)
