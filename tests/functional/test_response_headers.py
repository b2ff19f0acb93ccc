"""Security headers on every response (views/response_headers.py): pages, error pages, PDFs
and CSV files carry a Content-Security-Policy without inline code, are never cached, and
HSTS and the OpenID provider's place in form-action follow the settings."""

from __future__ import annotations

import pytest
import webtest

from stafett import main

from ..conftest import app_settings, close_app, login

ISSUER = "https://login.kommune.example:8443/realms/stafett"


@pytest.fixture
def urls(read_root) -> dict:
    with read_root() as root:
        m = root["demo"]
        logs = {log.subject.name: log for log in m.logs.values()}
        emma = logs["Emma Nordmann"]
        school = next(u for u in m.units.values() if u.name == "Solbakken skole")
        meeting = next(iter(emma.meetings.values()))
        base = f"/demo/logs/{emma.id}/"
        return {"log": base, "meeting_pdf": f"{base}meetings/{meeting.id}/pdf",
                "access_pdf": base + "access-log?format=pdf",
                "access_csv": base + "access-log?format=csv",
                "console_csv": f"/demo/units/{school.id}/console-csv?table=states",
                "other_log": f"/demo/logs/{logs['Jonas Berg'].id}/"}


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split(";") if d.strip()}


def assert_protected(response) -> None:
    """The headers every response that may show a child's data must carry."""
    policy = directives(response)
    assert policy["frame-ancestors"] == "'none'", response.request.url
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Cache-Control"] == "no-store", response.request.url


def test_pages_files_and_error_pages_carry_the_headers(testapp, urls):
    assert_protected(testapp.get("/login", status=200))
    assert_protected(testapp.get(urls["log"], status=303))  # not logged in: to the login page
    assert_protected(testapp.get("/no/such/page", status=404))

    login(testapp, "larer")
    log_page = testapp.get(urls["log"], status=200)
    assert_protected(log_page)
    assert directives(log_page) == {
        "default-src": "'self'", "script-src": "'self'", "style-src": "'self'",
        "img-src": "'self' data:", "font-src": "'self'", "object-src": "'none'",
        "base-uri": "'none'", "form-action": "'self'", "frame-ancestors": "'none'"}
    for name in ("meeting_pdf", "access_pdf"):
        pdf = testapp.get(urls[name], status=200)
        assert pdf.content_type == "application/pdf"
        assert_protected(pdf)
    csv = testapp.get(urls["access_csv"], status=200)
    assert csv.content_type == "text/csv"
    assert_protected(csv)
    assert_protected(testapp.post("/logout", {"csrf_token": "wrong"}, status=400))

    leader = webtest.TestApp(testapp.app)
    login(leader, "rektor")
    console_csv = leader.get(urls["console_csv"], status=200)
    assert console_csv.content_type == "text/csv"
    assert_protected(console_csv)

    guardian = webtest.TestApp(testapp.app)
    login(guardian, "forelder")
    assert_protected(guardian.get(urls["other_log"], status=403))


def test_a_file_keeps_its_own_stricter_policy(testapp, urls):
    login(testapp, "larer")
    pdf = testapp.get(urls["meeting_pdf"], status=200)
    assert directives(pdf)["default-src"] == "'none'"
    assert "sandbox" in directives(pdf)


def test_static_files_are_cached_but_still_nosniff(testapp):
    for path in ("/static/stafett.css", "/static-deform/form.css"):
        response = testapp.get(path, status=200)
        assert "no-store" not in response.headers["Cache-Control"]
        assert "max-age=3600" in response.headers["Cache-Control"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    missing = testapp.get("/static/no-such-file.css", status=404)
    assert missing.headers["Cache-Control"] == "no-store"  # the app's error page


def test_deforms_scripts_are_not_served(testapp):
    """Not loaded by any page, and not loadable either: an injected <script src> of a
    same-origin file would pass script-src 'self'."""
    for path in ("/static-deform/scripts/jquery-2.0.3.min.js", "/static-deform/scripts/deform.js",
                 "/static-deform/../scripts/deform.js"):
        testapp.get(path, status=404)


def test_no_hsts_unless_configured(testapp):
    assert "Strict-Transport-Security" not in testapp.get("/login").headers


@pytest.fixture
def configured_app(datafs):
    apps = []

    def start(**extra) -> webtest.TestApp:
        wsgi = main({}, **app_settings(datafs, **extra))
        apps.append(wsgi)
        return webtest.TestApp(wsgi)

    yield start
    for wsgi in apps:
        close_app(wsgi)


def test_hsts_with_the_setting(configured_app):
    testapp = configured_app(**{"stafett.hsts_seconds": "31536000"})
    for response in (testapp.get("/login"), testapp.get("/nope", status=404),
                     testapp.get("/static/stafett.css")):
        assert response.headers["Strict-Transport-Security"] == \
            "max-age=31536000; includeSubDomains"


def test_hsts_off_when_zero(configured_app):
    testapp = configured_app(**{"stafett.hsts_seconds": "0"})
    assert "Strict-Transport-Security" not in testapp.get("/login").headers


def test_form_action_allows_the_openid_provider_when_one_is_set(configured_app):
    """Chrome checks form-action on the redirect after a form's POST: logging out ends at
    the provider, so its origin (scheme, host and port; no path) must be allowed."""
    testapp = configured_app(**{"stafett.oidc.issuer": ISSUER,
                                "stafett.oidc.client_id": "stafett"})
    for response in (testapp.get("/login"), testapp.get("/nope", status=404)):
        assert directives(response)["form-action"] == \
            "'self' https://login.kommune.example:8443"


def test_an_issuer_that_is_no_url_stops_the_app():
    from pyramid.exceptions import ConfigurationError

    from stafett.views.response_headers import security_headers

    for bad in ("login.kommune.example", "https://x.example; script-src *",
                "javascript:alert(1)", "https://user:pw@x.example/", "https://x.example:99999"):
        with pytest.raises(ConfigurationError):
            security_headers({"stafett.oidc.issuer": bad})
