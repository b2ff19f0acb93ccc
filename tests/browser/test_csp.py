"""The Content-Security-Policy in a real Chromium (views/response_headers.py): walking the
holder's pages and forms (the guardian sequence, a date, the language menu, meeting mode)
meets no violation, loads no jQuery, and the scripts that replaced inline code work."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import login_as

pytestmark = pytest.mark.browser

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.reportCspViolation(e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + (e.sourceFile || location.pathname) + ":" + e.lineNumber);
});
"""


class Watched:
    """A page whose CSP violations (reported by the page and in the console) and requested
    URLs are all recorded, across navigations."""

    def __init__(self, page: Page):
        self.page, self.violations, self.requests = page, [], []
        page.expose_function("reportCspViolation", lambda text: self.violations.append(text))
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self._console)
        page.on("request", lambda request: self.requests.append(request.url))

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.violations.append(f"console: {message.text}")


def test_the_holders_pages_and_forms_meet_no_csp_violation(fresh_server, new_page):
    watched = Watched(new_page(fresh_server.url))
    page = watched.page
    page.goto("/login")
    login_as(page, "larer")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine logger")
    emma = fresh_server.log_path("Emma Nordmann")
    page.goto(emma)
    expect(page.get_by_role("heading", level=1)).to_have_text("Emma Nordmann")

    # The language menu sends its form when changed (static/page.js, not onchange=).
    page.get_by_label("Språk", exact=True).select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Language", exact=True).select_option("nb")
    expect(page.locator("html")).to_have_attribute("lang", "nb")

    # A date field is the browser's own date input; its value is sent as YYYY-MM-DD.
    page.goto(emma + "consent")
    date = page.get_by_label("Dato gitt")
    expect(date).to_have_attribute("type", "date")
    date.fill("2024-03-01")
    expect(date).to_have_value("2024-03-01")
    page.goto(emma + "add-meeting")
    page.goto("/no/such/page")

    # Meeting mode, entered and left by its buttons.
    page.goto(emma)
    page.get_by_role("button", name="Møtemodus").click()
    expect(page).to_have_url(re.compile(r"/meeting-mode$"))
    page.get_by_role("button", name="Avslutt møtemodus").click()
    expect(page).to_have_url(re.compile(re.escape(emma) + "$"))

    assert watched.violations == []
    assert [url for url in watched.requests if "jquery" in url.lower()] == []


def test_guardians_are_added_and_removed_without_jquery(fresh_server, new_page):
    from stafett.scripts.demo import make_fnr, years_ago

    watched = Watched(new_page(fresh_server.url))
    page = login_as(watched.page, "larer")
    page.get_by_role("link", name="Ny logg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ny logg")
    assert page.evaluate("typeof window.jQuery") == "undefined"
    guardians = page.locator(".item-guardians .deform-seq-item")
    add = page.get_by_role("button", name="Legg til foresatt")
    expect(guardians).to_have_count(1)

    add.click()
    add.click()
    expect(guardians).to_have_count(3)
    # Each new item's labels point at its own fields.
    expect(guardians.nth(2).get_by_label("Navn", exact=True)).to_be_focused()  # the newest
    guardians.nth(1).get_by_label("Navn", exact=True).fill("Fjernes Igjen")
    guardians.nth(2).get_by_label("Navn", exact=True).fill("Pia Testesen")
    guardians.nth(2).get_by_label("E-post").fill("pia@example.org")
    guardians.nth(1).get_by_role("button", name="Fjern").click()
    expect(guardians).to_have_count(2)
    expect(guardians.nth(1).get_by_label("Navn", exact=True)).to_have_value("Pia Testesen")

    page.get_by_label("Navnet til barnet eller ungdommen").fill("Ida Testesen")
    page.locator("input[name=fnr]").fill(make_fnr(years_ago(9), serial=8))
    guardians.nth(0).get_by_label("Navn", exact=True).fill("Per Testesen")
    page.get_by_label("Første møte (valgfritt)").fill("2030-01-15")
    page.get_by_role("button", name="Opprett utkast").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ida Testesen")
    family = page.locator("section", has=page.get_by_role("heading", name="Foresatte"))
    expect(family.get_by_role("listitem")).to_have_count(2)
    expect(family).to_contain_text("Per Testesen")
    expect(family).to_contain_text("Pia Testesen pia@example.org")
    expect(page.locator("body")).not_to_contain_text("Fjernes Igjen")
    assert watched.violations == []
    assert [url for url in watched.requests if "jquery" in url.lower()] == []


def test_a_violation_would_be_seen(live_server, new_page):
    """The recorder is not blind: inline script added to a page is refused and reported."""
    watched = Watched(new_page(live_server.url))
    page = watched.page
    page.goto("/login")
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.ranInline = true";
        document.body.appendChild(script);
        const div = document.createElement("div");
        div.setAttribute("style", "color: red");
        document.body.appendChild(div);
    }""")
    assert page.evaluate("window.ranInline === undefined")
    page.wait_for_timeout(200)  # the report is an event, sent a moment later
    assert any("script-src" in v for v in watched.violations), watched.violations
