"""Stored files (PDF archives, scanned consent forms, note attachments).

Bytes live in their own persistent object, loaded only when the file is opened; packing
removes them with their owner.

An uploaded PDF is parsed and re-written by pikepdf (qpdf): what is stored is always the
re-written file, never the uploaded bytes, so whatever hides around the PDF structure (an
HTML page behind it, a comment, unreferenced objects) is gone. Active content is stripped
and the document kept; what cannot be read or checked safely (a password, LZW compression,
a damaged file) and what is too big once unpacked is refused with a message naming why.
"""

from __future__ import annotations

import io
import re
import zlib
from itertools import takewhile

import pikepdf
from persistent import Persistent
from pikepdf import Array, Dictionary, Name
from pikepdf.sanitize import Sanitizer
from pikepdf.settings import set_qpdf_limits

from .base import DomainError, utcnow

PDF_MAGIC = b"%PDF-"
MB = 1024 * 1024
MAX_UPLOAD_BYTES = 10 * MB
# Generous for a scanned letter or a school report: a page scanned in grey at 300 dpi
# without loss unpacks to about 9 MB, text pages to a few KB. The whole document is counted
# a chunk at a time, never held; what qpdf unpacks itself in one piece (object streams while
# it opens the file, rare filter chains) is held while it does, so its limit is lower.
MAX_UNPACKED_BYTES = 100 * MB
QPDF_MAX_MEMORY = 50 * MB
MAX_PAGES = 500
MAX_OBJECTS = 100_000
UNPACK_CHUNK = MB

# Scripts, launch/submit/import/remote/URI actions, attachments, media and portfolios go;
# page content, annotations (inert), form fields (without scripts) and metadata stay.
SANITIZER = (Sanitizer().remove_javascript().remove_external_access().remove_attachments()
             .remove_multimedia().remove_collection())
ALWAYS_REMOVED = (Name.OpenAction, Name.AA, Name.JS, Name.EF)
REMOVED_ACTIONS = {Name.JavaScript, Name.Launch, Name.SubmitForm, Name.ImportData, Name.GoToR,
                   Name.GoToE, Name.URI, Name.Rendition, Name.Movie, Name.Sound,
                   Name.RichMediaExecute}
FILTER_NAMES = {"/Fl": "/FlateDecode", "/AHx": "/ASCIIHexDecode", "/A85": "/ASCII85Decode",
                "/LZW": "/LZWDecode", "/RL": "/RunLengthDecode", "/CCF": "/CCITTFaxDecode",
                "/DCT": "/DCTDecode"}
# Filters whose output is bounded here; image codecs after them are unpacked by the viewer,
# bounded by the image's own dimensions.
GENERAL_FILTERS = {"/FlateDecode", "/ASCIIHexDecode", "/ASCII85Decode", "/RunLengthDecode"}
# LZW has no memory limit in qpdf, which unpacks object streams while opening the file, so
# the name is looked for before. A name ends at a delimiter: 4 random bytes of image data
# rarely look like one.
LZW_NAME = re.compile(rb"/(?:L|#4[cC])(?:Z|#5[aA])(?:W|#57)(?:Decode)?(?=[\s/\[\]<>()%]|$)")


def _limit_qpdf() -> None:
    """Process-wide, so set once, when the module is imported (nothing else here uses qpdf)."""
    set_qpdf_limits(flate_max_memory=QPDF_MAX_MEMORY, run_length_max_memory=QPDF_MAX_MEMORY,
                    png_max_memory=QPDF_MAX_MEMORY, tiff_max_memory=QPDF_MAX_MEMORY,
                    dct_max_memory=QPDF_MAX_MEMORY, parser_max_container_size=MAX_OBJECTS)


_limit_qpdf()


class StoredFile(Persistent):
    def __init__(self, data: bytes, filename: str, content_type: str = "application/pdf"):
        self.data = data
        self.filename = filename
        self.content_type = content_type
        self.size = len(data)
        self.created = utcnow()


def pdf_upload(data: bytes, filename: str) -> StoredFile:
    """Accept a PDF by its parsed content, within the limits, stripped of anything that could
    run, launch or carry another file (R10, R31)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise DomainError("upload_too_large", rule="R10", limit=MAX_UPLOAD_BYTES // MB)
    if not data.startswith(PDF_MAGIC):
        raise DomainError("upload_not_pdf", rule="R10")
    if LZW_NAME.search(data):
        raise DomainError("upload_pdf_lzw", rule="R10")
    try:
        return StoredFile(_sanitised(data), filename)
    except pikepdf.PasswordError:
        raise DomainError("upload_pdf_encrypted", rule="R10") from None
    except (pikepdf.PikepdfError, TypeError, ValueError):
        # pikepdf raises the last two on some malformed objects (names that are not UTF-8)
        raise DomainError("upload_pdf_unreadable", rule="R10") from None


def _sanitised(data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        _check_counts(pdf)
        _check_unpacked_size(pdf)
        _strip_active_content(pdf)
        rewritten = _rewritten(pdf)
    with pikepdf.open(io.BytesIO(rewritten), attempt_recovery=False) as stored:
        len(stored.pages)  # what is stored must open without repairs
    return rewritten


def _rewritten(pdf: pikepdf.Pdf) -> bytes:
    # qpdf writes the true /Size, but only if the key is there: a damaged trailer loses it.
    pdf.trailer[Name.Size] = 0
    out = io.BytesIO()
    # Object streams pack what is left of the dictionaries and strings too, so no text of
    # the upload is stored as it came. An owner-only password is dropped here.
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _check_counts(pdf: pikepdf.Pdf) -> None:
    declared = pdf.trailer.get(Name.Size)
    too_many = isinstance(declared, int) and declared > MAX_OBJECTS  # before reading them all
    if too_many or len(pdf.objects) > MAX_OBJECTS:
        raise DomainError("upload_pdf_too_many_objects", rule="R10", limit=MAX_OBJECTS)
    if len(pdf.pages) > MAX_PAGES:
        raise DomainError("upload_pdf_too_many_pages", rule="R10", limit=MAX_PAGES)


# -- unpacked size ---------------------------------------------------------------------------
def _check_unpacked_size(pdf: pikepdf.Pdf) -> None:
    left = MAX_UNPACKED_BYTES
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            left -= _unpacked_size(pdf, obj, left)
            if left < 0:
                raise DomainError("upload_pdf_too_much_content", rule="R10",
                                  limit=MAX_UNPACKED_BYTES // MB)


def _unpacked_size(pdf: pikepdf.Pdf, stream: pikepdf.Stream, budget: int) -> int:
    filters = _filters(stream)
    if "/LZWDecode" in filters:
        raise DomainError("upload_pdf_lzw", rule="R10")
    chain = list(takewhile(GENERAL_FILTERS.__contains__, filters))
    if not chain:
        return len(stream.read_raw_bytes())
    if chain == ["/FlateDecode"]:
        return _inflated_size(stream.read_raw_bytes(), budget)
    return _chain_output_size(pdf, stream, chain)


def _filters(stream: pikepdf.Stream) -> list[str]:
    declared = stream.get(Name.Filter)
    if declared is None:
        return []
    names = list(declared) if isinstance(declared, Array) else [declared]
    return [FILTER_NAMES.get(str(name), str(name)) for name in names]


def _inflated_size(packed: bytes, budget: int) -> int:
    """What Flate data unpacks to, counted a chunk at a time and never held: stops as soon as
    the count passes ``budget``."""
    inflater, pending, size = zlib.decompressobj(), packed, 0
    try:
        while size <= budget and not inflater.eof:
            chunk = inflater.decompress(pending, UNPACK_CHUNK)
            pending = inflater.unconsumed_tail
            if not chunk and not pending:
                break
            size += len(chunk)
    except zlib.error:
        pass  # a reader shows what came before the damage, and so counts only that
    return size


def _chain_output_size(pdf: pikepdf.Pdf, stream: pikepdf.Stream, chain: list[str]) -> int:
    """Rare filter chains are unpacked by qpdf, under its memory limits, from a scratch copy
    that has only the filters bounded here (it is not referenced, so it is not saved)."""
    probe = pikepdf.Stream(pdf, stream.read_raw_bytes())
    probe.Filter = Array([Name(name) for name in chain])
    parms = stream.get(Name.DecodeParms)
    if parms is not None:
        probe.DecodeParms = Array(list(parms)[:len(chain)]) if isinstance(parms, Array) \
            else parms
    try:
        return len(probe.read_bytes(pikepdf.StreamDecodeLevel.specialized))
    except pikepdf.PikepdfError as error:
        if "memory limit" in str(error):  # qpdf gives no other way to tell a limit apart
            return MAX_UNPACKED_BYTES + 1
        raise


# -- active content --------------------------------------------------------------------------
def _strip_active_content(pdf: pikepdf.Pdf) -> None:
    SANITIZER.apply(pdf)
    acroform = pdf.Root.get(Name.AcroForm)
    if isinstance(acroform, Dictionary) and Name.XFA in acroform:
        del acroform[Name.XFA]
    for obj in pdf.objects:
        if isinstance(obj, (Dictionary, pikepdf.Stream)):
            _disarm(obj)


def _disarm(obj: pikepdf.Object) -> None:
    """Whatever the sanitizer's walk of the known places did not reach: automatic actions,
    scripts and embedded files are removed, and an action of a removed type stops being one
    (and is removed where it is an object's own /A).
    Only named keys are read, never every key: names that are not UTF-8 (legal, and common in
    font names) cannot be read back through pikepdf."""
    for key in ALWAYS_REMOVED:
        if key in obj:
            del obj[key]
    if _is_removed_action(obj):
        del obj[Name.S]
    if _is_removed_action(obj.get(Name.A)):
        del obj[Name.A]


def _is_removed_action(obj: pikepdf.Object | None) -> bool:
    if not isinstance(obj, (Dictionary, pikepdf.Stream)):
        return False
    action = obj.get(Name.S)
    return isinstance(action, Name) and action in REMOVED_ACTIONS
