"""R37 in Chromium: a guardian finds "Varsler" from their login, chooses, and the holder
sees on the log page what could not be sent."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import assert_accessible, login_as

pytestmark = pytest.mark.browser


def test_a_guardian_chooses_how_to_be_told(new_page, fresh_server):
    page = new_page(fresh_server.url)
    login_as(page, "forelder")
    page.locator("#notification-settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Varsler")
    assert_accessible(page)
    page.get_by_label("Et nytt lysglimt").select_option("none")
    page.get_by_label("Mobilnummer").fill("912 34 567")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("Varselvalgene dine er lagret.")).to_be_visible()
    expect(page.get_by_label("Et nytt lysglimt")).to_have_value("none")
    expect(page.get_by_label("Mobilnummer")).to_have_value("+4791234567")
    page.screenshot(path="/tmp/notify-settings.png", full_page=True)


def test_the_holder_sees_a_notification_that_could_not_be_sent(new_page, serve):
    """The SMS gateway does not answer (nothing listens on its port): Ola's SMS about
    Kari's glimpse fails, and the holder is told whom to phone."""
    server = serve(**{"stafett.sms.url": "http://127.0.0.1:9/send",
                      "stafett.sms.timeout": "2"})
    guardian = new_page(server.url)
    login_as(guardian, "forelder2")
    guardian.goto(server.log_path("Emma Nordmann") + "add-glimpse")
    guardian.get_by_label("Lysglimt").fill("Vi bakte brød i dag.")
    guardian.get_by_role("button", name="Lagre").click()
    holder = new_page(server.url)
    login_as(holder, "larer")
    holder.goto(server.log_path("Emma Nordmann") + "full")
    failures = holder.locator("#failed-notices")
    expect(failures).to_contain_text("Varselet til Ola Nordmann om nytt lysglimt kunne ikke "
                                     "sendes: SMS-tjenesten svarte ikke.")
    expect(failures).not_to_contain_text("Kari Nordmann")  # she wrote it: not told
    assert_accessible(holder)
    failures.screenshot(path="/tmp/notify-failures.png")
