"""Requests the app cannot read are refused at the door with 400, before any view reads
them (issue 8): a path or query string that is not UTF-8 or carries control characters,
a form body that is not UTF-8, a multipart body that does not parse. The error page says
so without echoing any of it (views/errors.py).

Control characters inside a well-formed form body are left to the form, which names the
problem and keeps the text (forms/validators.py)."""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from pyramid.httpexceptions import HTTPBadRequest
from pyramid.tweens import EXCVIEW

from ..forms.validators import control_character

FORM_BODY = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)


def includeme(config) -> None:
    config.add_tween("stafett.views.request_guard.refuse_unreadable", under=EXCVIEW)


def refuse_unreadable(handler, registry):
    """A tween just inside the exception views, so it runs before any subscriber or view
    reads the request, and its 400 gets the app's error page."""

    def tween(request):
        if not (readable_url(request) and readable_body(request)):
            raise HTTPBadRequest()
        return handler(request)

    return tween


def readable_url(request) -> bool:
    try:
        texts = [request.path_info, *(t for pair in request.GET.items() for t in pair)]
    except UnicodeDecodeError:
        return False
    return not any(control_character(t) for t in texts)


def readable_body(request) -> bool:
    if request.method != "POST" or request.content_type not in (FORM_BODY, MULTIPART):
        return True
    try:
        request.POST  # noqa: B018 - parse once here, where a failure is the client's
    except Exception:  # noqa: BLE001 - whatever the parser raises, the body is malformed
        return False
    if request.content_type == FORM_BODY:
        return _utf8_pairs(request.body)
    return _utf8_parts(request.body, request.headers.get("Content-Type", ""))


def _utf8_pairs(body: bytes) -> bool:
    """WebOb decodes form fields leniently (bad bytes become U+FFFD): check the bytes."""
    try:
        for pair in body.split(b"&"):
            unquote_to_bytes(pair.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _utf8_parts(body: bytes, content_type: str) -> bool:
    """Every part's headers (field and file names) and every text field's value."""
    found = BOUNDARY.search(content_type)
    if found is None:
        return False
    try:
        for part in body.split(b"--" + found.group(1).encode("latin-1"))[1:-1]:
            headers, _sep, value = part.partition(b"\r\n\r\n")
            headers.decode("utf-8")
            if b"filename=" not in headers:
                value.decode("utf-8")
    except UnicodeError:
        return False
    return True
