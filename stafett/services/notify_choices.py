"""Who is told how (R37): each person picks, per kind of event, e-mail, SMS, both or
nothing, and may give the address and mobile number the messages go to.

The choices live on the login ``Account`` (class-level defaults, so accounts stored before
this existed need no evolve step). A person without an account (a guardian the holder
registered who never logged in) gets the defaults, reached at the details in the log.
"""

from __future__ import annotations

import phonenumbers

from ..i18n import _

EMAIL, SMS, BOTH, NONE = "email", "sms", "both", "none"
CHANNELS = (EMAIL, SMS, BOTH, NONE)
CHANNEL_TITLES = {
    EMAIL: _("nt_channel_email", default="E-mail"),
    SMS: _("nt_channel_sms", default="SMS"),
    BOTH: _("nt_channel_both", default="E-mail and SMS"),
    NONE: _("nt_channel_none", default="Nothing"),
}

# The kinds a person may choose for, with the audience each concerns.
FAMILY_KINDS = {
    "log_activated": _("nt_kind_log_activated", default="A log is opened"),
    "glimpse": _("nt_kind_glimpse", default="A new glimpse"),
    "measure": _("nt_kind_measure", default="A new or changed measure"),
    "meeting": _("nt_kind_meeting", default="A meeting is planned or changed"),
}
STAFF_KINDS = {
    "transfer": _("nt_kind_transfer", default="A log is offered to me"),
    "evaluation_due": _("nt_kind_evaluation_due", default="A measure is to be evaluated soon"),
    "consent_expiring": _("nt_kind_consent_expiring", default="A consent expires soon"),
}
KIND_TITLES = {**FAMILY_KINDS, **STAFF_KINDS}


def kinds_for(account) -> dict:
    """An employee may also be a parent: they choose for every kind; the family for
    theirs."""
    return KIND_TITLES if getattr(account, "employee_id", None) else FAMILY_KINDS


def default_channel(sms_configured: bool, phone: str) -> str:
    """E-mail; SMS as well where the municipality sends SMS and the number is known."""
    return BOTH if sms_configured and phone else EMAIL


def channel_for(account, kind: str, sms_configured: bool, phone: str) -> str:
    chosen = (getattr(account, "notify_choices", None) or {}).get(kind)
    if chosen in CHANNELS:
        return chosen
    return default_channel(sms_configured, phone)


def wants(channel: str, sms_configured: bool) -> tuple[bool, bool]:
    """(by e-mail, by SMS) for a channel; SMS only where it is configured."""
    return channel in (EMAIL, BOTH), sms_configured and channel in (SMS, BOTH)


def mobile_number(text: str) -> str | None:
    """A Norwegian mobile number (or a foreign one with its country code) in E.164 form,
    or None when ``text`` is not one."""
    try:
        number = phonenumbers.parse(text, "NO")
    except phonenumbers.NumberParseException:
        return None
    mobile = (phonenumbers.PhoneNumberType.MOBILE,
              phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in mobile:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def save_choices(account, choices: dict, email: str, mobile: str) -> None:
    """Stored on the account, replacing the old choices whole (a new dict: persistent)."""
    account.notify_choices = {kind: channel for kind, channel in choices.items()
                              if kind in KIND_TITLES and channel in CHANNELS}
    account.notify_email = email or None
    account.notify_phone = (mobile_number(mobile) if mobile else None)
