"""Hostile uploads through the real app (issue 8): a holder attaches PDFs to a log note
(R31) and records a scanned consent (R10); what is stored is inert, what cannot be checked is
refused with the typed text kept, and every file goes back to the family as a download the
browser neither sniffs, caches nor runs."""

from __future__ import annotations

import io

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String
from pypdf import PdfReader
from webtest import Upload

from ..conftest import login
from ..unit.test_uploads import (
    active_content,
    encrypted,
    flate_bomb,
    html_behind_header,
    javascript,
    pdf_with_html_tail,
    plain_pdf,
    saved,
)

FORBIDDEN_BYTES = (b"/JavaScript", b"/OpenAction", b"/EmbeddedFile", b"<script", b"/Launch",
                   b"MZ\x90\x00")


def everything_hostile() -> bytes:
    """Scripts on opening and in the name tree, a launch link, an attached program and an
    HTML page behind the end of the file."""
    pdf = plain_pdf()
    pdf.Root.OpenAction = javascript(pdf)
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(
        Names=Array([String("init"), javascript(pdf)])))
    pdf.attachments["oppdatering.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00 payload")
    link = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[0, 0, 100, 100],
                      A=Dictionary(S=Name.Launch, F=String("cmd.exe")))
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(link)])
    return saved(pdf) + b"<html><script>alert(document.cookie)</script></html>\n"


def _log(root, name):
    return next(log for log in root["demo"].logs.values() if log.subject.name == name)


@pytest.fixture
def emma(read_root) -> str:
    with read_root() as root:
        return f"/demo/logs/{_log(root, 'Emma Nordmann').id}/"


def _form(page):
    """The content form on a page (the layout's language and logout forms come first)."""
    return next(form for key, form in page.forms.items()
                if isinstance(key, str) and "__formid__" in form.fields)


def _note_with(read_root, text: str):
    with read_root() as root:
        notes = _log(root, "Emma Nordmann").notes.values()
        return next((n for n in notes if n.text == text), None)


def _add_note(testapp, emma: str, text: str, pdf: bytes, status: int):
    form = _form(testapp.get(emma + "add-note"))
    form["text"] = text
    form["upload"] = ("vedlegg.pdf", pdf, "application/pdf")
    return form.submit("save", status=status)


def assert_download(response, filename: str, content_type: str) -> None:
    assert response.content_type == content_type
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def assert_inert(body: bytes) -> None:
    for marker in FORBIDDEN_BYTES:
        assert marker not in body
    assert active_content(body) == set()
    assert len(PdfReader(io.BytesIO(body)).pages) == 1


# -- log notes (R31) -----------------------------------------------------------------------
def test_r31_a_hostile_attachment_is_stored_inert_and_read_as_a_download(testapp, emma,
                                                                          read_root):
    login(testapp, "larer")
    _add_note(testapp, emma, "Kopi av brevet fra familien.", everything_hostile(), 303)
    assert_inert(_note_with(read_root, "Kopi av brevet fra familien.").attachment.data)

    testapp.reset()
    login(testapp, "forelder")
    download = testapp.get(emma).click(href="attachment")
    assert_download(download, "notat.pdf", "application/pdf")
    assert_inert(download.body)


@pytest.mark.parametrize(("pdf", "message"), [
    (flate_bomb, "PDF-en pakker seg ut til mer enn 100 MB."),
    (html_behind_header, "Filen kan ikke leses som PDF: den er skadet eller bare ser ut som "
                         "en PDF."),
    (lambda: encrypted(user="hemmelig"), "PDF-en er beskyttet med passord."),
])
def test_r31_a_refused_attachment_names_the_problem_and_keeps_the_text(testapp, emma,
                                                                      read_root, pdf, message):
    login(testapp, "larer")
    response = _add_note(testapp, emma, "Øvelsene vi avtalte på møtet.", pdf(), 200)
    assert f"PDF-vedlegg: {message}" in response.text
    assert "Øvelsene vi avtalte på møtet." in response.text
    assert _note_with(read_root, "Øvelsene vi avtalte på møtet.") is None


# -- scanned consent (R10) -----------------------------------------------------------------
def _radio_offering(form, value: str):
    """The radio group that offers ``value`` (Deform names groups by widget id)."""
    return next(fields[0] for fields in form.fields.values()
                if type(fields[0]).__name__ == "Radio"
                and value in [option[0] for option in fields[0].options])


def test_r10_a_scanned_consent_is_refused_locked_and_stored_without_its_html(testapp,
                                                                            read_root):
    with read_root() as root:
        noah = _log(root, "Noah Hansen")
        url, guardian_id = f"/demo/logs/{noah.id}/", next(iter(noah.guardians.keys()))
    login(testapp, "larer")
    form = testapp.get(url + "consent").forms["deform"]
    next(f for f in form.fields["checkbox"] if f._value == guardian_id).checked = True
    _radio_offering(form, "scanned").value = "scanned"
    form["upload"] = Upload("samtykke.pdf", encrypted(user="hemmelig"), "application/pdf")
    failed = form.submit("submit", status=200)
    assert "PDF-en er beskyttet med passord." in failed.text
    assert _radio_offering(failed.forms["deform"], "scanned").value == "scanned"  # kept

    form = failed.forms["deform"]
    form["upload"] = Upload("samtykke.pdf", pdf_with_html_tail(), "application/pdf")
    form.submit("submit", status=303)
    with read_root() as root:
        consent = next(iter(_log(root, "Noah Hansen").consents.values()))
        file_url = f"{url}consents/{consent.id}/file"
    download = testapp.get(file_url)
    assert_download(download, f"samtykke-{consent.id}.pdf", "application/pdf")
    assert b"<html" not in download.body
    assert_inert(download.body)


# -- files the app makes -------------------------------------------------------------------
def test_generated_pdfs_and_csv_are_downloads_too(testapp, emma, read_root):
    with read_root() as root:
        log = _log(root, "Emma Nordmann")
        meeting = next(iter(log.meetings.values()))
        meeting_url, log_id = f"{emma}meetings/{meeting.id}/pdf", log.id
    login(testapp, "forelder")
    assert_download(testapp.get(meeting_url), f"tiltak-{meeting.date}.pdf", "application/pdf")
    access_log = emma + "access-log"
    assert_download(testapp.get(access_log, {"format": "pdf"}), f"access-log-{log_id}.pdf",
                    "application/pdf")
    assert_download(testapp.get(access_log, {"format": "csv"}), f"access-log-{log_id}.csv",
                    "text/csv")
