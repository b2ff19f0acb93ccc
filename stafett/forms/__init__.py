"""Colander schemas and Deform forms; Deform renders through our i18n and templates."""

from __future__ import annotations

import hashlib
import os

import deform
from pyramid.i18n import get_localizer
from pyramid.threadlocal import get_current_request

from ..i18n import translated

_DEFORM_TEMPLATES = os.path.join(os.path.dirname(deform.__file__), "templates")
_OUR_TEMPLATES = os.path.join(os.path.dirname(__file__), "..", "templates", "deform")


def _translator(term):
    request = get_current_request()
    return translated(get_localizer(request), term) if request is not None else term


def make_form(schema, request, buttons=(), autosave: str | None = None, **kw) -> deform.Form:
    """A Deform form whose schema is bound to the request, with the CSRF token in it.
    ``autosave`` names the form for static/autosave.js, which keeps what is typed in the
    browser until it is saved (R28)."""
    from .csrf import csrf_schema

    bound = csrf_schema(schema).bind(request=request, **kw.pop("bind", {}))
    # No autofocus (Deform's default): the keyboard starts at the top, with the skip link,
    # and a screen reader reads the heading and help before the first field.
    kw.setdefault("focus", "off")
    form = deform.Form(bound, buttons=buttons, **kw)
    if autosave:
        form.widget.attributes = {"data-autosave": autosave,
                                  "data-autosave-owner": _owner(request)}
    return form


def _owner(request) -> str:
    """Who the browser's copy of a form belongs to, without naming them in the page."""
    identity = getattr(request, "identity", None)
    uid = getattr(identity, "uid", "") if identity is not None else ""
    return hashlib.sha256(f"stafett-autosave:{uid}".encode()).hexdigest()[:16]


def field_errors(field, prefix: str = "") -> list[tuple[str, str]]:
    """(field title, message) for every field in error after a failed validation, nested
    ones named by their path ("Guardians: Name"), so the summary names each field."""
    found = []
    for child in field.children:
        title = f"{prefix}{child.translate(child.title)}"
        if child.error is not None and not child.children:
            found.append((title, child.translate(child.errormsg)))
        found.extend(field_errors(child, prefix=f"{title}: " if child.children else prefix))
    return found


def includeme(config) -> None:
    deform.Form.set_default_renderer(deform.ZPTRendererFactory(
        search_path=(_OUR_TEMPLATES, _DEFORM_TEMPLATES), translator=_translator))
    # Only Deform's style sheets: its scripts (jQuery 2.0.3 among them) are never used, and a
    # same-origin script is one an injected <script src> could load past the CSP.
    config.add_static_view("static-deform", "deform:static/css", cache_max_age=3600)
