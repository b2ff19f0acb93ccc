"""Login, logout and the language choice.

People log in with ID-porten (``views.idporten``). The local form is for children under 15
with a one-time code (R39) and, where ``stafett.local_login = all`` (development and the
demo), for every local account. Failed attempts are throttled per account and per address.
"""

from __future__ import annotations

import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import forget, remember
from pyramid.view import view_config

from .. import audit
from ..forms import make_form
from ..forms.auth import LoginSchema
from ..i18n import LOCALES, _
from ..models.org import AppRoot
from ..security import account_is_usable
from ..services.passwords import check_otp, check_password
from .errors import LOGIN_REASON

LOGIN_FAILED = _("login_failed", default="Wrong username, password or one-time code.")
THROTTLED = _("login_throttled", default="Too many failed attempts. Wait a few minutes and "
                                         "try again.")
LOGGED_OUT = _("logged_out", default="You are logged out.")


def local_login(request) -> str:
    """``all``: every local account; ``children``: accounts with a one-time code only."""
    return request.registry.settings.get("stafett.local_login", "children")


def login_page(request, form: str, error=None) -> dict:
    idporten = request.registry.idporten is not None
    return {"form": form, "error": error, "idporten": idporten, "local": local_login(request),
            "ask_pages": _ask_pages(request) if idporten else [],
            "why": _why(request)}


def _why(request) -> str | None:
    """After an ended session, the page says why the user is here (read once; the session
    is changed only when there is a reason to take, see ``take_notices``)."""
    if request.session.get(LOGIN_REASON) != "session_ended":
        return None
    del request.session[LOGIN_REASON]
    idle = int(request.registry.settings.get("stafett.session_idle_seconds", 1200))
    return request.translate(_("login_session_ended", mapping={"minutes": max(1, idle // 60)},
                               default="You were logged out because nothing happened for "
                                       "${minutes} minutes, to protect the children's "
                                       "information. What you had typed is kept in this "
                                       "browser: log in again to go on where you were."))


def _ask_pages(request) -> list[tuple[str, str]]:
    """R41: each municipality's page where a family asks for a log."""
    return [(m.name, request.resource_url(m, "ask-for-log"))
            for m in sorted(request.app_root.values(), key=lambda m: m.name)
            if m.practice_of is None]  # R43: no real family asks the practice one


@view_config(context=AppRoot, name="login", renderer="stafett:templates/login.pt",
             permission="__no_permission_required__")
def login(request):
    form = make_form(LoginSchema(), request,
                     buttons=(deform.Button("submit", _("log_in", default="Log in")),))
    if request.method != "POST":
        return login_page(request, form.render())
    try:
        data = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        return login_page(request, failure.render())
    kept = form.render({"username": data["username"]})
    throttle, address = request.registry.login_throttle, request.remote_addr
    if not throttle.allows(data["username"], address):
        audit.record_login(request, None, False, reason="throttled")
        return login_page(request, kept, THROTTLED)
    account = request.app_root.accounts.get(data["username"].strip())
    if not _local_allowed(request, account) or not _credentials_fit(request, account, data):
        throttle.failed(data["username"], address)
        audit.record_login(request, account, False)
        return login_page(request, kept, LOGIN_FAILED)
    audit.record_login(request, account, True)
    came_from = request.session.get("came_from") or request.application_url + "/"
    return HTTPSeeOther(location=came_from, headers=remember(request, account.username))


def _local_allowed(request, account) -> bool:
    return local_login(request) == "all" or (account is not None and bool(account.otp_secret))


def _credentials_fit(request, account, data) -> bool:
    """The password is checked even for an unknown name, so both take as long."""
    ok = check_password(account, data["password"]) and account_is_usable(account, request)
    return ok and check_otp(account, data["otp"])


@view_config(context=AppRoot, name="logout", request_method="POST",
             permission="__no_permission_required__")
def logout(request):
    """Ends this session here and, for an ID-porten login, at ID-porten too."""
    return _leave(request)


@view_config(context=AppRoot, name="logout-everywhere", request_method="POST",
             permission="home")
def logout_everywhere(request):
    """Every session of this account ends: other browsers and copied cookies too."""
    request.registry.login_sessions.end_all(request.identity.uid)
    return _leave(request)


def _leave(request):
    sessions, provider = request.registry.login_sessions, request.registry.idporten
    id_token = sessions.id_token(request.session.get("login"))
    headers = forget(request)
    request.session.flash(request.translate(LOGGED_OUT))  # shown on the login page
    back = request.application_url + "/login"
    url = provider.end_session_url(id_token, back) if id_token and provider else None
    return HTTPSeeOther(location=url or back, headers=headers)


@view_config(context=AppRoot, name="language", request_method="POST",
             permission="__no_permission_required__")
def choose_language(request):
    """R33: the user picks bokmål, nynorsk or English; remembered on the account."""
    chosen = request.POST.get("locale")
    if chosen in LOCALES:
        request.session["locale"] = chosen
        if request.identity is not None and request.identity.locale != chosen:
            request.identity.locale = chosen
    return HTTPSeeOther(location=request.referer or request.application_url + "/")
