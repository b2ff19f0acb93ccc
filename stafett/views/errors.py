"""Error pages that never echo what was asked for: nothing about a child leaks here."""

from __future__ import annotations

import logging
import traceback

from pyramid.exceptions import BadCSRFToken
from pyramid.httpexceptions import HTTPBadRequest, HTTPForbidden, HTTPNotFound, HTTPSeeOther
from pyramid.view import exception_view_config, forbidden_view_config, notfound_view_config
from pyramid_retry import is_error_retryable
from ZODB.POSException import ConflictError

from .. import audit
from ..security import SESSION_USER
from ..storage import LOCK_ERRORS


@forbidden_view_config(renderer="stafett:templates/error.pt")
def forbidden(request):
    """Anyone not logged in (also after the idle timeout, in the middle of a form) goes to
    the login page and comes back to the same page; the browser keeps the typed text."""
    if request.identity is None:
        ended = session_ended(request)
        request.session["came_from"] = _page_to_return_to(request)
        if ended:
            request.session[LOGIN_REASON] = "session_ended"
        return HTTPSeeOther(location=request.application_url + "/login")
    audit.record_denied(request)
    request.response.status = HTTPForbidden.code
    return {"code": 403}


LOGIN_REASON = "login_reason"  # why the login page is shown; read once by views/auth.py
SESSION_COOKIE = "session"  # pyramid's SignedCookieSessionFactory default


def session_ended(request) -> bool:
    """The browser brought a session that is no longer valid: idle too long (the signed
    cookie's timeout empties it; any page seen before left at least a CSRF token in it),
    or its login was ended elsewhere."""
    session = request.session
    return bool(session.get(SESSION_USER)) or (
        SESSION_COOKIE in request.cookies and not dict(session))


def _page_to_return_to(request) -> str:
    """The page the user was on: for a GET that page, for a POST (a form or button sent
    after the session ended) the page that held it, if it is one of ours."""
    if request.method == "GET":
        return request.url
    referer = request.referer or ""
    home = request.application_url + "/"
    return referer if referer.startswith(home) else home


@notfound_view_config(renderer="stafett:templates/error.pt")
def notfound(request):
    request.response.status = HTTPNotFound.code
    return {"code": 404}


@exception_view_config(BadCSRFToken, renderer="stafett:templates/error.pt")
def bad_csrf(request):
    """A POST without a valid token (or after the session ended): refused, nothing changed."""
    request.response.status = HTTPBadRequest.code
    return {"code": 400}


@exception_view_config(HTTPBadRequest, renderer="stafett:templates/error.pt")
def bad_request(request):
    """A request the app cannot read (views/request_guard.py, or an unknown id in a field a
    view reads by hand): refused, nothing changed, and nothing of it echoed."""
    request.response.status = HTTPBadRequest.code
    return {"code": "bad_request"}


def busy(exc, request):
    """Two writers met (a conflict, or a lock another writer held: ``storage.LOCK_ERRORS``).
    pyramid_retry tries again (quietly: it is normal); only when every attempt met another
    writer does the user see this page, which says that nothing was saved and that the
    text they typed is still in the form (static/autosave.js)."""
    where = getattr(exc, "class_name", None) or type(exc).__name__  # a class, never data
    if is_error_retryable(request, exc):
        _log.debug("conflict on %s %s (%s), retrying", request.method, _path(request), where)
    else:
        _log.warning("conflict on %s %s (%s) after every retry", request.method,
                     _path(request), where)
    request.response.status = 503
    request.response.headers["Retry-After"] = "2"
    return {"code": "busy"}


for _error in (ConflictError, *LOCK_ERRORS):
    busy = exception_view_config(_error, renderer="stafett:templates/error.pt")(busy)


@exception_view_config(Exception, renderer="stafett:templates/error.pt")
def server_error(exc, request):
    """An unexpected error: a plain page for the user, and for the operator the error's type
    and where it happened, never its message or values (they could carry a child's name)."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    _log.error("unhandled %s on %s %s\n%s", type(exc).__name__, request.method,
               _path(request), frames)
    request.response.status = 500
    return {"code": 500}


def _path(request) -> str:
    return request.environ.get("PATH_INFO", "")  # raw: it may not be UTF-8


_log = logging.getLogger(__name__)
