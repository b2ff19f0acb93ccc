"""The leader's console and the audit report in a real browser, checked with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, login_as

pytestmark = pytest.mark.browser


def test_leader_console_and_audit_pages_are_accessible(page, live_server):
    login_as(page, "rektor")
    page.get_by_role("link", name="Enhet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Solbakken skole")
    assert page.locator("svg").count() >= 1  # the statistics charts are drawn server-side
    assert_accessible(page)
    for tab in ("Logger", "Ansatte", "Overføringer", "Samtykker"):
        page.get_by_role("link", name=tab, exact=True).first.click()
        assert_accessible(page)
    page.get_by_role("link", name="Revisjon").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Solbakken skole")
    assert_accessible(page)


def test_family_access_log_is_accessible(page, live_server):
    login_as(page, "forelder")
    page.goto(live_server.url + live_server.log_path("Emma Nordmann"))
    page.get_by_role("link", name="Hvem har lest loggen").click()
    expect(page.locator("table")).to_be_visible()
    assert_accessible(page)
