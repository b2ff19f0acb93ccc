"""Varsler: the logged-in person's own notification choices (R37). The page names no
account: it is always the person's own, so nobody can open another's."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from ..forms.notify_settings import settings_schema
from ..i18n import _
from ..models.org import AppRoot
from ..security import Permission
from ..services.notify_choices import channel_for, kinds_for, save_choices
from .formview import FormView

SAVED = _("nt_saved", default="Your notification choices are saved.")


@view_config(context=AppRoot, name="notifications", renderer="stafett:templates/form.pt",
             permission=Permission.HOME)
class NotificationSettings(FormView):
    title = _("nt_title", default="Notifications")
    intro = _("nt_intro", default="Choose how Stafett tells you when something happens. The "
                                  "messages never name a child: you read the details after "
                                  "logging in.")
    formid = "notifications"
    autosave = False

    def __call__(self):
        if self.request.subpath:
            raise HTTPNotFound()
        return super().__call__()

    @property
    def account(self):
        return self.request.identity

    @property
    def sms_configured(self) -> bool:
        return self.request.registry.sms is not None

    def schema(self):
        return settings_schema(kinds_for(self.account), self.sms_configured)

    def known_phone(self) -> str:
        """The number messages go to now: the person's own, else their employer's record."""
        account = self.account
        if account.notify_phone:
            return account.notify_phone
        municipality = self.request.app_root.get(account.municipality)
        employee = municipality.employee(account.employee_id) if municipality else None
        return getattr(employee, "phone", "") or ""

    def appstruct(self) -> dict:
        account, phone = self.account, self.known_phone()
        values = {kind: channel_for(account, kind, self.sms_configured, phone)
                  for kind in kinds_for(account)}
        return {**values, "email": account.notify_email or "",
                "mobile": account.notify_phone or ""}

    def back_url(self) -> str:
        return self.request.application_url + "/"

    def success(self, data):
        kinds = kinds_for(self.account)
        save_choices(self.account, {kind: data[kind] for kind in kinds}, data["email"],
                     data["mobile"])
        self.request.notice(self.request.translate(SAVED))
        return HTTPSeeOther(location=self.request.resource_url(self.request.root,
                                                               "notifications"))
