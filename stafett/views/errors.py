"""Error pages that never echo what was asked for: nothing about a child leaks here."""

from __future__ import annotations

from pyramid.exceptions import BadCSRFToken
from pyramid.httpexceptions import HTTPBadRequest, HTTPForbidden, HTTPNotFound, HTTPSeeOther
from pyramid.view import exception_view_config, forbidden_view_config, notfound_view_config

from .. import audit


@forbidden_view_config(renderer="stafett:templates/error.pt")
def forbidden(request):
    if request.identity is None and request.method == "GET":
        request.session["came_from"] = request.url
        return HTTPSeeOther(location=request.application_url + "/login")
    audit.record_denied(request)
    request.response.status = HTTPForbidden.code
    return {"code": 403}


@notfound_view_config(renderer="stafett:templates/error.pt")
def notfound(request):
    request.response.status = HTTPNotFound.code
    return {"code": 404}


@exception_view_config(BadCSRFToken, renderer="stafett:templates/error.pt")
def bad_csrf(request):
    """A POST without a valid token (or after the session ended): refused, nothing changed."""
    request.response.status = HTTPBadRequest.code
    return {"code": 400}
