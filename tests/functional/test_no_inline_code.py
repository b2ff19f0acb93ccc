"""No page carries inline script or style, which the Content-Security-Policy refuses
(views/response_headers.py), and none loads jQuery (Deform's bundled 2.0.3 has published XSS
advisories). Every page each demo role reaches by following links is read, the forms
among them included, and a form re-rendered after a failed POST."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
import webtest

from ..conftest import login

HOST = "http://localhost"
LINK = re.compile(r'<a\b[^>]*\bhref="([^"]+)"', re.IGNORECASE)
TAG = re.compile(r"<[a-zA-Z][^>]*>")
INLINE = {
    "an inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE),
    "a <style> element": re.compile(r"<style\b", re.IGNORECASE),
}
IN_TAG = {
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
}
SKIPPED = ("/logout", "/static", "format=pdf", "format=csv", "console-csv", "/pdf",
           "/attachment", "/file")
PAGES_PER_ROLE = 120
ROLES = ("larer", "rektor", "superbruker", "forelder", "assistent")
FORMS_EXPECTED = ("/new-log", "/add-concern", "/add-measure", "/add-meeting", "/add-glimpse",
                  "/add-note", "/consent", "/edit", "/console-staff", "/admin", "/transfer")


def inline_code(html: str) -> list[str]:
    """What in ``html`` the policy would refuse, or that names jQuery."""
    found = [f"{what}: {m.group(0)[:80]}" for what, pattern in INLINE.items()
             for m in pattern.finditer(html)]
    for tag in TAG.findall(html):
        found += [f"{what}: {tag[:80]}" for what, pattern in IN_TAG.items()
                  if pattern.search(tag)]
    if "javascript:" in html.lower():
        found.append("a javascript: URL")
    if "jquery" in html.lower():
        found.append("jQuery")
    return found


def crawl(client: webtest.TestApp, start: str = "/",
          check: Callable[[str], list[str]] = inline_code) -> dict[str, list[str]]:
    """Every HTML page reachable from ``start`` by links on this site: {path: problems},
    the problems as ``check`` finds them in the page (inline code unless told)."""
    seen, queue, pages = {start}, deque([start]), {}
    while queue and len(pages) < PAGES_PER_ROLE:
        path = queue.popleft()
        response = client.get(path, expect_errors=True)
        if response.content_type != "text/html":
            continue
        pages[path] = check(response.text)
        for href in LINK.findall(response.text):
            url = urljoin(HOST + path, unescape(href))
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}" != HOST:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen and not any(s in target for s in SKIPPED):
                seen.add(target)
                queue.append(target)
    return pages


def test_the_login_page_and_error_pages_have_no_inline_code(testapp):
    for path, status in (("/login", 200), ("/no/such/page", 404)):
        assert inline_code(testapp.get(path, status=status).text) == []


@pytest.mark.parametrize("username", ROLES)
def test_no_page_a_role_reaches_has_inline_code_or_jquery(app, username):
    client = webtest.TestApp(app)
    login(client, username)
    pages = crawl(client)
    assert len(pages) > 5, pages
    problems = {path: found for path, found in pages.items() if found}
    assert problems == {}


def test_the_holders_and_leaders_forms_are_among_the_pages_read(app):
    visited = set()
    for username in ("larer", "rektor", "superbruker"):
        client = webtest.TestApp(app)
        login(client, username)
        visited |= set(crawl(client))
    missing = [form for form in FORMS_EXPECTED
               if not any(urlsplit(p).path.endswith(form) for p in visited)]
    assert missing == []


def test_a_form_shown_again_after_a_failed_post_has_no_inline_code(testapp):
    login(testapp, "larer")
    page = testapp.get("/").click(href=r"/new-log$")
    assert "deform-seq" in page.text and 'type="date"' in page.text
    form = page.forms["deform"]
    form["subject_name"] = "Ida Testesen"
    form["fnr"] = "123"
    failed = form.submit("save", status=200)
    assert "deform-seq-item" in failed.text
    assert inline_code(failed.text) == []
