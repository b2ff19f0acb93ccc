"""The practice municipality (kursløsning, R43): staff step in as one of its fictive people,
and its leaders put it back to the starting point.

Stepping in is a new login as the fictive person: the real login ends, so leaving the
practice municipality is logging out (and in again). No real municipality's page can be
reached from there, nor the other way round (``security._crosses_practice``).
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound, HTTPSeeOther
from pyramid.security import remember
from pyramid.view import view_config

from ..i18n import _
from ..models.org import Municipality
from ..security import SESSION_LOGIN, Permission
from ..workflows.practice import account_prefix, open_practice, reset_practice

# The fictive people one may practise as, by their login without the prefix.
ROLES = (
    ("larer", _("practice_as_holder", default="Holder at the school")),
    ("rektor", _("practice_as_leader", default="Unit leader at the school")),
    ("assistent", _("practice_as_actor", default="Employee with a measure")),
    ("helsesykepleier", _("practice_as_nurse", default="Holder at the health station")),
    ("superbruker", _("practice_as_superuser", default="Superuser of the municipality")),
    ("forelder", _("practice_as_guardian", default="Parent")),
    ("sara", _("practice_as_youth", default="Youth of 16")),
)
RESET_DONE = _("practice_reset_done",
               default="The practice municipality is back at its starting point.")


def _practice(request) -> Municipality:
    if request.context.practice_of is None:
        raise HTTPNotFound()
    return request.context


@view_config(context=Municipality, name="practice", request_method="GET",
             renderer="stafett:templates/practice.pt", permission=Permission.PRACTISE)
def practice_page(request):
    practice, accounts = _practice(request), request.app_root.accounts
    prefix = account_prefix(practice.id)
    roles = [(accounts[prefix + name], label) for name, label in ROLES
             if prefix + name in accounts]
    return {"municipality": practice, "roles": roles,
            "may_reset": request.has_permission(Permission.RESET_PRACTICE, practice)}


@view_config(context=Municipality, name="practice", request_method="POST",
             permission=Permission.PRACTISE)
def step_in(request):
    """A new login as the chosen fictive person; the access journal names who stepped in."""
    practice = _practice(request)
    username = request.POST.get("as", "")
    account = request.app_root.accounts.get(username)
    if (account is None or account.municipality != practice.id
            or not username.startswith(account_prefix(practice.id))):
        raise HTTPBadRequest()
    request.access_journal.for_municipality(practice.id).append(
        "login", actor=account.uid, actor_kind=str(account.kind), reason="practice",
        by=request.identity.uid)
    request.registry.login_sessions.end(request.session.get(SESSION_LOGIN))
    headers = remember(request, account.username)  # a new session; the language stays
    return HTTPSeeOther(location=request.application_url + "/", headers=headers)


@view_config(context=Municipality, name="reset-practice", request_method="GET",
             renderer="stafett:templates/practice_reset.pt",
             permission=Permission.RESET_PRACTICE)
def confirm_reset(request):
    return {"municipality": _practice(request)}


@view_config(context=Municipality, name="reset-practice", request_method="POST",
             permission=Permission.RESET_PRACTICE)
def reset(request):
    fresh = reset_practice(_practice(request), request.identity)
    request.notice(request.translate(RESET_DONE))
    return HTTPSeeOther(location=request.resource_url(fresh, "practice"))


@view_config(context=Municipality, name="admin-practice", request_method="POST",
             permission=Permission.ADMIN_MUNICIPALITY)
def open_for_staff(request):
    """The superuser opens the municipality's practice municipality (made the first time)."""
    if request.context.practice_of is not None:
        raise HTTPNotFound()
    practice = open_practice(request.app_root, request.context)
    return HTTPSeeOther(location=request.resource_url(practice, "practice"))
