"""Varsler: the logged-in person's own notification choices (R37). The page names no
account: it is always the person's own, so nobody can open another's."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from ..forms.notify_settings import settings_schema
from ..i18n import _
from ..models.org import AppRoot
from ..security import Permission
from ..services.notify import registered_contacts
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
        emails, phones = self.registered()
        return settings_schema(kinds_for(self.account), self.sms_configured,
                               ", ".join(sorted(emails)), ", ".join(sorted(phones)))

    def registered(self) -> tuple[set[str], set[str]]:
        """The addresses and numbers registered for this person by others: their
        employer's record, and their own entry as a guardian in each of their logs (their
        own details, R44), found through the index like the front page's."""
        if not hasattr(self, "_registered"):
            self._registered = registered_contacts(self.request, self.account)
        return self._registered

    def known_phone(self) -> str:
        """The number messages go to now, for the default choice."""
        return self.account.notify_phone or next(iter(sorted(self.registered()[1])), "")

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
