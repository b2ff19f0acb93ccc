"""The ID-porten login (``services.idporten``): the redirect out, the return, and logouts
started by ID-porten (back-channel and front-channel).

The return (``idporten-callback``) is a GET by the protocol, and the one GET that may write
to the object database: a person's first login makes their account (``services.people``).
"""

from __future__ import annotations

import hmac

from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound, HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED as NO_PERMISSION
from pyramid.security import remember
from pyramid.view import view_config

from .. import audit
from ..i18n import _
from ..models.org import AppRoot
from ..services.idporten import PendingLogin, TokenRefused
from ..services.people import register, sign_in, sign_in_to_ask
from ..workflows.invitation import accept_invitation

PENDING = "idporten"
CANCELLED = _("idp_cancelled", default="The login with ID-porten was not completed. Try "
                                      "again.")
REFUSED = _("idp_refused", default="ID-porten's answer could not be accepted, so you are not "
                                   "logged in. Try again; if it happens again, contact the "
                                   "municipality.")


def provider(request):
    found = request.registry.idporten
    if found is None:
        raise HTTPNotFound()
    return found


def redirect_uri(request) -> str:
    return (request.registry.settings.get("stafett.oidc.redirect_uri")
            or request.application_url + "/idporten-callback")


@view_config(context=AppRoot, name="idporten-login", request_method="GET",
             permission=NO_PERMISSION)
def start(request):
    """To ID-porten, with state, nonce and a PKCE verifier kept in this browser's session;
    ``?invitation=`` carries a guardian's invitation through the login, ``?ask=`` the
    municipality a family asks for a log (R41)."""
    idporten = provider(request)
    pending = PendingLogin()
    request.session[PENDING] = dict(pending.as_dict(),
                                    invitation=request.GET.get("invitation", "")[:100],
                                    ask=request.GET.get("ask", "")[:64])
    return HTTPSeeOther(location=idporten.authorization_url(
        pending, redirect_uri(request), request.locale_name))


@view_config(context=AppRoot, name="idporten-callback", request_method="GET",
             renderer="stafett:templates/no_role.pt", permission=NO_PERMISSION)
def callback(request):
    idporten = provider(request)
    pending = request.session.pop(PENDING, None)
    state = request.GET.get("state", "")
    if not pending or not hmac.compare_digest(state, pending["state"]):
        # Another tab's login, the back button, or a link made elsewhere: no one is logged
        # in by it, and the person may simply start again.
        audit.record_login(request, None, False, reason="idporten_state")
        return _back_to_login(request, CANCELLED)
    if "error" in request.GET or "code" not in request.GET:
        # The person cancelled at ID-porten, or it answered with an error: journaled by
        # its code (a short word from the protocol, never personal data).
        code = "".join(c for c in request.GET.get("error", "no_code") if c.isalnum() or c == "_")
        audit.record_login(request, None, False, reason=f"idporten_{code}"[:64])
        return _back_to_login(request, CANCELLED)
    try:
        person = idporten.finish(request.GET["code"], pending, redirect_uri(request))
    except TokenRefused as refused:
        audit.record_login(request, None, False, reason=f"idporten_{refused.reason}"[:64])
        return _back_to_login(request, REFUSED)
    root = request.app_root
    if pending.get("invitation"):
        accept_invitation(root, pending["invitation"], person.pid, request)
    asked = root.get(pending.get("ask") or "")
    if asked is not None:
        account = sign_in_to_ask(root, person.pid, asked.id)
    else:
        account = sign_in(root, person.pid)
    if account is None:
        audit.record_login(request, None, False, reason="no_role" if asked is None else "too_young")
        request.response.status = 403
        back = request.application_url + "/login"
        return {"logout_url": idporten.end_session_url(person.id_token, back),
                "asked": asked}
    register(root, account)
    if person.locale in ("nb", "nn", "en") and not account.locale:
        account.locale = person.locale
    audit.record_login(request, account, True)
    came_from = (request.resource_url(asked, "ask-for-log") if asked is not None
                 else request.session.get("came_from") or request.application_url + "/")
    return HTTPSeeOther(location=came_from, headers=remember(
        request, account.username, provider_sid=person.sid, id_token=person.id_token))


def _back_to_login(request, message):
    request.session.flash(request.translate(message))
    return HTTPSeeOther(location=request.application_url + "/login")


@view_config(context=AppRoot, name="idporten-backchannel-logout", request_method="POST",
             require_csrf=False, renderer="string", permission=NO_PERMISSION)
def backchannel_logout(request):
    """ID-porten tells that a session ended there (OpenID Connect Back-Channel Logout):
    Stafett's sessions started from it end too. Answered 200, or 400 for a bad token."""
    idporten = provider(request)
    try:
        claims = idporten.logout_token_claims(request.POST.get("logout_token", ""))
    except TokenRefused:
        raise HTTPBadRequest() from None
    if claims.get("sid"):
        request.registry.login_sessions.end_provider_session(claims["sid"])
    request.response.headers["Cache-Control"] = "no-store"
    return ""


@view_config(context=AppRoot, name="idporten-frontchannel-logout", request_method="GET",
             renderer="string", permission=NO_PERMISSION)
def frontchannel_logout(request):
    """The same, told through the browser (OpenID Connect Front-Channel Logout): the
    issuer must be ours; the sessions of that ID-porten session end."""
    idporten = provider(request)
    if request.GET.get("iss", "").rstrip("/") != idporten.issuer or not request.GET.get("sid"):
        raise HTTPBadRequest()
    request.registry.login_sessions.end_provider_session(request.GET["sid"])
    return ""
