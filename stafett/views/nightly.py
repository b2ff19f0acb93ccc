"""``POST /nightly-run``: run tonight's nightly work now, for ``stafett-daily`` when a running
server holds the FileStorage. Not a page: reachable only from loopback, not through a proxy,
with the secret ``stafett.nightly_secret`` as a bearer token; 404 when no secret is set."""

from __future__ import annotations

import hmac

from pyramid.httpexceptions import HTTPBadRequest, HTTPForbidden, HTTPNotFound
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from ..models.base import today
from ..models.org import AppRoot
from ..workflows.nightly import run_night
from .this_machine import from_this_machine


@view_config(context=AppRoot, name="nightly-run", request_method="POST", renderer="json",
             require_csrf=False, permission=NO_PERMISSION_REQUIRED)
def nightly_run(request):
    secret = request.registry.settings.get("stafett.nightly_secret", "").strip()
    if not secret or not from_this_machine(request):
        raise HTTPNotFound()
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), secret.encode()):
        return HTTPForbidden()  # returned: raised, it would become a login page
    again = request.POST.get("again", "0")
    if again not in ("", "0", "1"):
        return HTTPBadRequest()
    db = request.registry._zodb_databases[""]
    outcome = run_night(db, request.registry.settings, request.access_journal, today(),
                        again=again == "1")
    return outcome.to_json()
