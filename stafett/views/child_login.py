"""The child's own login under 15 (R39), set up by the holder or a guardian of the log:

- ``child-login``: the state of the child's login, and the form that sets one up;
- ``child-login-code``: the QR code for the phone's code app and the field for its first
  code, which confirms it;
- ``child-login-phone`` (POST): a new phone, i.e. a new code secret waiting for its code;
- ``child-login-password``: a new password.

Passwords are never shown again, kept in the browser or logged."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from ..forms.child_login import CodeSchema, EnrolSchema, PasswordSchema
from ..i18n import _
from ..messages import message_for
from ..models.base import DomainError
from ..models.log import Log
from ..security import Permission
from ..services.passwords import provisioning_uri, qr_svg
from ..workflows.child_login import (
    confirm_code,
    enrol_subject,
    is_enrolled_here,
    new_password,
    new_phone,
    subject_account,
    under_age_limit,
)
from .formview import FormView

PAGE = "stafett:templates/log/child_login.pt"
P = Permission
TITLE = _("enrol_title", default="Login for the child")


class ChildLoginForm(FormView):
    autosave = False  # a password is never kept in the browser
    title = TITLE
    field_of_refusal = {"enrol_username_taken": "username", "enrol_code_wrong": "code"}

    def page(self, form_html: str, errors=(), error=None) -> dict:
        values = super().page(form_html, errors, error)
        account = subject_account(self.log)
        values.update(account=account, enrolled_here=is_enrolled_here(self.log, account),
                      too_old=not under_age_limit(self.log), qr=None, secret=None,
                      show_form=True, page_url=self.request.resource_url(self.log,
                                                                         "child-login"))
        return values

    def to_code_page(self) -> HTTPSeeOther:
        return HTTPSeeOther(location=self.request.resource_url(self.log, "child-login-code"))


@view_config(context=Log, name="child-login", renderer=PAGE, permission=P.ENROL_SUBJECT)
class ChildLogin(ChildLoginForm):
    """Set up the login; once there is one, what it is and how to change it."""

    schema_factory = EnrolSchema
    button = _("enrol_create", default="Create the login")
    formid = "child-login"
    intro = _("enrol_intro", default=(
        "A child under 15 logs in to Stafett with a username, a password and a code from "
        "a code app on their phone (for example Google Authenticator or Microsoft "
        "Authenticator). Choose the username and password together with the child."))

    def page(self, form_html: str, errors=(), error=None) -> dict:
        values = super().page(form_html, errors, error)
        values["show_form"] = values["account"] is None and not values["too_old"]
        return values

    def __call__(self):
        if subject_account(self.log) is not None or not under_age_limit(self.log):
            if self.request.method == "POST":
                return self.refused(DomainError("enrol_too_old" if not under_age_limit(
                    self.log) else "enrol_already"))
            return self.page("")
        return super().__call__()

    def success(self, data):
        enrol_subject(self.log, data["username"], data["password"], self.request.identity,
                      request=self.request)
        return self.to_code_page()


@view_config(context=Log, name="child-login-code", renderer=PAGE, permission=P.ENROL_SUBJECT)
class ConfirmCode(ChildLoginForm):
    """The QR code of the waiting secret and the field for the first code it makes."""

    schema_factory = CodeSchema
    button = _("enrol_confirm", default="Confirm the code")
    formid = "child-login-code"

    def __call__(self):
        account = subject_account(self.log)
        if account is None or not is_enrolled_here(self.log, account) \
                or not account.otp_pending:
            return HTTPSeeOther(location=self.request.resource_url(self.log, "child-login"))
        return super().__call__()

    def page(self, form_html: str, errors=(), error=None) -> dict:
        values = super().page(form_html, errors, error)
        account = values["account"]
        secret = account.otp_pending if account is not None else None
        if secret and not values["too_old"]:
            title = self.request.translate(_("enrol_qr_title", default="QR code for the "
                                                                       "code app"))
            values.update(qr=qr_svg(provisioning_uri(secret, account.username), title),
                          secret=secret)
        else:
            values["show_form"] = False
        return values

    def success(self, data):
        confirm_code(self.log, data["code"], self.request.identity, request=self.request)
        return self.done(self.log, _("enrol_confirmed", default=(
            "The code is confirmed. The child can now log in with the username, the password "
            "and a new code from the app.")))


@view_config(context=Log, name="child-login-password", renderer=PAGE,
             permission=P.ENROL_SUBJECT)
class NewPassword(ChildLoginForm):
    schema_factory = PasswordSchema
    title = button = _("enrol_new_password", default="New password")
    formid = "child-login-password"

    def __call__(self):
        if not is_enrolled_here(self.log, subject_account(self.log)):
            return HTTPSeeOther(location=self.request.resource_url(self.log, "child-login"))
        return super().__call__()

    def page(self, form_html: str, errors=(), error=None) -> dict:
        values = super().page(form_html, errors, error)
        values["show_form"] = not values["too_old"]
        return values

    def success(self, data):
        new_password(self.log, data["password"], self.request.identity, request=self.request)
        return self.done(self.log, _("enrol_password_changed", default=(
            "The password is changed. Tell the child the new password.")))


@view_config(context=Log, name="child-login-phone", request_method="POST",
             permission=P.ENROL_SUBJECT)
def new_phone_view(request):
    """A new phone: a new secret waits for its first code; the old one works until then."""
    log = request.context
    try:
        new_phone(log, request.identity, request=request)
    except DomainError as refusal:
        request.notice(request.translate(message_for(refusal)))
        return HTTPSeeOther(location=request.resource_url(log, "child-login"))
    return HTTPSeeOther(location=request.resource_url(log, "child-login-code"))
