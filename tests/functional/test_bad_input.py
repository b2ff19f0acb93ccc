"""Bad input never gives a 5xx (issue 8): every field refuses what it cannot hold with a
message naming the problem and the typed text kept; a request the app cannot read (not
UTF-8, a broken body, an unknown id in a hand-read field) gets 400; data stored before
the validators existed still shows."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from stafett.models import Concern, ConsentScope, Guardian, Log, Subject, Transfer, TransferKind
from stafett.models.consent import Consent
from stafett.scripts.demo import make_fnr, years_ago
from stafett.workflows import create_log, fire, give_consent, propose_transfer

from ..conftest import csrf_token, login

TODAY = dt.date.today()
NOT_A_CHOICE = "Velg en av verdiene i listen."
BAD_REQUEST = "Forespørselen kunne ikke leses"


def _log(root, name):
    return next(log for log in root["demo"].logs.values() if log.subject.name == name)


def _content_form(page):
    """The page's Deform form (the layout's language and logout forms come first)."""
    return next(form for key, form in page.forms.items()
                if isinstance(key, str) and "__formid__" in form.fields)


def _tick(form, value: str) -> None:
    next(f for f in form.fields["checkbox"] if f._value == value).checked = True


@pytest.fixture
def emma(read_root):
    with read_root() as root:
        log = _log(root, "Emma Nordmann")
        concern = next(c for c in log.concerns.values() if c.text.startswith("Emma strever"))
        unit = root["demo"].units[log.unit_id]
        base = f"/demo/logs/{log.id}/"
        return {"log": base, "concern": f"{base}concerns/{concern.id}/",
                "concern_id": concern.id, "unit": f"/demo/units/{unit.id}/"}


def _concern_of(read_root, concern_id: str):
    with read_root() as root:
        concern = _log(root, "Emma Nordmann").concerns[concern_id]
        return str(concern.category), concern.text


# -- a category outside the list (R24) ---------------------------------------------------
def test_a_category_outside_the_list_is_refused_on_add_concern(testapp, emma, read_root):
    login(testapp, "larer")
    form = _content_form(testapp.get(emma["log"] + "add-concern"))
    form["text"] = "Emma glemmer gymtøyet hver tirsdag."
    form["category"].force_value("no-such-category")
    failed = form.submit("save")
    assert failed.status_int == 200
    assert NOT_A_CHOICE in failed.text
    assert "Emma glemmer gymtøyet hver tirsdag." in failed.text
    with read_root() as root:
        texts = [c.text for c in _log(root, "Emma Nordmann").concerns.values()]
        assert "Emma glemmer gymtøyet hver tirsdag." not in texts


def test_a_category_outside_the_list_is_refused_on_edit_and_autosave(testapp, emma, read_root):
    login(testapp, "larer")
    form = _content_form(testapp.get(emma["concern"] + "edit"))
    form["category"].force_value("no-such-category")
    form["text"] = "Emma strever med å lese, men leser nå litt mer."
    failed = form.submit("save")
    assert failed.status_int == 200 and NOT_A_CHOICE in failed.text
    assert "Emma strever med å lese, men leser nå litt mer." in failed.text
    token = csrf_token(failed)
    autosaved = testapp.post(emma["concern"] + "autosave", {
        "csrf_token": token, "text": "Autolagret tekst.", "category": "no-such-category"},
        status=422)
    assert autosaved.json["saved"] is False and "category" in autosaved.json["errors"]
    assert _concern_of(read_root, emma["concern_id"]) == (
        "learning", "Emma strever med å lese tekster på trinnet sitt.")


def test_a_stored_category_outside_the_list_still_shows_for_everyone(testapp, emma, read_root):
    """Data stored before the validators existed: the page says "Other" rather than fail."""
    with read_root() as root:
        log = _log(root, "Emma Nordmann")
        log.concerns[emma["concern_id"]].category = "retired-category"
        log.municipality.index.reindex(log)
    for username in ("larer", "forelder", "rektor"):
        testapp.reset()
        login(testapp, username)
        page = testapp.get(emma["log"])
        if username != "rektor":  # the leader reads the header only (R6)
            assert "Emma strever med å lese" in page.text, username
        if username == "larer":
            assert "Annet" in testapp.get(emma["concern"]).text
            testapp.get(emma["concern"] + "edit", status=200)
        if username == "rektor":
            testapp.get(emma["unit"] + "console", status=200)
            testapp.get(emma["unit"] + "console-csv", {"table": "categories"}, status=200)


# -- text: control characters, lengths -----------------------------------------------------
def test_a_nul_in_a_text_field_is_refused_and_the_text_kept(testapp, emma, read_root):
    login(testapp, "forelder")
    form = _content_form(testapp.get(emma["log"] + "add-glimpse"))
    form["text"] = "Emma leste\x00 høyt i dag."
    failed = form.submit("save")
    assert failed.status_int == 200
    assert "kontrolltegn (U+0000)" in failed.text
    assert "Emma leste\x00 høyt i dag." in failed.text
    with read_root() as root:
        assert not any("Emma leste" in g.text and "\x00" in g.text
                       for g in _log(root, "Emma Nordmann").glimpses.values())


def test_line_breaks_in_a_one_line_field_are_refused_but_kept_in_multi_line_text(
        testapp, emma, read_root):
    login(testapp, "larer")
    form = _content_form(testapp.get(emma["log"] + "add-meeting"))
    form["date"] = TODAY.isoformat()
    form["agenda"] = "Punkt 1\tlesing\r\nPunkt 2"
    form["minute_taker"] = "Lars\nLærer"
    failed = form.submit()
    assert failed.status_int == 200 and "én linje" in failed.text
    assert "Lars\nLærer" in failed.text and "Punkt 1\tlesing" in failed.text
    form = _content_form(failed)
    form["minute_taker"] = "Lars Lærer"
    form.submit(status=303)
    with read_root() as root:
        agendas = [m.agenda for m in _log(root, "Emma Nordmann").meetings.values()]
        assert any(a.startswith("Punkt 1\tlesing") for a in agendas)


def test_an_oversized_text_is_refused_with_its_length_and_kept(testapp, emma):
    login(testapp, "forelder")
    form = _content_form(testapp.get(emma["log"] + "add-glimpse"))
    form["text"] = "Bra! " * 2000
    failed = form.submit("save")
    assert failed.status_int == 200
    assert "Skriv høyst 500 tegn (nå 9999)" in failed.text
    assert ("Bra! " * 2000).strip() in failed.text


def test_a_number_and_a_date_that_are_not_are_named(testapp, emma):
    login(testapp, "rektor")
    page = testapp.get(emma["unit"] + "console")
    form = next(f for f in page.forms.values() if "children" in f.fields)
    form["children"] = "tre hundre"
    failed = form.submit("save")
    assert failed.status_int == 200
    assert "Skriv et heltall" in failed.text and "tre hundre" in failed.text
    testapp.reset()
    login(testapp, "larer")
    form = _content_form(testapp.get(emma["log"] + "add-meeting"))
    form["date"] = "2024-02-30"
    form["agenda"] = "Oppfølging"
    failed = form.submit()
    assert failed.status_int == 200 and "Skriv en gyldig dato" in failed.text
    assert "2024-02-30" in failed.text and "Oppfølging" in failed.text


# -- requests the app cannot read: 400 -------------------------------------------------------
@pytest.mark.parametrize("username, url", [
    ("rektor", "{unit}console-logs?state=%FF%FE"),
    ("rektor", "{unit}console-logs?%C3=1"),
    ("rektor", "{unit}console?weeks=%00"),
    ("rektor", "{unit}audit?since=%ED%A0%80"),
    ("superbruker", "/demo/audit?holder=%FF"),
    ("larer", "{log}access-log?format=%FF"),
    ("larer", "{log}access-log?format=csv%00"),
])
def test_a_query_string_or_path_that_is_not_utf_8_gives_400(testapp, emma, username, url):
    login(testapp, username)
    page = testapp.get(url.format(**emma), status=400)
    assert BAD_REQUEST in page.text and "Stafett" in page.text


def test_a_path_that_is_not_utf_8_gives_400(app):
    """Through WebOb directly: WebTest's cookie jar cannot even build such a URL."""
    from webob import Request

    request = Request.blank("/")
    request.environ["PATH_INFO"] = "/demo/logs/\xff\xfe/"  # the raw bytes, as WSGI has them
    response = request.get_response(app)
    assert response.status_int == 400
    assert BAD_REQUEST in response.text


def test_a_form_body_that_is_not_utf_8_or_not_multipart_gives_400(testapp, emma, read_root):
    login(testapp, "forelder")
    page = testapp.get(emma["log"] + "add-glimpse")
    token = csrf_token(page).encode()
    url = emma["log"] + "add-glimpse"
    bodies = [
        (b"csrf_token=" + token + b"&text=Hei%FF%FE", "application/x-www-form-urlencoded"),
        (b"csrf_token=" + token + b"&text=ok", "multipart/form-data"),  # no boundary
        (b"--b\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + token
         + b"\r\n--b\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nHei\xff\r\n--b--\r\n",
         "multipart/form-data; boundary=b"),
        (b"--b\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nHei",
         "multipart/form-data; boundary=b"),  # cut off
    ]
    for body, kind in bodies:
        answer = testapp.post(url, body, headers={"Content-Type": kind}, expect_errors=True)
        assert answer.status_int == 400, (body, answer.status_int)
    with read_root() as root:
        assert not any(g.text.startswith("Hei") for g in
                       _log(root, "Emma Nordmann").glimpses.values())


def test_unknown_ids_in_hand_read_fields_give_400(testapp, emma, read_root):
    login(testapp, "rektor")
    token = csrf_token(testapp.get(emma["unit"] + "console-passive"))
    with read_root() as root:
        employee = root["demo"].employee(root.accounts["larer"].employee_id)
        employee_url = f"{emma['unit']}employees/{employee.id}/"
    for url, fields in ((emma["unit"] + "console-reopen", {"log": "0" * 16}),
                        (emma["unit"] + "console-receive", {"log": "x", "transfer": "y"}),
                        (emma["unit"] + "console-supervise", {"log": "\x00"}),
                        (employee_url + "transfer", {"log": "nope", "to": "unit:x"})):
        testapp.post(url, dict(fields, csrf_token=token), status=400)
    testapp.reset()
    login(testapp, "superbruker")
    token = csrf_token(testapp.get("/demo/admin"))
    testapp.post(emma["unit"] + "admin-appoint", {"employee": "nope", "csrf_token": token},
                 status=400)


def test_control_characters_in_a_hand_read_reason_are_refused(testapp, read_root):
    with read_root() as root:
        municipality = root["demo"]
        log = _log(root, "Jonas Berg")
        transfer = next(iter(log.transfers.values()))
        health = municipality.employee(transfer.to_employee_id).unit
        ids = {"log": log.id, "transfer": transfer.id, "unit": f"/demo/units/{health.id}/"}
    login(testapp, "leder-hs")
    page = testapp.get(ids["unit"] + "console-transfers")
    answer = testapp.post(ids["unit"] + "console-receive", {
        "csrf_token": csrf_token(page), "log": ids["log"], "transfer": ids["transfer"],
        "action": "decline", "reason": "Vi har\x00 ikke kapasitet."}, status=303)
    assert "kontrolltegn (U+0000)" in answer.follow().text
    with read_root() as root:
        assert _log(root, "Jonas Berg").transfers[ids["transfer"]].state == "proposed"


# -- consent from one of two guardians who live apart (R9) ---------------------------------
def _apart_log(root, *, with_transfer: bool) -> dict:
    """A log of a 10-year-old whose two guardians live apart; the child lives with both."""
    municipality, holder = root["demo"], root.accounts["larer"]
    unit_id = municipality.employee(holder.employee_id).unit_id
    log = create_log(municipality, Log(Subject("Tiril Todelt", make_fnr(years_ago(10), 91)),
                                       holder.employee_id, unit_id, 2), holder)
    log.guardians_live_together = False
    mother = log.guardians.add(Guardian("Mona Todelt"))
    father = log.guardians.add(Guardian("Frank Todelt"))
    found = {"url": f"/demo/logs/{log.id}/", "mother": mother.id, "father": father.id}
    if with_transfer:
        give_consent(log, Consent([mother.id, father.id], TODAY, ConsentScope.CREATE), holder)
        fire(log, "activate", holder)
        nurse = root.accounts["helsesykepleier"].employee_id
        transfer = propose_transfer(log, Transfer(TransferKind.UNIT, "Helsestasjonen følger opp.",
                                                  holder.uid, holder.employee_id,
                                                  to_employee_id=nurse), holder)
        found["transfer"] = f"{found['url']}transfers/{transfer.id}/"
    log.municipality.index.reindex(log)
    return found


def _consents(read_root, url: str) -> int:
    with read_root() as root:
        return len(root["demo"].logs[url.split("/")[3]].consents)


@pytest.mark.parametrize("view", ["consent", "transfer-consent"])
def test_r9_one_of_two_guardians_living_apart_is_told_both_must_consent(
        testapp, read_root, view):
    with read_root() as root:
        log = _apart_log(root, with_transfer=view == "transfer-consent")
    url = log["transfer"] + "consent" if view == "transfer-consent" else log["url"] + "consent"
    before = _consents(read_root, log["url"])
    login(testapp, "larer")
    form = testapp.get(url).forms["deform"]
    _tick(form, log["mother"])
    form["exception_reason"] = "Far er på reise og svarer senere."
    refused = form.submit("submit")
    assert refused.status_int == 200
    text = html.unescape(refused.text)
    assert "Begge de foresatte må samtykke" in text
    assert "Mona Todelt" in text.split("Begge de foresatte må samtykke")[1][:300]
    assert "Frank Todelt" in text.split("Begge de foresatte må samtykke")[1][:300]
    assert "Far er på reise og svarer senere." in text
    assert _consents(read_root, log["url"]) == before


def test_a_refused_consent_keeps_what_was_typed_with_the_empty_upload_field(testapp, read_root):
    """A rule refusing after validation (a date ahead) re-renders the form, upload and all."""
    with read_root() as root:
        log = _apart_log(root, with_transfer=False)
    login(testapp, "larer")
    form = testapp.get(log["url"] + "consent").forms["deform"]
    _tick(form, log["mother"])
    _tick(form, log["father"])
    form.set("date", (TODAY + dt.timedelta(days=3)).isoformat(), index=0)  # not "expires"
    form["exception_reason"] = "Skrevet av holderen."
    refused = form.submit("submit")
    assert refused.status_int == 200
    assert "Samtykkedatoen kan ikke være fram i tid." in refused.text
    assert "Skrevet av holderen." in refused.text
    assert _consents(read_root, log["url"]) == 0


def test_a_note_upload_kept_after_a_failed_submit_is_saved_with_the_next(
        testapp, emma, read_root):
    """R28: the PDF chosen once survives a refused submit (it was read from a closed file)."""
    from webtest import Upload

    from .test_lifecycle import tiny_pdf

    login(testapp, "larer")
    form = _content_form(testapp.get(emma["log"] + "add-note"))
    form["upload"] = Upload("notat.pdf", tiny_pdf(), "application/pdf")
    failed = form.submit("save")
    assert failed.status_int == 200
    form = _content_form(failed)
    form["text"] = "Notat med vedlegg."
    form.submit("save", status=303)
    with read_root() as root:
        note = next(n for n in _log(root, "Emma Nordmann").notes.values()
                    if n.text == "Notat med vedlegg.")
        assert note.attachment is not None and note.attachment.data.startswith(b"%PDF")


def test_concern_text_is_still_stored_as_typed(testapp, emma, read_root):
    """Valid input passes the new validators unchanged: tabs and line breaks in text."""
    login(testapp, "larer")
    form = _content_form(testapp.get(emma["log"] + "add-concern"))
    form["text"] = "Emma trenger\tro i timene."
    form["category"] = "learning"
    form["maintaining_factors"] = "Støy\r\nMange overganger"
    form.submit("save", status=303)
    with read_root() as root:
        concern = next(c for c in _log(root, "Emma Nordmann").concerns.values()
                       if c.text.startswith("Emma trenger"))
        assert isinstance(concern, Concern) and concern.text == "Emma trenger\tro i timene."


def test_narrowing_read_access_to_a_concern_of_another_log_is_refused(testapp, emma, read_root):
    from stafett.models import ReadGrant

    with read_root() as root:
        log = _log(root, "Emma Nordmann")
        basis = next(iter(log.consents.values()))
        grant = log.grants.add(ReadGrant(root.accounts["ppt"].employee_id, basis.id))
        url = f"{emma['log']}grants/{grant.id}/narrow"
    login(testapp, "larer")
    token = csrf_token(testapp.get(url))
    refused = testapp.post(url, [("__formid__", "deform"), ("__start__", "concern_ids:sequence"),
                                 ("checkbox", "not-a-concern-of-this-log"),
                                 ("__end__", "concern_ids:sequence"), ("csrf_token", token)])
    assert refused.status_int == 200 and "Kryss bare av verdier fra listen." in refused.text
    with read_root() as root:
        assert list(_log(root, "Emma Nordmann").grants[grant.id].concern_ids) == []
