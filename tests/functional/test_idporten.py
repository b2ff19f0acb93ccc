"""Login through a real OpenID provider on loopback, configured like ID-porten
(tests/oidc_provider): who someone is follows from the fødselsnummer (R1, R5, R9), the
invitation binds a guardian, a person with no role is told so, a low level is refused,
and logging out ends the session at the provider too.

The app runs under WebTest; the provider is a real server. The browser's side of the
provider (its login page and cookies) is a ``requests`` session; the redirect back to
Stafett is followed in WebTest. Back-channel logout needs Stafett on a port: see
tests/browser/test_idporten_login.py.
"""

from __future__ import annotations

import email
import os
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import webtest

from stafett import main
from stafett.audit import INSTALLATION
from stafett.models.indexes import person_key
from stafett.scripts.demo import make_fnr, years_ago

from ..conftest import app_settings, close_app, csrf_token
from ..oidc import OidcProvider, log_in_at_provider

APP = "http://localhost"
CLIENT = {"client_id": "stafett", "client_secret": "stafett-test-secret",
          "token_endpoint_auth_method": "client_secret_basic",
          "redirect_uris": [f"{APP}/idporten-callback"],
          "post_logout_redirect_uris": [f"{APP}/login"],
          # Nothing listens there (WebTest has no port): it makes the provider put ``sid``
          # in the ID token, as ID-porten always does.
          "backchannel_logout_uri": f"{APP}/idporten-backchannel-logout"}
HIGH, SUBSTANTIAL = "idporten-loa-high", "idporten-loa-substantial"


@pytest.fixture(scope="module")
def provider():
    with OidcProvider([CLIENT]) as running:
        yield running


def idporten_settings(provider) -> dict:
    return {"stafett.oidc.issuer": provider.issuer, "stafett.oidc.client_id": "stafett",
            "stafett.oidc.client_secret": CLIENT["client_secret"],
            "stafett.local_login": "children"}


@pytest.fixture
def app(datafs, provider):
    wsgi = main({}, **app_settings(datafs, **idporten_settings(provider)))
    yield wsgi
    close_app(wsgi)


class Person:
    """One browser: Stafett's cookies in WebTest, the provider's in a requests session."""

    def __init__(self, app):
        self.stafett = webtest.TestApp(app)
        self.at_provider = requests.Session()

    def log_in(self, pid: str, acr: str = HIGH, start: str = "/idporten-login"):
        out = self.stafett.get(start, status=303)
        back = self.provider_login(out.location, pid, acr)
        return self.stafett.get(back, expect_errors=True)

    def provider_login(self, url: str, pid: str, acr: str = HIGH) -> str:
        """The provider's own login page, filled in; returns where it sends the browser."""
        page = self.at_provider.get(url, allow_redirects=True)
        answer = log_in_at_provider(self.at_provider, page, pid, acr)
        location = answer.headers.get("Location") or answer.url
        assert location.startswith(APP), location
        return location


def demo_fnr(app, what) -> str:
    db = app.registry._zodb_databases[""]
    conn = db.open()
    try:
        root = conn.root()["stafett"]
        return what(root["demo"], root)
    finally:
        conn.close()


def employee_fnr(username):
    return lambda m, root: m.employee(root.accounts[username].employee_id).fnr


def log_of(name):
    return lambda m, root: next(log for log in m.logs.values() if log.subject.name == name)


def guardian_fnr(child, guardian_name):
    def find(m, root):
        return next(g.fnr for g in log_of(child)(m, root).guardians.values()
                    if g.name == guardian_name)
    return find


def test_an_employee_logs_in_by_fodselsnummer_and_sees_their_work(app, access):
    person = Person(app)
    front = person.log_in(demo_fnr(app, employee_fnr("larer"))).follow()
    assert "Emma Nordmann" in front.text and "Jonas Berg" in front.text
    assert access.of_kind("login")[-1][1]["actor_kind"] == "employee"
    # The leader's own account: the same one the demo's local login uses.
    assert demo_fnr(app, lambda m, root: root.accounts_by_fnr[
        person_key(employee_fnr("larer")(m, root))]) == "larer"


def test_a_guardian_whose_number_is_on_a_log_sees_that_log(app):
    person = Person(app)
    front = person.log_in(demo_fnr(app, guardian_fnr("Emma Nordmann", "Ola Nordmann"))).follow()
    assert "Emma Nordmann" in front.text and "Jonas Berg" not in front.text
    log_id = demo_fnr(app, lambda m, root: log_of("Emma Nordmann")(m, root).id)
    assert person.stafett.get(f"/demo/logs/{log_id}/").status_int == 200


def test_a_youth_of_16_sees_her_own_log(app):
    person = Person(app)
    sara = demo_fnr(app, lambda m, root: log_of("Sara Lund")(m, root).subject.fnr)
    front = person.log_in(sara).follow()
    assert "Sara Lund" in front.text


def test_a_child_under_16_has_no_login_by_fodselsnummer(app, access):
    person = Person(app)
    emma = demo_fnr(app, lambda m, root: log_of("Emma Nordmann")(m, root).subject.fnr)
    page = person.log_in(emma)
    assert page.status_int == 403 and "id=\"no-role\"" in page.text


def test_a_teacher_who_is_also_a_parent_sees_both_roles(app):
    person = Person(app)
    front = person.log_in(demo_fnr(app, employee_fnr("assistent"))).follow()
    assert "Emma Nordmann" in front.text  # an actor in Emma's log at school
    assert "Lea Olsen" in front.text  # his own child's log, at the kindergarten
    lea = demo_fnr(app, lambda m, root: log_of("Lea Olsen")(m, root).id)
    assert person.stafett.get(f"/demo/logs/{lea}/").status_int == 200


def test_a_person_with_no_role_is_told_so_and_the_attempt_is_journaled(app):
    person = Person(app)
    page = person.log_in(make_fnr(years_ago(33), 77))
    assert page.status_int == 403
    assert "Du har ikke tilgang til Stafett" in page.text
    entries = app.registry.access_journal.for_municipality(INSTALLATION).of_kind("login_failed")
    assert entries[-1][1]["reason"] == "no_role"
    assert person.stafett.get("/", status=303).location.endswith("/login")


def test_a_lower_level_than_the_highest_is_refused(app):
    person = Person(app)
    page = person.log_in(demo_fnr(app, employee_fnr("larer")), acr=SUBSTANTIAL)
    assert page.status_int == 303 and page.location.endswith("/login")
    assert "kunne ikke godtas" in page.follow().text
    assert person.stafett.get("/", status=303).location.endswith("/login")
    entries = app.registry.access_journal.for_municipality(INSTALLATION).of_kind("login_failed")
    assert entries[-1][1]["reason"] == "idporten_acr"


def test_a_callback_with_a_state_from_elsewhere_is_refused(app):
    person = Person(app)
    out = person.stafett.get("/idporten-login", status=303)
    back = person.provider_login(out.location, demo_fnr(app, employee_fnr("larer")))
    forged = back.replace("state=", "state=x")
    refused = person.stafett.get(forged, status=303)
    assert refused.location.endswith("/login")
    assert "ble ikke fullført" in refused.follow().text
    assert person.stafett.get("/", status=303).location.endswith("/login")
    stranger = webtest.TestApp(app)  # a callback in a browser that never started a login
    stranger.get(back, status=303)
    assert stranger.get("/", status=303).location.endswith("/login")
    entries = app.registry.access_journal.for_municipality(INSTALLATION).of_kind("login_failed")
    assert entries[-1][1]["reason"] == "idporten_state"


def test_the_login_page_offers_id_porten_and_the_childrens_form(app):
    page = webtest.TestApp(app).get("/login")
    assert 'id="idporten-login"' in page.text and "Barn under 15" in page.text


def test_an_invited_guardian_binds_their_login_to_the_guardian_entry(app, datafs):
    holder = Person(app)
    holder.log_in(demo_fnr(app, employee_fnr("larer")))
    jonas = demo_fnr(app, lambda m, root: log_of("Jonas Berg")(m, root).id)
    page = holder.stafett.get(f"/demo/logs/{jonas}/")
    invite = next(f for f in page.forms.values() if f.action.endswith("/invite"))
    invite.submit().follow()
    link = _invitation_link(datafs, jonas)
    assert "Jonas" not in _mail_subjects(datafs, jonas)

    guardian = Person(app)
    landing = guardian.stafett.get(urlsplit(link).path)
    accept = landing.html.find(id="accept-invitation")["href"]
    number = make_fnr(years_ago(41), 55)
    front = guardian.log_in(number, start=accept).follow()
    assert "Jonas Berg" in front.text
    bound = demo_fnr(app, lambda m, root: [g.fnr for g in log_of("Jonas Berg")(m, root)
                                          .guardians.values()])
    assert bound == [number]

    reuse = Person(app).stafett.get(urlsplit(link).path)
    assert reuse.html.find(id="accept-invitation") is None  # used once
    holder_page = holder.stafett.get(f"/demo/logs/{jonas}/")
    assert not any(f.action.endswith("/invite") for f in holder_page.forms.values())


def test_an_invitation_cannot_bind_someone_to_another_log(app, datafs):
    """The token names one guardian entry; a made-up token binds nothing."""
    person = Person(app)
    page = person.log_in(make_fnr(years_ago(41), 56),
                         start="/idporten-login?invitation=made-up-token")
    assert page.status_int == 403


def _mail_files(datafs, log_id):
    folder = os.path.join(os.path.dirname(datafs), "mail", log_id)
    return [os.path.join(folder, n) for n in sorted(os.listdir(folder))]


def _mail_subjects(datafs, log_id) -> str:
    return " ".join(email.message_from_string(open(p).read())["Subject"]
                    for p in _mail_files(datafs, log_id))


def _invitation_link(datafs, log_id) -> str:
    for path in _mail_files(datafs, log_id):
        message = email.message_from_string(open(path).read())
        body = message.get_payload(decode=True).decode(message.get_content_charset("utf-8"))
        for word in body.split():
            if "/invitation/" in word:
                return word
    raise AssertionError("no invitation mail")


def test_logout_ends_the_session_at_id_porten_too(app):
    person = Person(app)
    person.log_in(demo_fnr(app, employee_fnr("larer")))
    front = person.stafett.get("/")
    out = person.stafett.post("/logout", {"csrf_token": csrf_token(front)}, status=303)
    assert out.location.startswith(person_provider_issuer(app))
    assert "id_token_hint=" in out.location
    from ..oidc import submit_form

    confirm = person.at_provider.get(out.location)
    back = submit_form(person.at_provider, confirm, {"logout": "yes"}, follow=False)
    while back.is_redirect and not back.headers["Location"].startswith(APP):
        back = person.at_provider.get(back.headers["Location"], allow_redirects=False)
    assert back.headers["Location"].startswith(f"{APP}/login")
    assert person.stafett.get("/", status=303).location.endswith("/login")
    # At the provider the session is gone too: the next login asks again.
    again = person.stafett.get("/idporten-login", status=303)
    page = person.at_provider.get(again.location, allow_redirects=True)
    assert 'id="pid"' in page.text


def person_provider_issuer(app) -> str:
    return app.registry.idporten.issuer


def test_private_key_jwt_client_authentication(datafs, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from joserfc.jwk import RSAKey

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    (tmp_path / "key.pem").write_bytes(pem)
    public = RSAKey.import_key(pem).as_dict(private=False) | {"kid": "stafett-1",
                                                              "use": "sig", "alg": "RS256"}
    client = dict(CLIENT, client_id="stafett-jwt", token_endpoint_auth_method="private_key_jwt",
                  jwks={"keys": [public]})
    client.pop("client_secret")
    with OidcProvider([client]) as provider:
        settings = {"stafett.oidc.issuer": provider.issuer,
                    "stafett.oidc.client_id": "stafett-jwt",
                    "stafett.oidc.client_auth": "private_key_jwt",
                    "stafett.oidc.private_key": str(tmp_path / "key.pem"),
                    "stafett.oidc.key_id": "stafett-1"}
        app = main({}, **app_settings(datafs, **settings))
        try:
            person = Person(app)
            front = person.log_in(demo_fnr(app, employee_fnr("larer"))).follow()
            assert "Emma Nordmann" in front.text
        finally:
            close_app(app)


def test_a_municipality_from_an_empty_database(tmp_path, provider):
    """The console scripts build a municipality and its superuser; the superuser logs in
    through the provider, adds a unit and its leader; the leader adds a teacher, who logs in
    and may open logs (R1)."""
    import subprocess
    import sys

    path = tmp_path / "Data.fs"
    ini = tmp_path / "app.ini"
    ini.write_text(f"[app:main]\nuse = egg:stafett\nzodbconn.uri = file://{path}\n")
    scripts = os.path.dirname(sys.executable)
    subprocess.run([f"{scripts}/stafett-init", str(ini)], check=True, capture_output=True)
    superuser_fnr = make_fnr(years_ago(50), 11)
    created = subprocess.run(
        [f"{scripts}/stafett-municipality", str(ini), "create", "--slug", "bodo", "--name",
         "Bodø kommune", "--number", "1804", "--superuser-name", "Siri Superbruker",
         "--superuser-fnr", superuser_fnr], capture_output=True, text=True, check=True)
    assert "bodo created" in created.stdout
    again = subprocess.run(
        [f"{scripts}/stafett-municipality", str(ini), "create", "--slug", "bodo2", "--name",
         "Bodø igjen", "--number", "1804", "--superuser-name", "X Y",
         "--superuser-fnr", superuser_fnr], capture_output=True, text=True)
    assert again.returncode == 2 and "municipality number" in again.stderr

    app = main({}, **app_settings(str(path), **idporten_settings(provider)))
    try:
        superuser = Person(app)
        front = superuser.log_in(superuser_fnr).follow()
        assert "/bodo/admin" in front.text
        admin = superuser.stafett.get("/bodo/admin")
        form = admin.forms["unit"]
        form["name"], form["service"] = "Bodø skole", "school"
        unit_page = form.submit("submit").follow()
        leader_fnr, teacher_fnr = make_fnr(years_ago(45), 12), make_fnr(years_ago(30), 13)
        form = unit_page.forms["leader"]
        form["name"], form["fnr"] = "Rita Rektor", leader_fnr
        form.submit("add").follow()

        leader = Person(app)
        front = leader.log_in(leader_fnr).follow()
        console = next(a["href"] for a in front.html.find_all("a", href=True)
                       if a["href"].endswith("/console"))
        staff = leader.stafett.get(console.replace("/console", "/console-staff"))
        form = staff.forms["employee"]
        form["name"], form["fnr"], form["may_hold"] = "Tor Lærer", teacher_fnr, True
        form.submit("add")

        teacher = Person(app)
        front = teacher.log_in(teacher_fnr).follow()
        assert front.html.find("a", href=lambda h: h and h.endswith("/bodo/new-log"))
    finally:
        close_app(app)


def test_the_chosen_language_goes_to_id_porten(app):
    person = Person(app)
    page = person.stafett.get("/login")
    person.stafett.post("/language", {"locale": "nn", "csrf_token": csrf_token(page)})
    out = person.stafett.get("/idporten-login", status=303)
    login_page = person.at_provider.get(out.location)
    assert '<span id="ui-locales">nn</span>' in login_page.text


def test_a_bad_logout_token_is_a_bad_request(app):
    browser = webtest.TestApp(app)
    browser.post("/idporten-backchannel-logout", {"logout_token": "not.a.token"}, status=400)
    browser.post("/idporten-backchannel-logout", {}, status=400)
    browser.get("/idporten-frontchannel-logout?iss=https://evil.test&sid=x", status=400)


def test_the_front_channel_logout_ends_the_session(app):
    person = Person(app)
    person.log_in(demo_fnr(app, employee_fnr("larer")))
    sid = person_provider_sid(person)
    issuer = app.registry.idporten.issuer
    webtest.TestApp(app).get(f"/idporten-frontchannel-logout?iss={issuer}&sid={sid}")
    assert person.stafett.get("/", status=303).location.endswith("/login")


def person_provider_sid(person) -> str:
    """The ``sid`` ID-porten gave this login, read from its ID token."""
    import base64
    import json

    token = person.stafett.app.registry.login_sessions.id_token(_login_token(person))
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))["sid"]


def _login_token(person) -> str:
    from pyramid.session import SignedCookieSessionFactory

    factory = SignedCookieSessionFactory("test-secret")
    request = type("R", (), {"cookies": {"session": person.stafett.cookies["session"]}})()
    return factory(request)["login"]


def test_without_id_porten_configured_its_pages_are_not_found(datafs):
    plain = main({}, **app_settings(datafs))
    try:
        testapp = webtest.TestApp(plain)
        testapp.get("/idporten-login", status=404)
        testapp.get("/idporten-callback?state=x&code=y", status=404)
        assert 'id="idporten-login"' not in testapp.get("/login").text
    finally:
        close_app(plain)


def test_a_login_cancelled_at_id_porten_goes_back_to_the_login_page_and_is_journaled(app):
    person = Person(app)
    out = person.stafett.get("/idporten-login", status=303)
    state = parse_qs(urlsplit(out.location).query)["state"][0]
    back = person.stafett.get("/idporten-callback",
                              {"state": state, "error": "access_denied<script>"}, status=303)
    assert back.location.endswith("/login")
    assert "ble ikke fullført" in back.follow().text
    entries = app.registry.access_journal.for_municipality(INSTALLATION).of_kind("login_failed")
    assert entries[-1][1]["reason"] == "idporten_access_deniedscript"
