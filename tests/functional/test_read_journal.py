"""Every read of a child's data is journaled with its basis (Normen fact sheets 14/15):
files and PDFs, the supervision page and the access log too, not just the log page."""

from __future__ import annotations

import io

import pikepdf
import pytest

from stafett.models.files import StoredFile
from stafett.models.notes import LogNote

from ..conftest import login


def _tiny_pdf() -> bytes:
    out = io.BytesIO()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(out)
    return out.getvalue()


@pytest.fixture
def emma(read_root) -> dict:
    """Emma's log with a scanned consent form and a note with an attachment."""
    with read_root() as root:
        log = next(x for x in root["demo"].logs.values() if x.subject.name == "Emma Nordmann")
        consent = next(iter(log.consents.values()))
        consent.attachment = StoredFile(_tiny_pdf(), "samtykke.pdf")
        note = log.notes.add(LogNote("Referat fra samtale.", "larer"))
        note.attachment = StoredFile(_tiny_pdf(), "referat.pdf")
        meeting = next(iter(log.meetings.values()))
        base = f"/demo/logs/{log.id}/"
        return {"id": log.id, "uid": root.accounts["forelder"].uid, "urls": {
            ("meeting", "pdf"): f"{base}meetings/{meeting.id}/pdf",
            ("lognote", "attachment"): f"{base}notes/{note.id}/attachment",
            ("consent", "file"): f"{base}consents/{consent.id}/file",
            ("log", "supervision"): base + "supervision",
            ("log", "access-log"): base + "access-log",
            ("log", ""): base}}


def _reads(access, log_id) -> list[dict]:
    return [e for _k, e in reversed(access.of_log(log_id))]


def test_every_file_pdf_and_page_read_is_journaled_with_its_basis(testapp, access, emma):
    login(testapp, "forelder")
    for (kind, view), url in emma["urls"].items():
        before = len(_reads(access, emma["id"]))
        testapp.get(url, status=200)
        new = _reads(access, emma["id"])[before:]
        assert len(new) == 1, url
        assert (new[0]["object_kind"], new[0]["view"]) == (kind, view)
        assert new[0]["actor"] == emma["uid"] and new[0]["basis"] == ("guardian",)


def test_the_access_log_names_each_kind_of_read_in_words(testapp, read_root, emma):
    login(testapp, "forelder")
    for url in emma["urls"].values():
        testapp.get(url)
    page = testapp.get(emma["urls"][("log", "access-log")]).text
    for words in ("avtalte tiltak fra et møte (PDF)", "vedlegg til et notat",
                  "et signert samtykkeskjema", "ledere med lesetilgang",
                  "hvem som har lest loggen"):
        assert words in page


def test_a_refused_or_redirected_request_is_no_read(testapp, access, emma):
    login(testapp, "styrer")  # leader of another unit
    before = len(_reads(access, emma["id"]))
    testapp.get(emma["urls"][("meeting", "pdf")], status=403)
    testapp.reset()
    login(testapp, "larer")
    testapp.post(emma["urls"][("log", "")] + "meeting-mode", status=400)  # no CSRF token
    assert len(_reads(access, emma["id"])) == before
