"""Every file the app sends (uploaded attachments, generated PDFs, CSV reports) goes out the
same way: as a download, never sniffed, never cached, and unable to run script if a browser
opens it anyway (issue 8)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from pyramid.response import Response

UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
UNSAFE_IN_FULL_NAME = re.compile(r'[\x00-\x1f\x7f/\\"]+')
MAX_FILENAME = 100
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; sandbox",
}


def file_response(body: bytes | Iterable[bytes], filename: str, content_type: str, *,
                  charset: str | None = None) -> Response:
    """A download of ``body`` (bytes, or chunks to stream) named ``filename``."""
    response = Response(content_type=content_type, charset=charset)
    if isinstance(body, bytes):
        response.body = body
    else:
        response.app_iter = body
    response.headers["Content-Disposition"] = attachment(filename)
    for name, value in DOWNLOAD_HEADERS.items():
        response.headers[name] = value
    return response


def attachment(filename: str) -> str:
    """``attachment`` with an ASCII name every browser takes, plus the full name (RFC 6266,
    RFC 5987) when it is not ASCII."""
    header = f'attachment; filename="{ascii_filename(filename)}"'
    if not filename.isascii():
        full = UNSAFE_IN_FULL_NAME.sub("_", filename).lstrip(".")
        header += f"; filename*=UTF-8''{quote(full, safe='')}"
    return header


def ascii_filename(filename: str) -> str:
    """Letters, digits, dot, dash and underscore; never a path or a hidden file. Accents are
    dropped; Æ and Ø have no plain letter inside them, so they are spelt out."""
    spelt = filename.translate(str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O"}))
    plain = "".join(c for c in unicodedata.normalize("NFKD", spelt)
                    if not unicodedata.combining(c))
    return UNSAFE_IN_FILENAME.sub("_", plain)[-MAX_FILENAME:].lstrip(".") or "download"
