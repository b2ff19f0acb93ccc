"""The web shell end to end: login, the front page of a holder, idle timeout, CSRF."""

from __future__ import annotations

from ..conftest import csrf_token, login


def test_anonymous_front_page_redirects_to_login(testapp):
    response = testapp.get("/", status=303)
    assert response.location.endswith("/login")


def test_login_page_is_in_bokmal_by_default(testapp):
    page = testapp.get("/login")
    assert "Logg inn i Stafett" in page.text
    assert 'lang="nb"' in page.text


def test_demo_holder_logs_in_and_sees_own_logs(testapp):
    response = login(testapp, "larer")
    assert response.status_int == 303
    home = testapp.get("/")
    assert "Logger jeg er stafettholder for" in home.text
    assert "Emma Nordmann" in home.text and "Jonas Berg" in home.text
    assert "Lea Olsen" not in home.text  # a kindergarten log held by someone else


def test_guardian_sees_only_own_childs_log(testapp):
    login(testapp, "forelder")
    home = testapp.get("/")
    assert "Emma Nordmann" in home.text
    assert "Jonas Berg" not in home.text


def test_wrong_password_is_refused_and_keeps_username(testapp):
    response = login(testapp, "larer", password="feil")
    assert response.status_int == 200
    assert "Feil brukernavn, passord eller engangskode." in response.text
    assert 'value="larer"' in response.text
    testapp.get("/", status=303)


def test_post_without_csrf_token_is_refused(testapp):
    login(testapp, "larer")
    testapp.post("/logout", status=400)
    testapp.get("/", status=200)  # still logged in


def test_logout_with_token_ends_session(testapp):
    login(testapp, "larer")
    home = testapp.get("/")
    testapp.post("/logout", {"csrf_token": csrf_token(home)}, status=303)
    testapp.get("/", status=303)


def test_language_choice_switches_to_nynorsk_and_english(testapp):
    login(testapp, "larer")
    home = testapp.get("/")
    testapp.post("/language", {"locale": "nn", "csrf_token": csrf_token(home)}, status=303)
    assert "Loggar eg er stafetthaldar for" in testapp.get("/").text
    testapp.post("/language", {"locale": "en", "csrf_token": csrf_token(home)}, status=303)
    assert "Logs I hold" in testapp.get("/").text


def test_holder_opens_own_log_and_actor_sees_only_own_concern(testapp, read_root):
    with read_root() as root:
        emma = next(log for log in root["demo"].logs.values()
                    if log.subject.name == "Emma Nordmann")
        url = f"/demo/logs/{emma.id}/"
    login(testapp, "larer")
    page = testapp.get(url)
    assert "Emma strever med å lese" in page.text and "Emma er ofte alene" in page.text
    testapp.reset()
    login(testapp, "assistent")  # actor on the reading concern only (R3)
    page = testapp.get(url)
    assert "Emma strever med å lese" in page.text
    assert "Emma er ofte alene" not in page.text


def test_unrelated_employee_gets_403_on_a_log(testapp, read_root):
    with read_root() as root:
        lea = next(log for log in root["demo"].logs.values() if log.subject.name == "Lea Olsen")
        url = f"/demo/logs/{lea.id}/"
    login(testapp, "larer")
    response = testapp.get(url, status=403)
    assert "Lea" not in response.text


def test_the_family_finds_who_has_read_the_log_from_the_log_page(testapp, read_root):
    with read_root() as root:
        emma = next(log for log in root["demo"].logs.values()
                    if log.subject.name == "Emma Nordmann")
        url = f"/demo/logs/{emma.id}/"
    login(testapp, "forelder")
    page = testapp.get(url)
    access_log = page.click(description="Hvem har lest loggen")
    assert access_log.status_int == 200
    assert page.click(description="Ledere med innsyn").status_int == 200
