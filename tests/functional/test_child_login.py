"""R39: a child under 15 logs in with a username, a password and a one-time code. The holder
or a guardian of the log sets the login up and confirms the phone with a first code; a new
phone or password replaces the old one; a code works once only."""

from __future__ import annotations

import datetime as dt
import re
import time

import pyotp
import pytest
import time_machine

from stafett.models import ReadGrant
from stafett.scripts.demo import make_fnr, years_ago

from ..conftest import csrf_token, login

PASSWORD = "sol-og-sommer-2026"
CHILD = "emma.n"


@pytest.fixture
def clock():
    """Time stands still (now), and moves when the test says: codes change every 30 s."""
    with time_machine.travel(time.time(), tick=False) as traveller:
        yield traveller


@pytest.fixture
def emma(read_root) -> str:
    with read_root() as root:
        log = next(log for log in root["demo"].logs.values()
                   if log.subject.name == "Emma Nordmann")
        return f"/demo/logs/{log.id}/"


@pytest.fixture
def sara(read_root) -> str:
    with read_root() as root:
        log = next(log for log in root["demo"].logs.values() if log.subject.name == "Sara Lund")
        return f"/demo/logs/{log.id}/"


def enrol(testapp, log_url, username=CHILD, password=PASSWORD, again=None):
    form = testapp.get(log_url + "child-login").forms["child-login"]
    form["username"] = username
    form["password"] = password
    form["password_again"] = password if again is None else again
    return form.submit("save")


def shown_secret(page) -> str:
    return re.search(r'<code class="otp-key">([A-Z2-7]+)</code>', page.text).group(1)


def confirm(testapp, log_url, code):
    form = testapp.get(log_url + "child-login-code").forms["child-login-code"]
    form["code"] = code
    return form.submit("save")


def enrol_and_confirm(testapp, log_url) -> pyotp.TOTP:
    code_page = enrol(testapp, log_url).follow()
    totp = pyotp.TOTP(shown_secret(code_page))
    assert confirm(testapp, log_url, totp.now()).status_int == 303
    return totp


def log_out(testapp):
    testapp.post("/logout", {"csrf_token": csrf_token(testapp.get("/"))})


def other_code(totp, now):
    """A six-digit code that is not valid anywhere in the window."""
    valid = {totp.at(now, counter_offset=o) for o in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)


# -- enrolment and login ------------------------------------------------------------------
def test_r39_the_holder_enrols_the_child_who_then_logs_in_with_a_code(testapp, emma,
                                                                      read_root, clock):
    login(testapp, "larer")
    assert "child-login" in testapp.get(emma).text  # the link on the log page
    code_page = enrol(testapp, emma).follow()
    assert 'class="qr-code"' in code_page.text and "<svg" in code_page.text
    assert "style=" not in code_page.text.split('<main id="main"')[1]
    assert PASSWORD not in code_page.text
    secret = shown_secret(code_page)
    with read_root() as root:
        account = root.accounts[CHILD]
        assert account.otp_pending == secret and account.otp_secret is None
        assert account.password_hash != PASSWORD and account.kind == "subject"
        log = root["demo"].logs[emma.split("/")[3]]
        assert log.subject.username == CHILD
    totp = pyotp.TOTP(secret)

    child = testapp.__class__(testapp.app)
    assert login(child, CHILD, PASSWORD, totp.now()).status_int == 200  # not confirmed yet

    wrong = confirm(testapp, emma, other_code(totp, time.time()))
    assert wrong.status_int == 200 and "Koden er feil" in wrong.text
    assert confirm(testapp, emma, totp.now()).status_int == 303
    with read_root() as root:
        account = root.accounts[CHILD]
        assert account.otp_secret == secret and account.otp_pending is None
        kinds = [e["kind"] for _k, e in root["demo"].journal.of_log(log.id, "subject_enrolled")]
        kinds += [e["kind"] for _k, e in root["demo"].journal.of_log(
            log.id, "subject_otp_confirmed")]
        assert kinds == ["subject_enrolled", "subject_otp_confirmed"]
        entries = [e for _k, e in root["demo"].journal.entries()
                   if e["kind"].startswith("subject_")]
        assert all(CHILD not in str(e) and "Emma" not in str(e) for e in entries)

    clock.shift(30)  # the code used to confirm is spent: the child waits for the next
    code = totp.now()
    response = login(child, CHILD, PASSWORD, code)
    assert response.status_int == 303 and response.location == "http://localhost/"
    assert "Emma Nordmann" in child.get("/").text
    log_out(child)
    assert login(child, CHILD, PASSWORD, code).status_int == 200  # the same code again
    assert login(child, CHILD, PASSWORD, other_code(totp, time.time())).status_int == 200
    assert login(child, CHILD, PASSWORD).status_int == 200  # no code
    clock.shift(30)
    assert login(child, CHILD, PASSWORD, totp.now()).status_int == 303


def test_r39_the_code_used_to_confirm_cannot_log_in(testapp, emma, clock):
    login(testapp, "larer")
    totp = enrol_and_confirm(testapp, emma)
    child = testapp.__class__(testapp.app)
    assert login(child, CHILD, PASSWORD, totp.now()).status_int == 200


def test_r39_a_new_phone_replaces_the_old_once_confirmed(testapp, emma, read_root, clock):
    login(testapp, "larer")
    old = enrol_and_confirm(testapp, emma)
    overview = testapp.get(emma + "child-login")
    assert "Ny telefon" in overview.text and "Nytt passord" in overview.text
    new_phone = next(f for f in overview.forms.values()
                     if f.action.endswith("child-login-phone"))
    code_page = new_phone.submit().follow()
    new = pyotp.TOTP(shown_secret(code_page))
    assert new.secret != old.secret
    child = testapp.__class__(testapp.app)
    clock.shift(30)
    assert login(child, CHILD, PASSWORD, old.now()).status_int == 303  # old works till then
    log_out(child)

    clock.shift(30)
    assert confirm(testapp, emma, new.now()).status_int == 303
    clock.shift(30)
    assert login(child, CHILD, PASSWORD, old.now()).status_int == 200  # old phone refused
    assert login(child, CHILD, PASSWORD, new.now()).status_int == 303
    with read_root() as root:
        log_id = emma.split("/")[3]
        entries = [e for _k, e in root["demo"].journal.of_log(log_id, "subject_reenrolled")]
        assert [e["what"] for e in entries] == ["phone"]


def test_r39_a_new_password(testapp, emma, clock):
    login(testapp, "larer")
    totp = enrol_and_confirm(testapp, emma)
    form = testapp.get(emma + "child-login-password").forms["child-login-password"]
    form["password"] = form["password_again"] = "et-helt-nytt-passord"
    assert form.submit("save").status_int == 303
    child = testapp.__class__(testapp.app)
    clock.shift(30)
    assert login(child, CHILD, PASSWORD, totp.now()).status_int == 200
    assert login(child, CHILD, "et-helt-nytt-passord", totp.now()).status_int == 303


def test_r39_a_guardian_of_the_log_enrols_the_child(testapp, emma, read_root, clock):
    login(testapp, "forelder")
    assert "child-login" in testapp.get(emma).text
    enrol_and_confirm(testapp, emma)
    with read_root() as root:
        assert root.accounts[CHILD].otp_secret is not None


# -- refusals -----------------------------------------------------------------------------
def test_r39_a_taken_username_is_named_and_the_form_keeps_what_was_typed(testapp, emma,
                                                                         read_root):
    login(testapp, "larer")
    response = enrol(testapp, emma, username="forelder")
    assert response.status_int == 200
    assert "Dette brukernavnet er opptatt" in response.text
    assert response.forms["child-login"]["username"].value == "forelder"
    assert PASSWORD not in response.text
    with read_root() as root:
        assert root["demo"].logs[emma.split("/")[3]].subject.username is None


def test_r39_passwords_that_differ_or_are_short_are_named(testapp, emma, read_root):
    login(testapp, "larer")
    response = enrol(testapp, emma, again="noe-helt-annet-her")
    assert response.status_int == 200 and "De to passordene er ikke like" in response.text
    assert response.forms["child-login"]["username"].value == CHILD
    response = enrol(testapp, emma, password="kort")
    assert "Passordet må ha minst 10 tegn" in response.text
    response = enrol(testapp, emma, username="x")
    assert "Bruk 3 til 40 tegn" in response.text
    with read_root() as root:
        assert CHILD not in root.accounts


@pytest.mark.parametrize("age", [15, 16])
def test_r39_no_enrolment_from_15(testapp, emma, read_root, age):
    with read_root() as root:
        root["demo"].logs[emma.split("/")[3]].subject.fnr = make_fnr(years_ago(age, days=1),
                                                                     40)
    login(testapp, "larer")
    assert "child-login" not in testapp.get(emma).text
    page = testapp.get(emma + "child-login")
    assert "er for barn under 15 år" in page.text and "child-login" not in page.forms
    token = csrf_token(page)
    refused = testapp.post(emma + "child-login", {"csrf_token": token, "username": CHILD,
                                                  "password": PASSWORD,
                                                  "password_again": PASSWORD})
    assert refused.status_int == 200 and "er for barn under 15 år" in refused.text
    with read_root() as root:
        assert CHILD not in root.accounts


def test_r39_a_youth_of_16_has_no_enrolment(testapp, sara):
    login(testapp, "helsesykepleier")
    assert "child-login" not in testapp.get(sara).text
    assert "er for barn under 15 år" in testapp.get(sara + "child-login").text


def test_the_day_before_the_15th_birthday_enrolment_is_open(testapp, emma, read_root):
    with read_root() as root:
        born = years_ago(15, days=-1)
        root["demo"].logs[emma.split("/")[3]].subject.fnr = make_fnr(born, 40)
    login(testapp, "larer")
    assert enrol(testapp, emma).status_int == 303


PAGES = ("child-login", "child-login-code", "child-login-password")
POSTS = PAGES + ("child-login-phone",)


@pytest.mark.parametrize("username", ["assistent", "ppt", "rektor", "pedleder",
                                      "kontaktlarer", "nina"])
def test_r39_only_the_holder_and_guardians_reach_the_enrolment(testapp, emma, read_root,
                                                               username):
    with read_root() as root:  # ppt reads the whole log by consent (R4)
        log = root["demo"].logs[emma.split("/")[3]]
        log.grants.add(ReadGrant(root.accounts["ppt"].employee_id, next(iter(log.consents))))
    login(testapp, username)
    token = csrf_token(testapp.get("/"))
    for name in PAGES:
        assert testapp.get(emma + name, expect_errors=True).status_int in (403, 404), name
    for name in POSTS:
        status = testapp.post(emma + name, {"csrf_token": token, "username": CHILD,
                                            "password": PASSWORD, "password_again": PASSWORD,
                                            "code": "123456"}, expect_errors=True).status_int
        assert status in (403, 404), name
    with read_root() as root:
        assert CHILD not in root.accounts
        if username == "ppt":
            assert "child-login" not in testapp.get(emma).text


def test_r39_anonymous_is_sent_to_log_in(testapp, emma, read_root):
    for name in PAGES:
        assert testapp.get(emma + name).location.endswith("/login")
    for name in POSTS:
        assert testapp.post(emma + name, {"username": CHILD}, expect_errors=True) \
            .status_int in (303, 400, 403)
    with read_root() as root:
        assert CHILD not in root.accounts


def test_a_post_without_csrf_token_is_refused(testapp, emma, read_root):
    login(testapp, "larer")
    response = testapp.post(emma + "child-login", {"username": CHILD, "password": PASSWORD,
                                                   "password_again": PASSWORD},
                            expect_errors=True)
    assert response.status_int == 400
    assert testapp.post(emma + "child-login-phone", expect_errors=True).status_int == 400
    with read_root() as root:
        assert CHILD not in root.accounts


def test_an_account_set_up_elsewhere_is_not_changed_from_this_log(testapp, sara, read_root):
    """A holder who names an existing login in their log cannot reset it."""
    with read_root() as root:
        log = root["demo"].logs[sara.split("/")[3]]
        log.subject.fnr = make_fnr(years_ago(12), 41)
        before = root.accounts["sara"].password_hash
    login(testapp, "helsesykepleier")
    page = testapp.get(sara + "child-login")
    assert "kan bare endres der" in page.text
    token = csrf_token(page)
    testapp.post(sara + "child-login-phone", {"csrf_token": token})
    testapp.post(sara + "child-login-password", {"csrf_token": token, "password": PASSWORD,
                                                  "password_again": PASSWORD})
    with read_root() as root:
        assert root.accounts["sara"].password_hash == before
        assert root.accounts["sara"].otp_pending is None


def test_the_time_steps_move_with_the_clock(clock):
    """The fixture the tests above rely on: codes change when the clock is moved."""
    totp = pyotp.TOTP(pyotp.random_base32())
    first = totp.timecode(dt.datetime.now(dt.UTC))
    clock.shift(30)
    assert totp.timecode(dt.datetime.now(dt.UTC)) == first + 1


def test_the_holder_cannot_point_a_log_at_someone_elses_login(testapp, emma, read_root):
    """The log's form has no login fields: the child's login comes from enrolment, a
    guardian's from ID-porten. A crafted field changes nothing."""
    login(testapp, "larer")
    page = testapp.get(emma + "edit")
    form = page.forms["deform"]
    assert "subject_username" not in form.fields and "username" not in form.fields
    fields = dict(form.submit_fields())
    fields.update(subject_username="sara", username="sara")
    testapp.post(emma + "edit", fields)
    with read_root() as root:
        log = next(log for log in root["demo"].logs.values()
                   if log.subject.name == "Emma Nordmann")
        assert log.subject.username != "sara"
        assert "sara" not in {g.username for g in log.guardians.values()}
