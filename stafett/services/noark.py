"""A Noark 5 package for the municipal archive (R35): one zip holding ``arkivmelding.xml``
and the archive copy as PDF/A.

The ``arkivmelding`` describes one case folder (``saksmappe``) per log, with the child as the
case's part (the archive files the document in the child's folder by name and fødselsnummer),
one registry entry (``journalpost``, an internal document) and its document description and
document object: the file name, its SHA-256 checksum, its size and format. The elements follow
the Noark 5 arkivmelding schema (namespace below), kept to what a case system needs to import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
import zipfile

from lxml import etree

from ..formatting import oslo

NS = "http://www.arkivverket.no/standarder/noark5/arkivmelding"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SYSTEM = "Stafett"
MANIFEST = "arkivmelding.xml"
REASON_TITLES = {  # the document's title in the archive (bokmål: the archive's language)
    "closed": "Stafettlogg ved avslutning",
    "change_of_service": "Stafettlogg ved bytte av tjeneste",
    "yearly": "Stafettlogg, årlig utskrift",
    "before_deletion": "Stafettlogg før sletting",
    "individual_plan": "Stafettlogg ved overgang til individuell plan",
}


def _time(moment: dt.datetime) -> str:
    return oslo(moment).isoformat(timespec="seconds")


def package_name(entry) -> str:
    """The same name for the same copy: a delivery retried after a conflict overwrites the
    package it already dropped instead of leaving a second one."""
    return f"stafett-archive-{entry.log_id}-{entry.created:%Y%m%dT%H%M%S%fZ}.zip"


def _sub(parent, name: str, text=None, **attrs):
    element = etree.SubElement(parent, f"{{{NS}}}{name}", **attrs)
    if text is not None:
        element.text = str(text)
    return element


def arkivmelding(entry, pdf: bytes, filename: str, now: dt.datetime) -> bytes:
    """The ``arkivmelding.xml`` for one copy, as UTF-8 bytes."""
    xsi_type = f"{{{XSI}}}type"
    root = etree.Element(f"{{{NS}}}arkivmelding", nsmap={None: NS, "xsi": XSI})
    _sub(root, "system", SYSTEM)
    _sub(root, "meldingId", uuid.uuid4())
    _sub(root, "tidspunkt", _time(now))
    _sub(root, "antallFiler", 1)
    title = REASON_TITLES.get(entry.reason, "Stafettlogg")

    mappe = _sub(root, "mappe", **{xsi_type: "saksmappe"})
    _sub(mappe, "systemID", f"stafett-log-{entry.log_id}")
    _sub(mappe, "tittel", f"Stafettlogg - {entry.part_name}")
    _sub(mappe, "opprettetDato", _time(entry.created))
    _sub(mappe, "opprettetAv", SYSTEM)
    part = _sub(mappe, "part")
    _sub(part, "partNavn", entry.part_name)
    _sub(part, "partRolle", "Barn/elev")
    _sub(part, "foedselsnummer", entry.part_fnr)

    journalpost = _sub(mappe, "registrering", **{xsi_type: "journalpost"})
    _sub(journalpost, "systemID", f"stafett-copy-{entry.key}")
    _sub(journalpost, "opprettetDato", _time(entry.created))
    _sub(journalpost, "opprettetAv", SYSTEM)
    _sub(journalpost, "arkivertDato", _time(now))
    _sub(journalpost, "arkivertAv", SYSTEM)
    _sub(journalpost, "tittel", title)

    beskrivelse = _sub(journalpost, "dokumentbeskrivelse")
    _sub(beskrivelse, "systemID", f"stafett-document-{entry.key}")
    _sub(beskrivelse, "dokumenttype", "Stafettlogg")
    _sub(beskrivelse, "dokumentstatus", "Dokumentet er ferdigstilt")
    _sub(beskrivelse, "tittel", title)
    _sub(beskrivelse, "opprettetDato", _time(entry.created))
    _sub(beskrivelse, "opprettetAv", SYSTEM)
    _sub(beskrivelse, "tilknyttetRegistreringSom", "Hoveddokument")
    _sub(beskrivelse, "dokumentnummer", 1)
    _sub(beskrivelse, "tilknyttetDato", _time(now))
    _sub(beskrivelse, "tilknyttetAv", SYSTEM)

    objekt = _sub(beskrivelse, "dokumentobjekt")
    _sub(objekt, "versjonsnummer", 1)
    _sub(objekt, "variantformat", "Arkivformat")
    _sub(objekt, "format", "PDF/A-2u")
    _sub(objekt, "opprettetDato", _time(entry.created))
    _sub(objekt, "opprettetAv", SYSTEM)
    _sub(objekt, "referanseDokumentfil", filename)
    _sub(objekt, "sjekksum", hashlib.sha256(pdf).hexdigest())
    _sub(objekt, "sjekksumAlgoritme", "SHA256")
    _sub(objekt, "filstoerrelse", len(pdf))

    _sub(journalpost, "journalposttype", "Organinternt dokument uten oppfølging")
    _sub(journalpost, "journalstatus", "Journalført")
    _sub(journalpost, "journaldato", oslo(now).date().isoformat())

    _sub(mappe, "saksdato", oslo(entry.created).date().isoformat())
    _sub(mappe, "administrativEnhet", entry.unit_name)
    _sub(mappe, "saksansvarlig", entry.municipality_name)
    _sub(mappe, "saksstatus", "Avsluttet" if entry.reason != "yearly" else "Under behandling")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build_package(entry, pdf: bytes, filename: str, now: dt.datetime) -> bytes:
    """The zip: ``arkivmelding.xml`` first, then the PDF/A (stored, as it is compressed)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo(MANIFEST, _zip_time(now)),
                         arkivmelding(entry, pdf, filename, now), zipfile.ZIP_DEFLATED)
        archive.writestr(zipfile.ZipInfo(filename, _zip_time(now)), pdf, zipfile.ZIP_STORED)
    return buffer.getvalue()


def _zip_time(now: dt.datetime) -> tuple:
    local = oslo(now)
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute,
            local.second)
