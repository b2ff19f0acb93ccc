"""New users log in through the test provider's own login page (tests/oidc_provider,
configured like ID-porten) in Chromium: an employee, a guardian by fødselsnummer and by
invitation link, a youth of 16 each land on their own front page; a person with no role
sees a plain page; a logout at the provider ends Stafett's session (back-channel)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from stafett.scripts.demo import make_fnr, years_ago
from stafett.workflows.invitation import invite_guardian

from ..oidc import OidcProvider
from ..ports import free_port
from .conftest import _copy_datafs, assert_accessible, running_server

HIGH = "idporten-loa-high"


@pytest.fixture(scope="module")
def idporten_server(demo_datafs, tmp_path_factory):
    port = free_port()
    app_url = f"http://127.0.0.1:{port}"
    client = {"client_id": "stafett", "client_secret": "browser-test-secret",
              "token_endpoint_auth_method": "client_secret_basic",
              "redirect_uris": [f"{app_url}/idporten-callback"],
              "post_logout_redirect_uris": [f"{app_url}/login"],
              "backchannel_logout_uri": f"{app_url}/idporten-backchannel-logout"}
    datafs = _copy_datafs(demo_datafs, tmp_path_factory.mktemp("idporten-db"))
    with OidcProvider([client]) as provider:
        settings = {"stafett.oidc.issuer": provider.issuer, "stafett.oidc.client_id": "stafett",
                    "stafett.oidc.client_secret": client["client_secret"],
                    "stafett.local_login": "children"}
        with running_server(datafs, port=port, **settings) as server:
            server.provider = provider
            yield server


def number_of(server, find) -> str:
    with server.root() as root:
        return find(root["demo"], root)


def employee(username):
    return lambda m, root: m.employee(root.accounts[username].employee_id).fnr


def child(name):
    return lambda m, root: next(log for log in m.logs.values() if log.subject.name == name)


def log_in_with_idporten(page: Page, pid: str, start: str = "/login") -> Page:
    """As a person would: the button on the login page, the provider's own form."""
    page.goto(start)
    page.locator("#idporten-login, #accept-invitation").first.click()
    page.locator("#pid").fill(pid)
    page.locator("#acr").select_option(HIGH)
    page.locator("#submit").click()
    expect(page.locator("#pid")).to_have_count(0)  # back from the provider
    return page


@pytest.fixture
def visitor(new_page, idporten_server) -> Page:
    return new_page(idporten_server.url)


def test_an_employee_lands_on_their_work(visitor, idporten_server):
    log_in_with_idporten(visitor, number_of(idporten_server, employee("larer")))
    expect(visitor).to_have_url(idporten_server.url + "/")
    expect(visitor.get_by_text("Emma Nordmann").first).to_be_visible()
    assert_accessible(visitor)


def test_a_guardian_by_fodselsnummer_lands_on_the_familys_logs(visitor, idporten_server):
    ola = number_of(idporten_server, lambda m, root: next(
        g.fnr for g in child("Emma Nordmann")(m, root).guardians.values()
        if g.name == "Ola Nordmann"))
    log_in_with_idporten(visitor, ola)
    expect(visitor).to_have_url(idporten_server.url + "/")
    expect(visitor.get_by_text("Emma Nordmann").first).to_be_visible()
    expect(visitor.get_by_text("Jonas Berg")).to_have_count(0)


def test_a_guardian_by_invitation_link(visitor, idporten_server):
    with idporten_server.root() as root:
        jonas = child("Jonas Berg")(root["demo"], root)
        guardian = next(iter(jonas.guardians.values()))
        token = invite_guardian(guardian, root.accounts["larer"])
    visitor.goto(f"/invitation/{token}")
    expect(visitor.locator("#invitation h1")).to_be_visible()
    log_in_with_idporten(visitor, make_fnr(years_ago(42), 61), start=f"/invitation/{token}")
    expect(visitor).to_have_url(idporten_server.url + "/")
    expect(visitor.get_by_text("Jonas Berg").first).to_be_visible()


def test_a_youth_of_16_lands_on_her_own_log(visitor, idporten_server):
    sara = number_of(idporten_server, lambda m, root: child("Sara Lund")(m, root).subject.fnr)
    log_in_with_idporten(visitor, sara)
    expect(visitor.get_by_text("Sara Lund").first).to_be_visible()


def test_a_person_with_no_role_sees_a_clear_page(new_page, idporten_server):
    for width in (1280, 375):
        page = new_page(idporten_server.url)
        page.set_viewport_size({"width": width, "height": 812})
        log_in_with_idporten(page, make_fnr(years_ago(30), 62 + width % 7))
        expect(page.locator("#no-role h1")).to_have_text("Du har ikke tilgang til Stafett")
        assert_accessible(page)


def test_logging_out_at_the_provider_ends_the_stafett_session(visitor, idporten_server):
    """Back-channel logout: the provider tells Stafett, server to server."""
    log_in_with_idporten(visitor, number_of(idporten_server, employee("rektor")))
    expect(visitor).to_have_url(idporten_server.url + "/")
    visitor.goto(idporten_server.provider.metadata()["end_session_endpoint"])
    expect(visitor).to_have_url(re.compile(r"/session/end/success"))
    visitor.goto(idporten_server.url + "/")
    expect(visitor).to_have_url(re.compile(r"/login$"))


def test_logout_in_stafett_returns_to_the_login_page(visitor, idporten_server):
    log_in_with_idporten(visitor, number_of(idporten_server, employee("larer")))
    visitor.locator("form[action$='/logout'] button").click()
    expect(visitor).to_have_url(re.compile(r"/login(\?state=[\w-]+)?$"))
    expect(visitor.get_by_text("Du er logget ut")).to_be_visible()
    visitor.goto("/")
    expect(visitor).to_have_url(re.compile(r"/login$"))
