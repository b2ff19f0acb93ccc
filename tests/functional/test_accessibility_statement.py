"""The accessibility statement (tilgjengelighetserklæring): public, in nb, nn and en, and
linked from the footer of every page, error pages and meeting mode included."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import webtest

from stafett import main
from stafett.views.accessibility import STATEMENT_DATE

from ..conftest import app_settings, close_app, csrf_token, login
from .test_lifecycle import log_url
from .test_no_inline_code import crawl

STATEMENT_LINK = re.compile(r'<footer\b[^>]*>.*?<a\b[^>]*href="[^"]*/accessibility"',
                            re.DOTALL)
TITLES = {"nb": "Tilgjengelighetserklæring", "nn": "Tilgjengelegheitserklæring",
          "en": "Accessibility statement"}
TEMPLATES = Path(__file__).parents[2] / "stafett" / "templates"


def choose_language(client: webtest.TestApp, locale: str) -> None:
    token = csrf_token(client.get("/login"))
    client.post("/language", {"locale": locale, "csrf_token": token}, status=303)


def without_statement_link(html: str) -> list[str]:
    return [] if STATEMENT_LINK.search(html) else ["no link to the statement in a <footer>"]


@pytest.mark.parametrize("locale", ["nb", "nn", "en"])
def test_the_statement_is_public_and_in_each_language(testapp, locale):
    choose_language(testapp, locale)
    page = testapp.get("/accessibility", status=200)
    assert f'lang="{locale}"' in page.text
    assert re.search(rf"<h1>\s*{TITLES[locale]}\s*</h1>", page.text)
    assert f"<title>{TITLES[locale]}</title>" in page.text
    assert "WCAG 2.1" in page.text and " AA" in page.text
    assert "forskrift om universell utforming av IKT-l" in page.text  # the regulation
    assert 'href="https://www.uutilsynet.no/"' in page.text
    assert page.html.select("#known-gaps li"), "the statement names what does not conform"
    assert STATEMENT_DATE.strftime("%Y") in page.text


def test_without_a_contact_setting_the_reader_is_told_to_contact_the_municipality(testapp):
    page = testapp.get("/accessibility")
    assert "kontakt kommunen" in page.text
    assert not page.html.select("#accessibility-contact")


@pytest.mark.parametrize(("contact", "href"), [
    ("uu@kommune.no", "mailto:uu@kommune.no"),
    ("https://kommune.no/tilbakemelding", "https://kommune.no/tilbakemelding")])
def test_the_contact_comes_from_the_settings(datafs, contact, href):
    app = main({}, **app_settings(datafs, **{"stafett.accessibility_contact": contact}))
    try:
        page = webtest.TestApp(app).get("/accessibility")
    finally:
        close_app(app)
    link = page.html.select_one("#accessibility-contact")
    assert link["href"] == href and link.text == contact
    assert "kontakt kommunen" not in page.text


def test_public_and_error_pages_link_to_the_statement(testapp, read_root):
    pages = {"/login": 200, "/accessibility": 200, "/invitation/no-such-token": 200,
             "/no/such/page": 404}
    for path, status in pages.items():
        assert without_statement_link(testapp.get(path, status=status).text) == [], path
    assert without_statement_link(testapp.post("/logout", status=400).text) == []  # no CSRF
    login(testapp, "forelder")
    refused = testapp.get(log_url(read_root, "Jonas Berg"), status=403)
    assert without_statement_link(refused.text) == []


@pytest.mark.parametrize("username", ["larer", "rektor", "superbruker", "forelder"])
def test_every_page_a_role_reaches_links_to_the_statement(app, username):
    client = webtest.TestApp(app)
    login(client, username)
    pages = crawl(client, check=without_statement_link)
    assert len(pages) > 5, pages
    assert "/accessibility" in pages
    assert {path: found for path, found in pages.items() if found} == {}


def test_every_page_template_uses_the_layout_with_the_link():
    """Pages not reached above (no role after ID-porten, a server error) use the layout too:
    every template that is a whole HTML page does, except the sources of PDF files."""
    pdf_sources = {"archive.pt", "meeting_measures.pt", "access_log_pdf.pt", "report_pdf.pt",
                   "receiver.pt", "consent_form.pt"}
    whole_pages = [p for p in TEMPLATES.rglob("*.pt")
                   if p.name not in pdf_sources | {"layout.pt"} and "<html" in p.read_text()]
    assert len(whole_pages) > 10
    assert [p.name for p in whole_pages if "layout.pt" not in p.read_text()] == []
    assert STATEMENT_LINK.search((TEMPLATES / "layout.pt").read_text())


def test_meeting_mode_keeps_the_link_and_lets_the_statement_through(testapp, read_root):
    url = log_url(read_root, "Emma Nordmann")
    login(testapp, "larer")
    page = testapp.get(url)
    testapp.post(url + "meeting-mode", {"csrf_token": csrf_token(page)}, status=303)
    shown = testapp.get(url + "meeting-mode")
    assert without_statement_link(shown.text) == []
    statement = testapp.get("/accessibility", status=200)
    assert "Emma Nordmann" not in statement.text
    assert testapp.get("/", status=303).location.endswith(url + "meeting-mode")
