"""Login, logout and the language choice."""

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

LOGIN_FAILED = _("login_failed", default="Wrong username, password or one-time code.")


@view_config(context=AppRoot, name="login", renderer="stafett:templates/login.pt",
             permission="__no_permission_required__")
def login(request):
    form = make_form(LoginSchema(), request,
                     buttons=(deform.Button("submit", _("log_in", default="Log in")),))
    if request.method != "POST":
        return {"form": form.render(), "error": None}
    try:
        data = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        return {"form": failure.render(), "error": None}
    account = request.app_root.accounts.get(data["username"].strip())
    ok = check_password(account, data["password"]) and account_is_usable(account, request)
    ok = ok and check_otp(account, data["otp"])
    audit.record_login(request, account, ok)
    if not ok:
        kept = form.render({"username": data["username"]})
        return {"form": kept, "error": LOGIN_FAILED}
    request.session.new_csrf_token()
    headers = remember(request, account.username)
    came_from = request.session.pop("came_from", None) or request.application_url + "/"
    return HTTPSeeOther(location=came_from, headers=headers)


@view_config(context=AppRoot, name="logout", request_method="POST",
             permission="__no_permission_required__")
def logout(request):
    headers = forget(request)
    return HTTPSeeOther(location=request.application_url + "/login", headers=headers)


@view_config(context=AppRoot, name="language", request_method="POST",
             permission="__no_permission_required__")
def choose_language(request):
    """R33: the user picks bokmål, nynorsk or English; remembered on the account."""
    chosen = request.POST.get("locale")
    if chosen in LOCALES:
        request.session["locale"] = chosen
        if request.identity is not None:
            request.identity.locale = chosen
    return HTTPSeeOther(location=request.referer or request.application_url + "/")
