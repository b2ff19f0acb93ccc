"""Colander schemas and Deform forms; Deform renders through our i18n and templates."""

from __future__ import annotations

import os

import deform
from pyramid.i18n import get_localizer
from pyramid.threadlocal import get_current_request

_DEFORM_TEMPLATES = os.path.join(os.path.dirname(deform.__file__), "templates")
_OUR_TEMPLATES = os.path.join(os.path.dirname(__file__), "..", "templates", "deform")


def _translator(term):
    request = get_current_request()
    return get_localizer(request).translate(term) if request is not None else term


def make_form(schema, request, buttons=(), **kw) -> deform.Form:
    """A Deform form whose schema is bound to the request, with the CSRF token in it."""
    from .csrf import csrf_schema

    bound = csrf_schema(schema).bind(request=request, **kw.pop("bind", {}))
    return deform.Form(bound, buttons=buttons, **kw)


def includeme(config) -> None:
    deform.Form.set_default_renderer(deform.ZPTRendererFactory(
        search_path=(_OUR_TEMPLATES, _DEFORM_TEMPLATES), translator=_translator))
    config.add_static_view("static-deform", "deform:static", cache_max_age=3600)
