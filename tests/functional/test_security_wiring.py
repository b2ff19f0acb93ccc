"""The security wiring itself: every view names a permission, sessions end when idle,
one-time codes are enforced, and retries follow conflicts."""

from __future__ import annotations

import time

import pyotp
import webtest

from stafett import main

from ..conftest import app_settings, close_app, login

PUBLIC_VIEWS = {"login", "logout", "language"}


def test_every_view_has_an_explicit_permission(app):
    missing = []
    for item in app.registry.introspector.get_category("views"):
        view = item["introspectable"]
        name, context = view["name"], view["context"]
        if view.get("exception_only") or name.startswith("__static") or context is None:
            continue
        if getattr(context, "__module__", "").startswith(("pyramid", "webob")):
            continue
        permissions = [r for r in item["related"] if r.category_name == "permissions"]
        if name not in PUBLIC_VIEWS and not permissions:
            missing.append(f"{getattr(context, '__name__', context)}/{name}")
    assert missing == []


def test_r39_sessions_end_after_inactivity(datafs):
    # Pyramid stores the last access in whole seconds: idle 2 s, then wait well past it.
    wsgi = main({}, **app_settings(datafs, **{"stafett.session_idle_seconds": "2",
                                              "stafett.session_reissue_seconds": "0"}))
    try:
        testapp = webtest.TestApp(wsgi)
        login(testapp, "larer")
        testapp.get("/", status=200)
        time.sleep(3.5)
        assert testapp.get("/", status=303).location.endswith("/login")
    finally:
        close_app(wsgi)


def test_r39_an_account_with_one_time_codes_needs_a_current_code(testapp, read_root):
    secret = pyotp.random_base32()
    with read_root() as root:
        root.accounts["sara"].otp_secret = secret
    assert login(testapp, "sara").status_int == 200  # no code: refused
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    assert login(testapp, "sara", otp=wrong).status_int == 200
    response = login(testapp, "sara", otp=pyotp.TOTP(secret).now())
    assert response.status_int == 303
    assert "Sara Lund" in testapp.get("/").text


def test_a_deactivated_employee_cannot_log_in(testapp, read_root):
    with read_root() as root:
        municipality = root["demo"]
        municipality.employee(root.accounts["larer"].employee_id).active = False
    response = login(testapp, "larer")
    assert response.status_int == 200
    assert "Feil brukernavn" in response.text


def test_a_form_post_with_a_stale_token_gets_a_clear_400_page(testapp):
    login(testapp, "larer")
    response = testapp.post("/language", {"locale": "nn", "csrf_token": "stale"}, status=400)
    assert "Skjemaet var utløpt" in response.text


def test_an_unexpected_error_shows_a_plain_page_and_logs_no_content(testapp, monkeypatch,
                                                                    caplog):
    from stafett.views import home

    leaked = "Emma Nordmann 12345678901"

    def broken(account, municipality):
        raise KeyError(leaked)  # the message carries content; the source line does not

    monkeypatch.setattr(home, "_my_log_ids", broken)
    login(testapp, "larer")
    response = testapp.get("/", status=500)
    assert "Noe gikk galt hos oss" in response.text
    assert "Emma" not in response.text and "12345678901" not in response.text
    logged = caplog.text
    assert "unhandled KeyError on GET /" in logged
    assert "Emma" not in logged and "12345678901" not in logged


def test_r28_a_button_sent_after_the_session_ended_returns_to_its_page_after_login(
        testapp, read_root):
    with read_root() as root:
        noah = next(log for log in root["demo"].logs.values()
                    if log.subject.name == "Noah Hansen")
        page = f"http://localhost/demo/logs/{noah.id}/"
    response = testapp.post(page + "activate", headers={"Referer": page}, status=303)
    assert response.location.endswith("/login")
    assert login(testapp, "larer").location == page  # the log page, not the POST-only URL
    testapp.reset()
    testapp.post(page + "activate", headers={"Referer": "http://elsewhere.example/x"})
    assert login(testapp, "larer").location == "http://localhost/"  # never off-site
