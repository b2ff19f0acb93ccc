"""A guardian's invitation (R5, ``workflows.invitation``): the holder sends it from the log;
the mailed link leads through ID-porten, where the guardian's login is bound to the entry."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from ..i18n import _
from ..messages import message_for
from ..models.base import DomainError
from ..models.log import Guardian
from ..models.org import AppRoot
from ..security import Permission
from ..services import notify
from ..workflows.invitation import invite_guardian, open_invitation

SENT = _("inv_sent", default="The invitation was sent by e-mail.")


@view_config(context=Guardian, name="invite", request_method="POST",
             permission=Permission.EDIT)
def send_invitation(request):
    guardian = request.context
    log = guardian.__parent__.__parent__
    try:
        token = invite_guardian(guardian, request.identity, request)
    except DomainError as refused:
        request.notice(request.translate(message_for(refused)))
    else:
        link = request.resource_url(request.root, "invitation", token)
        notify.guardian_invited(log, guardian, link, request)
        request.notice(request.translate(SENT))
    return HTTPSeeOther(location=request.resource_url(log))


@view_config(context=AppRoot, name="invitation", renderer="stafett:templates/invitation.pt",
             permission=NO_PERMISSION_REQUIRED)
def invitation(request):
    """The mailed link, ``/invitation/<token>``: what accepting means, and the way on to
    ID-porten; the token is used when the guardian comes back logged in."""
    token = request.subpath[0] if request.subpath else ""
    valid = open_invitation(request.app_root, token) is not None
    return {"valid": valid and request.registry.idporten is not None,
            "login_url": request.resource_url(request.root, "idporten-login",
                                              query={"invitation": token})}
