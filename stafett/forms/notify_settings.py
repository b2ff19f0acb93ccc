"""A person's notification choices (R37): per kind of event e-mail, SMS, both or nothing,
and the address and mobile number to use."""

from __future__ import annotations

import colander
import deform

from ..i18n import _
from ..services.notify_choices import CHANNEL_TITLES, CHANNELS, mobile_number
from .validators import line, one_of, strip


def _mobile(node, value) -> None:
    if value and mobile_number(value) is None:
        raise colander.Invalid(node, _("nt_bad_mobile", default="Not a mobile number. Write "
                                                                "8 digits, e.g. 912 34 567."))


def _registered(value: str, otherwise):
    if not value:
        return otherwise
    return _("nt_registered", default="Registered for you now: ${value}. Leave empty to use "
                                      "that.", mapping={"value": value})


def settings_schema(kinds: dict, sms_configured: bool, registered_email: str = "",
                    registered_phone: str = "") -> colander.Schema:
    """One choice per kind; SMS is offered only where the municipality sends SMS. The
    help under each field says what is registered for the person elsewhere."""
    channels = [c for c in CHANNELS if sms_configured or c in ("email", "none")]
    values = [(c, CHANNEL_TITLES[c]) for c in channels]
    schema = colander.Schema()
    for kind, title in kinds.items():
        schema.add(colander.SchemaNode(
            colander.String(), name=kind, title=title,
            widget=deform.widget.SelectWidget(values=values),
            validator=one_of(channels)))
    schema.add(colander.SchemaNode(
        colander.String(), name="email", title=_("nt_email", default="E-mail address"),
        missing="", preparer=strip,
        validator=colander.All(line(254), colander.Email(msg=_(
            "lc_bad_email", default="Not a valid e-mail address."))),
        description=_registered(registered_email, _(
            "nt_email_help", default="Leave empty to use the address registered for you in "
                                     "the log or by your employer."))))
    schema.add(colander.SchemaNode(
        colander.String(), name="mobile", title=_("nt_mobile", default="Mobile number"),
        missing="", preparer=strip, validator=colander.All(line(20), _mobile),
        description=_registered(registered_phone, _(
            "nt_mobile_help", default="Leave empty to use the number registered for you in "
                                      "the log or by your employer."))))
    return schema
