"""Delivery to the municipal archive (R35): the Noark 5 package, the backoff of a failed
delivery and the drop folder's atomic write."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import stat
import zipfile

import pytest
from lxml import etree

from stafett.models.archive_outbox import ArchiveOutbox, OutboxEntry, backoff
from stafett.models.files import StoredFile
from stafett.models.log import ArchivedPdf
from stafett.services import archive_transport, noark
from stafett.services.archive_transport import FolderTransport, TransportError

NS = {"a": noark.NS}
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
PDF = b"%PDF-1.7\n% not a real PDF, only bytes to check the checksum of\n%%EOF\n"


def _entry(reason: str = "closed") -> OutboxEntry:
    archived = ArchivedPdf(reason, blob=StoredFile(PDF, "stafettlogg-L1-20261206.pdf"),
                           log_id="L1", unit_id="U1")
    return OutboxEntry(ArchiveOutbox.new_key(archived.created), archived,
                       municipality_name="Demo kommune", unit_name="Solbakken skole",
                       part_name="Emma Nordmann", part_fnr="01011012345")


def _package(entry=None) -> tuple[OutboxEntry, zipfile.ZipFile]:
    entry = entry or _entry()
    now = dt.datetime(2026, 12, 6, 2, 0, tzinfo=dt.UTC)
    data = noark.build_package(entry, PDF, entry.archived.blob.filename, now)
    return entry, zipfile.ZipFile(io.BytesIO(data))


def test_the_package_holds_the_arkivmelding_and_the_pdf_it_names():
    entry, package = _package()
    assert package.namelist() == ["arkivmelding.xml", "stafettlogg-L1-20261206.pdf"]
    assert package.read("stafettlogg-L1-20261206.pdf") == PDF
    root = etree.fromstring(package.read("arkivmelding.xml"))  # well-formed, or this raises
    assert root.tag == f"{{{noark.NS}}}arkivmelding"
    assert root.findtext("a:system", namespaces=NS) == "Stafett"
    assert root.findtext("a:antallFiler", namespaces=NS) == "1"
    [mappe] = root.findall("a:mappe", NS)
    assert mappe.get(XSI_TYPE) == "saksmappe"
    assert mappe.findtext("a:part/a:partNavn", namespaces=NS) == "Emma Nordmann"
    assert mappe.findtext("a:part/a:foedselsnummer", namespaces=NS) == "01011012345"
    assert mappe.findtext("a:administrativEnhet", namespaces=NS) == "Solbakken skole"
    [journalpost] = mappe.findall("a:registrering", NS)
    assert journalpost.get(XSI_TYPE) == "journalpost"
    objekt = journalpost.find("a:dokumentbeskrivelse/a:dokumentobjekt", NS)
    assert objekt.findtext("a:referanseDokumentfil", namespaces=NS) == \
        "stafettlogg-L1-20261206.pdf"
    assert objekt.findtext("a:sjekksumAlgoritme", namespaces=NS) == "SHA256"
    assert objekt.findtext("a:sjekksum", namespaces=NS) == hashlib.sha256(PDF).hexdigest()
    assert objekt.findtext("a:filstoerrelse", namespaces=NS) == str(len(PDF))
    assert objekt.findtext("a:format", namespaces=NS) == "PDF/A-2u"


def test_the_package_name_is_the_same_for_the_same_copy():
    entry = _entry()
    name = noark.package_name(entry)
    assert name == noark.package_name(entry)
    assert name.startswith("stafett-archive-L1-") and name.endswith(".zip")
    assert "Emma" not in name and "0101" not in name.split("-L1-")[0]


@pytest.mark.parametrize("attempts, wait", [
    (0, dt.timedelta(0)), (1, dt.timedelta(minutes=5)), (2, dt.timedelta(minutes=10)),
    (3, dt.timedelta(minutes=20)), (8, dt.timedelta(minutes=640)),
    (9, dt.timedelta(hours=12)), (40, dt.timedelta(hours=12)),
])
def test_backoff_doubles_from_five_minutes_to_twelve_hours(attempts, wait):
    assert backoff(attempts) == wait


def test_a_failed_delivery_waits_and_counts():
    entry = _entry()
    now = entry.queued
    assert entry.due(now)
    entry.failed("archive_folder_missing", now)
    entry.failed("archive_folder_missing", now)
    assert (entry.attempts, entry.error) == (2, "archive_folder_missing")
    assert entry.next_try == now + dt.timedelta(minutes=10)
    assert not entry.due(now + dt.timedelta(minutes=9))
    assert entry.due(now + dt.timedelta(minutes=10))


def test_the_folder_gets_the_whole_file_under_its_final_name_only(tmp_path, monkeypatch):
    transport = FolderTransport(str(tmp_path))
    seen = []
    replace = os.replace

    def watching_replace(source, target):
        # At the rename the bytes are all there, under a name an importer skips.
        seen.append((os.path.basename(source), open(source, "rb").read(), os.listdir(tmp_path)))
        return replace(source, target)

    monkeypatch.setattr(os, "replace", watching_replace)
    target = transport.deliver("stafett-archive-L1-x.zip", b"zip bytes")
    [(temporary, data, listing)] = seen
    assert temporary.startswith(".") and data == b"zip bytes"
    assert "stafett-archive-L1-x.zip" not in listing
    assert os.listdir(tmp_path) == ["stafett-archive-L1-x.zip"]
    assert open(target, "rb").read() == b"zip bytes"


def test_a_failed_write_leaves_no_half_file(tmp_path, monkeypatch):
    transport = FolderTransport(str(tmp_path))

    def failing_fsync(_fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(TransportError) as error:
        transport.deliver("stafett-archive-L1-x.zip", b"zip bytes")
    assert error.value.code == "archive_write_failed"
    assert os.listdir(tmp_path) == []


def test_a_missing_or_closed_folder_is_told_by_its_code(tmp_path, monkeypatch):
    with pytest.raises(TransportError) as error:
        FolderTransport(str(tmp_path / "nowhere")).deliver("p.zip", b"x")
    assert error.value.code == "archive_folder_missing"
    closed = tmp_path / "closed"
    closed.mkdir()
    closed.chmod(stat.S_IRUSR | stat.S_IXUSR)
    if os.access(closed, os.W_OK):  # root writes anywhere: the check itself is what counts
        monkeypatch.setattr(os, "access", lambda path, mode: False)
    with pytest.raises(TransportError) as error:
        FolderTransport(str(closed)).deliver("p.zip", b"x")
    assert error.value.code == "archive_folder_not_writable"
    assert os.listdir(closed) == []


def test_the_transport_follows_the_settings(tmp_path):
    folder = archive_transport.transport_from_settings(
        {"stafett.archive.folder": str(tmp_path)})
    assert isinstance(folder, FolderTransport) and folder.folder == str(tmp_path)
    with pytest.raises(TransportError) as error:
        archive_transport.transport_from_settings(
            {"stafett.archive.transport": "carrier-pigeon"}).deliver("p.zip", b"x")
    assert error.value.code == "archive_transport_unknown"


def test_a_practice_municipalitys_copies_are_never_queued():
    from stafett.models.org import Municipality
    from stafett.services import archive_delivery

    def produced_copy(municipality):
        archived = ArchivedPdf("closed", blob=StoredFile(PDF, "x.pdf"), log_id="L1")
        archived.__parent__ = municipality
        return archived

    practice = Municipality("Øvingskommune")
    practice.practice_of = "demo"
    assert archive_delivery.enqueue(produced_copy(practice)) is None
    assert list(practice.archive_outbox.values()) == []

    real = Municipality("Demo kommune")
    copy = produced_copy(real)
    entry = archive_delivery.enqueue(copy)
    assert entry is not None and entry.archived is copy
    assert archive_delivery.enqueue(copy) is None  # once
    assert archive_delivery.undelivered(real, "L1") == [entry]
