"""The accessibility statement in Chromium (axe, phone width) and keyboard use of the pages
the statement says are tested with the keyboard: the login page and a front page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import assert_accessible, login_as

pytestmark = pytest.mark.browser

INTERACTIVE = ("a[href], button, select, textarea, input:not([type=hidden]), summary, "
               "[tabindex]:not([tabindex='-1'])")
# Numbers every element the keyboard should reach, in the order of the page; returns them.
NUMBER_INTERACTIVE = """selector => {
  const reachable = [...document.querySelectorAll(selector)].filter(el =>
    !el.disabled && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'
    && (!el.closest('details') || el.closest('details').open || el.closest('summary')));
  reachable.forEach((el, i) => { el.dataset.kbd = String(i); });
  return reachable.map(el => (el.id || el.textContent || el.name || el.tagName).trim());
}"""
FOCUSED = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return {kbd: el.dataset.kbd ?? null, id: el.id, tag: el.tagName,
          visible: outlined || style.boxShadow !== 'none'};
}"""


def test_the_statement_is_accessible_on_a_desktop_and_a_phone(page):
    page.goto("/accessibility")
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 812})
        expect(page.get_by_role("heading", level=1)).to_have_text("Tilgjengelighetserklæring")
        expect(page.get_by_role("contentinfo").get_by_role("link")).to_have_text(
            "Tilgjengelighetserklæring")
        assert_accessible(page)
        scroll, window = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= window, f"scrolls sideways at {width} px: {scroll} > {window}"


def tab_through(page: Page) -> None:
    """Tab from the top of the page to its end: the skip link first, then every link, menu
    and button in the order of the page, each with a visible focus, the statement's link in
    the footer last."""
    names = page.evaluate(NUMBER_INTERACTIVE, INTERACTIVE)
    assert len(names) > 3, names
    reached = []
    for _ in names:
        page.keyboard.press("Tab")
        reached.append(page.evaluate(FOCUSED))
    order = [int(f["kbd"]) if f["kbd"] is not None else f"{f['tag']}#{f['id']}"
             for f in reached]
    assert order == list(range(len(names))), list(zip(order, names, strict=False))
    assert reached[0]["tag"] == "A" and names[0] == "Hopp til innholdet"
    assert reached[-1]["id"] == "accessibility-link"
    assert [names[i] for i, f in enumerate(reached) if not f["visible"]] == []


def skip_to_content(page: Page) -> None:
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Hopp til innholdet")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_the_login_page_by_keyboard(page):
    page.goto("/login")
    tab_through(page)
    page.goto("/login")
    skip_to_content(page)
    expect(page.get_by_label("Brukernavn")).to_be_focused()


def test_a_front_page_by_keyboard(page):
    login_as(page, "larer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine logger")
    tab_through(page)
    page.reload()
    skip_to_content(page)
    expect(page.locator("#page-help summary")).to_be_focused()  # the "?" (R43)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Øv i kursløsningen")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Ny logg")).to_be_focused()
