"""The log's lifecycle in the browser, through the real app on a real FileStorage:
create a draft, consent with a real PDF, activate, grant, transfer, close, withdraw consent,
meeting mode; bad input keeps the text; refusals change nothing; CSRF and roles."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader, PdfWriter
from webtest import Upload

from stafett.scripts.demo import make_fnr, years_ago

from ..conftest import csrf_token, login


def tiny_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def find_log(root, name):
    return next(log for log in root["demo"].logs.values() if log.subject.name == name)


def log_url(read_root, name: str) -> str:
    with read_root() as root:
        return f"/demo/logs/{find_log(root, name).id}/"


def option_value(form, field: str, label_part: str) -> str:
    return next(value for value, _sel, label in form[field].options if label_part in label)


def choose(form, value: str) -> None:
    """Pick ``value`` in the radio group that offers it (Deform names groups by widget id)."""
    for fields in form.fields.values():
        radio = fields[0]
        if getattr(radio, "options", None) and value in [o[0] for o in radio.options] \
                and type(radio).__name__ == "Radio":
            radio.value = value
            return
    raise AssertionError(value)


def tick(form, value: str) -> None:
    """Tick the checkbox with this value (Deform names them all ``checkbox``)."""
    next(f for f in form.fields["checkbox"] if f._value == value).checked = True


def bad_check_digit(fnr: str) -> str:
    return fnr[:-1] + str((int(fnr[-1]) + 1) % 10)


# -- the holder's whole journey ------------------------------------------------------------
def test_holder_journey_create_consent_activate_grant_transfer_close(testapp, read_root):
    login(testapp, "larer")
    home = testapp.get("/")
    page = home.click(href="/demo/new-log")
    form = page.forms["deform"]
    fnr = make_fnr(years_ago(10), 77)
    form["subject_name"] = "Ola Testesen"
    form["fnr"] = bad_check_digit(fnr)
    form["level"] = "2"
    form["name"] = "Siv Testesen"
    form["email"] = "siv@example.org"
    form["date"] = dt.date.today().isoformat()
    form["meeting_agenda"] = "Bli kjent og avtale veien videre"

    # A wrong check digit: the message names the field, every character typed is kept.
    failed = form.submit("submit")
    assert failed.status_int == 200
    assert "Kontrollsifrene stemmer ikke" in failed.text
    assert "<li>Fødselsnummer: " in failed.text
    assert 'value="Ola Testesen"' in failed.text and 'value="siv@example.org"' in failed.text
    assert "Bli kjent og avtale veien videre" in failed.text
    with read_root() as root:
        assert not any(log.subject.name == "Ola Testesen" for log in root["demo"].logs.values())

    form = failed.forms["deform"]
    form["fnr"] = fnr
    created = form.submit("submit", status=303)
    url = created.location.replace("http://localhost", "").split("?")[0]
    with read_root() as root:
        log = find_log(root, "Ola Testesen")
        assert log.state == "draft" and int(log.level) == 2
        assert [g.name for g in log.guardians.values()] == ["Siv Testesen"]
        assert [m.agenda for m in log.meetings.values()] == ["Bli kjent og avtale veien videre"]
        holder_id = log.holder_id
        guardian_id = next(iter(log.guardians.keys()))

    # Activating without consent is refused with a clear message, and nothing changes (R10).
    page = testapp.get(url)
    refused = testapp.post(url + "activate", {"csrf_token": csrf_token(page)})
    assert "Loggen kan ikke bli aktiv uten et registrert, gyldig samtykke" in refused.text
    with read_root() as root:
        assert find_log(root, "Ola Testesen").state == "draft"

    # Consent on a scanned form: a file that is not a PDF is refused by its content.
    consent_page = testapp.get(url + "consent")
    form = consent_page.forms["deform"]
    tick(form, guardian_id)
    choose(form, "scanned")
    form["upload"] = Upload("samtykke.pdf", b"GIF89a not a pdf", "application/pdf")
    failed = form.submit("submit")
    assert "Filen er ikke en PDF." in failed.text
    assert "Skannet signert skjema" in failed.text.split("Filen er ikke en PDF.")[0]
    form = failed.forms["deform"]
    form["upload"] = Upload("samtykke.pdf", tiny_pdf(), "application/pdf")
    form.submit("submit", status=303)
    with read_root() as root:
        consent = next(iter(find_log(root, "Ola Testesen").consents.values()))
        assert consent.state == "given" and consent.form == "scanned"
        assert len(PdfReader(io.BytesIO(consent.attachment.data)).pages) == 1

    # Activate: the guardians' notification exists and the holder sees it (R14, R37).
    page = testapp.get(url)
    testapp.post(url + "activate", {"csrf_token": csrf_token(page)}, status=303)
    page = testapp.get(url)
    assert "Meldinger sendt fra denne loggen" in page.text and "siv@example.org" in page.text
    with read_root() as root:
        log = find_log(root, "Ola Testesen")
        assert log.state == "active"
        assert [m.recipients for m in log.outbox.values()] == [("siv@example.org",)]

    # Grant read access to PPT on the whole log (R4): the log's creation consent does not
    # carry it; the family's consent to Pia's access does.
    grant_page = testapp.get(url + "grant")
    assert len(grant_page.forms["deform"]["consent_id"].options) == 1  # none to choose yet
    form = testapp.get(url + "consent").forms["deform"]
    tick(form, guardian_id)
    choose(form, "read_access")
    form["grantee_id"] = option_value(form, "grantee_id", "Pia Rådgiver")
    form.submit("submit", status=303)
    form = testapp.get(url + "grant").forms["deform"]
    form["employee_id"] = option_value(form, "employee_id", "Pia Rådgiver")
    form["consent_id"] = option_value(form, "consent_id", "Lesetilgang for Pia Rådgiver")
    form["purpose"] = "Utredning av lesevansker"
    form.submit("submit", status=303)
    with read_root() as root:
        log = find_log(root, "Ola Testesen")
        ppt = next(e for e in root["demo"].employees.values() if e.username == "ppt")
        assert log.id in set(root["demo"].index.ids("reader", ppt.id))

    # Propose a transfer to the health station; it needs the family's consent (R20).
    form = testapp.get(url + "transfer").forms["deform"]
    choose(form, "unit")
    form["to_employee_id"] = option_value(form, "to_employee_id", "Hanne Helsesykepleier")
    form["reason"] = "Helsestasjonen følger opp videre."
    form.submit("submit", status=303)
    with read_root() as root:
        log = find_log(root, "Ola Testesen")
        transfer = next(iter(log.transfers.values()))
        transfer_url = f"{url}transfers/{transfer.id}/"
        assert transfer.state == "proposed" and log.holder_id == holder_id  # R21
    form = testapp.get(transfer_url + "consent").forms["deform"]
    tick(form, guardian_id)
    form.submit("submit", status=303)

    # The receiver sees the offer on the front page and accepts; only then the holder changes.
    testapp.reset()
    login(testapp, "helsesykepleier")
    home = testapp.get("/")
    assert "Logger du får tilbud om" in home.text and "Ola Testesen" in home.text
    accept = testapp.get(transfer_url + "accept")
    accept.forms["deform"].submit("submit", status=303)
    with read_root() as root:
        log = find_log(root, "Ola Testesen")
        nurse = next(e for e in root["demo"].employees.values() if e.username == "helsesykepleier")
        assert log.holder_id == nurse.id and log.unit_id == nurse.unit_id
        assert next(iter(log.transfers.values())).state == "accepted"

    # The new holder closes the log (R15); the old holder can no longer edit it.
    form = testapp.get(url + "close").forms["deform"]
    form["reason"] = "Målene er nådd."
    form.submit("submit", status=303)
    with read_root() as root:
        log = find_log(root, "Ola Testesen")
        assert log.state == "passive" and log.has_archive()
        assert not any("Målene er nådd." in str(e) for _k, e in root["demo"].journal.entries())


# -- consent withdrawal (R12) --------------------------------------------------------------
def test_r12_consent_withdrawal_closes_the_log_at_once(testapp, read_root):
    url = log_url(read_root, "Emma Nordmann")
    with read_root() as root:
        consent_id = next(iter(find_log(root, "Emma Nordmann").consents.keys()))
    login(testapp, "larer")
    form = testapp.get(f"{url}consents/{consent_id}/withdraw").forms["deform"]
    choose(form, "oral")
    form["note"] = "Mor ringte og trakk samtykket."
    form.submit("submit", status=303)
    with read_root() as root:
        log = find_log(root, "Emma Nordmann")
        assert log.state == "passive"
        assert log.consents[consent_id].state == "withdrawn"
        assert any(r["trigger"] == "force_close" for r in log.history.values())


# -- the receiver declines; a refused accept changes nothing (R21) --------------------------
def test_r21_receiver_cannot_accept_before_consent_and_declines_with_reason(testapp, read_root):
    url = log_url(read_root, "Jonas Berg")
    with read_root() as root:
        jonas = find_log(root, "Jonas Berg")
        transfer_url = f"{url}transfers/{next(iter(jonas.transfers.keys()))}/"
        holder_id = jonas.holder_id
    login(testapp, "helsesykepleier")
    refused = testapp.get(transfer_url + "accept").forms["deform"].submit("submit")
    assert "krever familiens samtykke" in refused.text
    failed = testapp.get(transfer_url + "decline").forms["deform"].submit("submit")
    assert "<li>Hvorfor du avslår: " in failed.text
    form = failed.forms["deform"]
    form["reason"] = "Vi har ikke kapasitet nå."
    form.submit("submit", status=303)
    with read_root() as root:
        jonas = find_log(root, "Jonas Berg")
        assert jonas.holder_id == holder_id
        assert next(iter(jonas.transfers.values())).state == "declined"


# -- meeting mode (R34) --------------------------------------------------------------------
def test_r34_meeting_mode_shows_one_log_until_left_deliberately(testapp, read_root):
    from stafett.models import LogNote, PrivateNote

    url = log_url(read_root, "Emma Nordmann")
    other = log_url(read_root, "Jonas Berg")
    with read_root() as root:
        emma = root["demo"].logs[url.rstrip("/").rsplit("/", 1)[1]]
        emma.private_notes.add(PrivateNote("Min private huskelapp", "larer"))
        emma.notes.add(LogNote("Loggnotat med begrenset synlighet", "larer"))
    login(testapp, "larer")
    page = testapp.get(url)
    assert "Min private huskelapp" in page.text
    testapp.post(url + "meeting-mode", {"csrf_token": csrf_token(page)}, status=303)
    shown = testapp.get(url + "meeting-mode")
    assert "Emma Nordmann" in shown.text and 'class="topbar"' not in shown.text
    assert "Min private huskelapp" not in shown.text
    assert "Loggnotat med begrenset synlighet" not in shown.text
    assert "Jonas Berg" not in shown.text and "Mine logger" not in shown.text
    for elsewhere in ("/", other, url, url + "edit"):
        assert testapp.get(elsewhere, status=303).location.endswith(url + "meeting-mode")
    testapp.post(url + "leave-meeting-mode", {"csrf_token": csrf_token(shown)}, status=303)
    assert "Jonas Berg" in testapp.get("/").text


# -- CSRF and roles ------------------------------------------------------------------------
def test_lifecycle_posts_without_csrf_token_are_refused(testapp, read_root):
    url = log_url(read_root, "Noah Hansen")
    login(testapp, "larer")
    testapp.post(url + "activate", status=400)
    testapp.post(url + "consent", {"date": "2024-01-01"}, status=400)
    testapp.post("/demo/new-log", {"subject_name": "X"}, status=400)
    testapp.post(url + "meeting-mode", status=400)


LOG_FORMS = ("edit", "consent", "grant", "transfer", "close")


@pytest.mark.parametrize("username", ["forelder", "assistent", "kontaktlarer", "pedleder"])
def test_only_the_holder_uses_the_lifecycle_forms(testapp, read_root, username):
    """Guardian, actor, another holder of the same unit, an unrelated employee: 403."""
    url = log_url(read_root, "Emma Nordmann")
    login(testapp, username)
    home = testapp.get("/")
    token = csrf_token(home)
    for name in LOG_FORMS:
        testapp.get(url + name, status=403)
        testapp.post(url + name, {"csrf_token": token}, status=403)
    for name in ("activate", "meeting-mode"):
        testapp.post(url + name, {"csrf_token": token}, status=403)
    with read_root() as root:
        assert find_log(root, "Emma Nordmann").state == "active"


@pytest.mark.parametrize("username", ["forelder", "assistent", "ppt"])
def test_who_may_not_hold_cannot_create_a_log(testapp, username):
    login(testapp, username)
    testapp.get("/demo/new-log", status=403)
    assert "/demo/new-log" not in testapp.get("/").text


def test_only_the_receiver_accepts_a_transfer(testapp, read_root):
    with read_root() as root:
        jonas = find_log(root, "Jonas Berg")
        transfer_url = f"/demo/logs/{jonas.id}/transfers/{next(iter(jonas.transfers.keys()))}/"
    for username in ("larer", "forelder", "kontaktlarer"):
        testapp.reset()
        login(testapp, username)
        testapp.get(transfer_url + "accept", status=403)
        testapp.get(transfer_url + "decline", status=403)


# -- the front page: what needs attention (R10, R21, R26) ----------------------------------
def test_front_page_lists_what_needs_attention(testapp):
    login(testapp, "larer")
    home = testapp.get("/")
    heading = home.html.find(["h2", "h3"], string=lambda t: t and "Trenger oppmerksomhet" in t)
    attention = heading.find_parent("section").get_text(" ", strip=True)
    assert "Samtykket går ut" in attention  # Emma's consent expires in 20 days
    assert "Overføringen venter på familiens samtykke." in attention  # Jonas
    assert "mangler tiltak for barnet" in attention  # Emma's reading concern (R26)
    assert "Et utkast: registrer samtykket og aktiver loggen." in attention  # Noah
    testapp.reset()
    login(testapp, "helsesykepleier")
    offered = testapp.get("/").text
    assert "Logger du får tilbud om" in offered and "Jonas Berg" in offered
