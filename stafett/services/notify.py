"""Notifications (R37), by e-mail and SMS, as each person chose (``notify_choices``).

Every message is recorded on the log it concerns (``log.outbox``, erased with the log, R17)
and sent after the transaction commits, one message per recipient (R44: nobody sees
another's address). What cannot be sent (no address, the SMTP server or SMS gateway
refusing) is recorded in ``notice_failures`` for the holder to see on the log page. The
texts name no child: the recipient reads the details after logging in. Whoever did the
thing is not told about it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import Any

from icalendar import Calendar, Event
from persistent import Persistent
from pyramid.events import subscriber
from pyramid_mailer.message import Attachment, Message

from ..events import AfterTransition, LogChanged
from ..i18n import _, translate
from ..models.base import OSLO, find_parent, today, utcnow
from ..models.indexes import person_key
from ..models.org import AppRoot
from ..security import SUBJECT_LOGIN_AGE
from .mail import after_commit
from .notice_failures import NoticeFailures, forget_failures_of_deleted_log
from .notify_choices import channel_for, mobile_number, wants
from .sms import SmsFailed, sms_from_settings


class OutgoingMessage(Persistent):
    __name__ = __parent__ = None  # its key in ``log.outbox``, a Timeline

    def __init__(self, kind: str, recipients: list[str], subject: str, body: str):
        self.kind = kind
        self.recipients = tuple(recipients)
        self.subject = subject
        self.body = body
        self.created = utcnow()


@dataclass(frozen=True)
class Recipient:
    """``ref`` names the person by id only (``guardian:<id>``, ``employee:<id>``,
    ``subject``): it is what a failure records."""

    ref: str
    account: Any
    email: str
    phone: str


@dataclass
class Notifier:
    """What sends: the mailer bound to the transaction, the SMS gateway (None: no SMS), the
    failure store, and the address people log in at. Without a mailer (unit tests, a
    script with none configured) messages are only recorded on the log."""

    mailer: Any = None
    sms: Any = None
    failures: NoticeFailures | None = None
    url: str = "/"
    transaction_manager: Any = None
    locale: str = "nb"

    @classmethod
    def of(cls, request) -> Notifier:
        if request is None:
            return cls()
        registry = request.registry
        return cls(request.mailer, getattr(registry, "sms", None),
                   getattr(registry, "notice_failures", None), request.application_url + "/",
                   request.tm, getattr(request, "locale_name", None) or "nb")

    def silent(self) -> Notifier:
        """Records on the log, sends nothing and reports nothing (a practice municipality)."""
        return dataclasses.replace(self, mailer=None, sms=None, failures=None)

    def failed(self, log_id: str, kind: str, recipient: Recipient, channel: str,
               reason: str) -> None:
        """Recorded once the change that caused the message has committed."""
        if self.failures is None:
            return
        failures = self.failures

        def record(committed: bool) -> None:
            if committed:
                failures.record(log_id, kind, recipient.ref, channel, reason)
        after_commit(self.transaction_manager, record)

    def text(self, log_id: str, kind: str, recipient: Recipient, number: str, text: str) -> None:
        if self.sms is None:
            return
        gateway, failures = self.sms, self.failures

        def send(committed: bool) -> None:
            if not committed:
                return
            try:
                gateway.send(number, text)
            except SmsFailed as failure:
                if failures is not None:
                    failures.record(log_id, kind, recipient.ref, "sms", failure.reason)
        after_commit(self.transaction_manager, send)

    def mail(self, log_id: str, kind: str, recipient: Recipient, message: Message) -> None:
        if self.mailer is None:
            return
        failures = self.failures

        def refused(reason: str) -> None:
            if failures is not None:
                failures.record(log_id, kind, recipient.ref, "email", reason)
        self.mailer.send(message, about=log_id, on_failure=refused)


# -- who ------------------------------------------------------------------------------------
def account_of(root, username: str | None, fnr: str | None):
    """The login of a person in a log: by local username, or by ID-porten number."""
    if root is None:
        return None
    if username:
        return root.accounts.get(username)
    if fnr:
        found = root.accounts_by_fnr.get(person_key(fnr))
        return root.accounts.get(found) if found else None
    return None


def _own(account, name: str) -> str:
    return getattr(account, name, None) or ""


def family_recipients(log) -> list[Recipient]:
    """Each guardian, at the address they gave on their account or else the one in the
    log; the youth from 16 with a login who gave an address of their own (R9)."""
    root = find_parent(log, AppRoot)
    found = []
    for guardian in log.guardians.values():
        account = account_of(root, guardian.username, guardian.fnr)
        found.append(Recipient(f"guardian:{guardian.id}", account,
                               _own(account, "notify_email") or guardian.email or "",
                               _own(account, "notify_phone") or guardian.phone or ""))
    subject = log.subject
    account = account_of(root, subject.username, subject.fnr)
    if account is not None and subject.age() >= SUBJECT_LOGIN_AGE and (
            _own(account, "notify_email") or _own(account, "notify_phone")):
        found.append(Recipient("subject", account, _own(account, "notify_email"),
                               _own(account, "notify_phone")))
    return found


def registered_contacts(request, account) -> tuple[set[str], set[str]]:
    """(e-mail addresses, phone numbers) others registered for this person: the
    employer's record, and their own guardian entries in the logs of the account's index
    entries (the front page's lookup), so it costs the person's own logs."""
    emails, phones = set(), set()
    municipality = request.app_root.get(account.municipality)
    if municipality is None:
        return emails, phones
    employee = municipality.employee(account.employee_id)
    entries = [employee] if employee is not None else []
    names = [account.username] + ([person_key(account.fnr)] if account.fnr else [])
    for log_id in {i for name in names for i in municipality.index.ids("account", name)}:
        log = municipality.logs.get(log_id)
        entries += [g for g in (log.guardians.values() if log is not None else ())
                    if g.username == account.username or (account.fnr and g.fnr == account.fnr)]
    emails = {e.email for e in entries if e.email}
    phones = {p.phone for p in entries if p.phone}
    return emails, phones


def employee_recipient(employee, root=None) -> Recipient:
    root = root or find_parent(employee, AppRoot)
    account = account_of(root, employee.username, None)
    return Recipient(f"employee:{employee.id}", account,
                     _own(account, "notify_email") or employee.email or "",
                     _own(account, "notify_phone") or employee.phone or "")


def is_actor(recipient: Recipient, actor) -> bool:
    """Nobody is told of what they did themselves."""
    if actor is None:
        return False
    if recipient.account is not None and recipient.account.username == getattr(
            actor, "username", None):
        return True
    employee_id = getattr(actor, "employee_id", None)
    return bool(employee_id) and recipient.ref == f"employee:{employee_id}"


# -- sending --------------------------------------------------------------------------------
def deliver(log, kind: str, choice: str, recipients: list[Recipient], subject, body,
            mapping: dict, notifier: Notifier, *, attach=None,
            sent_mapping: dict | None = None) -> OutgoingMessage | None:
    """Each recipient gets what they chose for ``choice``, in their own language. The copy
    kept on the log is in the sender's; ``sent_mapping`` overrides ``mapping`` in what is
    sent only (a one-time link). ``attach(locale)`` gives the attachments of a mail."""
    sms_on = notifier.sms is not None
    sent_to = []
    mapping = {"link": notifier.url, **mapping}
    if log.municipality.practice_of is not None:  # R43: practice sends nothing; copy kept
        notifier = notifier.silent()
    for recipient in recipients:
        by_mail, by_sms = wants(channel_for(recipient.account, choice, sms_on, recipient.phone),
                                sms_on)
        locale = _own(recipient.account, "locale") or "nb"
        subject_text = translate(subject, locale, mapping)
        if by_mail:
            if recipient.email:
                notifier.mail(log.id, kind, recipient, Message(
                    subject=subject_text, recipients=[recipient.email],
                    body=translate(body, locale, {**mapping, **(sent_mapping or {})}),
                    attachments=attach(locale) if attach else None))
                sent_to.append(recipient.email)
            else:
                notifier.failed(log.id, kind, recipient, "email", "no_email")
        if by_sms:
            number = mobile_number(recipient.phone)
            if number:
                notifier.text(log.id, kind, recipient, number, translate(SMS_TEXT, locale, {
                    "subject": subject_text, "link": notifier.url}))
                sent_to.append(number)
            else:
                notifier.failed(log.id, kind, recipient, "sms", "no_mobile")
    if not sent_to:
        return None
    message = OutgoingMessage(kind, sent_to, translate(subject, notifier.locale, mapping),
                              translate(body, notifier.locale, mapping))
    log.outbox.add(message)
    return message


SMS_TEXT = _("sms_text", default="Stafett: ${subject}. Log in to read more: ${link}")


def _notifier(request_or_mailer) -> Notifier:
    if isinstance(request_or_mailer, Notifier):
        return request_or_mailer
    if request_or_mailer is None or hasattr(request_or_mailer, "registry"):
        return Notifier.of(request_or_mailer)
    return Notifier(mailer=request_or_mailer)  # a bare mailer (scripts)


def log_activated(log, request=None) -> OutgoingMessage | None:
    """R14/R37: guardians are told at once that a log has been opened."""
    unit = log.unit.name if log.unit else ""
    actor = getattr(request, "identity", None)
    return deliver(log, "log_activated", "log_activated",
                   [r for r in family_recipients(log) if not is_actor(r, actor)],
                   _("mail_log_activated_subject", default="A stafettlogg has been opened"),
                   _("mail_log_activated_body",
                     default="A stafettlogg has been opened at ${unit} with your consent. "
                             "Log in to Stafett to read it and write in it."),
                   {"unit": unit}, _notifier(request))


def log_to_individual_plan(log, request=None) -> OutgoingMessage | None:
    """R38/R37: the family is told that the log has passed into an individual plan; the
    coordinator's name is in the log, behind the login, like everything else about the
    child."""
    unit = log.unit.name if log.unit else ""
    actor = getattr(request, "identity", None)
    return deliver(log, "individual_plan", "log_activated",
                   [r for r in family_recipients(log) if not is_actor(r, actor)],
                   _("mail_plan_subject", default="A stafettlogg has passed into an "
                                                  "individual plan"),
                   _("mail_plan_body",
                     default="With your consent, the stafettlogg at ${unit} has been closed "
                             "and the concerns you chose go along to an individual plan. "
                             "Log in to Stafett to see who coordinates the plan."),
                   {"unit": unit}, _notifier(request))


def transfer_proposed(transfer, municipality, request=None) -> OutgoingMessage | None:
    """R37: the receiver of a transfer (or the receiving unit's leaders) is told."""
    if transfer.to_employee_id:
        receivers = [municipality.employee(transfer.to_employee_id)]
    else:
        receivers = municipality.unit_leaders(transfer.to_unit_id)
    log = transfer.__parent__.__parent__
    return deliver(log, "transfer_proposed", "transfer",
                   [employee_recipient(e) for e in receivers if e is not None],
                   _("mail_transfer_subject", default="A stafettlogg is offered to you"),
                   _("mail_transfer_body",
                     default="A holder proposes to transfer a stafettlogg to you. "
                             "Log in to Stafett to accept or decline it."),
                   {}, _notifier(request))


def evaluation_due(log, measure, actor, notifier=None) -> OutgoingMessage | None:
    """R37: the responsible actor is reminded before the evaluation deadline."""
    return deliver(log, "evaluation_due", "evaluation_due", [employee_recipient(actor)],
                   _("mail_evaluation_due_subject", default="A measure is to be evaluated soon"),
                   _("mail_evaluation_due_body",
                     default="A measure you are responsible for in a stafettlogg is to be "
                             "evaluated by ${date}. Log in to Stafett to see it."),
                   {"date": measure.deadline}, _notifier(notifier))


def consent_expiring(log, consent, leaders, notifier=None) -> OutgoingMessage | None:
    """R10/R37: unit leaders are told when a log's consent is about to expire."""
    return deliver(log, "consent_expiring", "consent_expiring",
                   [employee_recipient(e) for e in leaders],
                   _("mail_consent_expiring_subject", default="A consent expires soon"),
                   _("mail_consent_expiring_body",
                     default="The consent for a stafettlogg at ${unit} expires on ${date}. "
                             "Log in to Stafett to see which log."),
                   {"unit": log.unit.name if log.unit else "", "date": consent.expires},
                   _notifier(notifier))


def guardian_invited(log, guardian, link: str, request=None) -> OutgoingMessage | None:
    """R5: the invitation goes by e-mail to the address the holder gave, whatever else
    the guardian chose; the log's outbox keeps the text without the link, so the one-time
    link is nowhere in the database."""
    recipient = Recipient(f"guardian:{guardian.id}", None, guardian.email or "", "")
    return deliver(log, "guardian_invited", "invitation", [recipient],
                   _("mail_invited_subject", default="An invitation to Stafett"),
                   _("mail_invited_body",
                     default="${unit} invites you to follow a stafettlogg as a guardian. Open "
                             "this link within 14 days and log in with ID-porten: ${link}"),
                   {"unit": log.unit.name if log.unit else "", "link": "[…]"},
                   _notifier(request), sent_mapping={"link": link})


def log_request_answered(log_request, request=None) -> None:
    """R41: the family hears that the unit has answered; the answer itself (and who will
    hold the log) is read after logging in, so the mail names no child and no reason. A
    mail about a log opened is kept with that log (erased with it, R17)."""
    mailer = getattr(request, "mailer", None)
    if not log_request.email or mailer is None or log_request.unit.municipality.practice_of:
        return  # R43: nothing leaves a practice municipality
    asker = request.app_root.accounts.get(log_request.asker)
    locale = getattr(asker, "locale", None) or "nb"
    mapping = {"unit": log_request.unit.name, "link": request.application_url + "/"}
    message = Message(
        subject=translate(_("mail_request_answered_subject",
                            default="Your request for a stafettlogg is answered"), locale),
        recipients=[log_request.email],
        body=translate(_("mail_request_answered_body",
                         default="${unit} has answered your request for a stafettlogg. Log "
                                 "in to Stafett to read the answer: ${link}"),
                       locale, mapping))
    mailer.send(message, about=log_request.log_id or "requests")


# -- what the family hears of (R37) -----------------------------------------------------------
CONTENT_EVENTS = {
    "glimpse_added": "glimpse",
    "measure.add": "measure",
    "measure.evaluate": "measure",
    "measure_corrected": "measure",
    "meeting_added": "meeting",
    "meeting_changed": "meeting",
}
TEXTS = {
    "glimpse": (_("mail_glimpse_subject", default="A new glimpse in a stafettlogg"),
                _("mail_glimpse_body",
                  default="A new glimpse has been written in a stafettlogg you follow. Log in "
                          "to Stafett to read it: ${link}")),
    "measure": (_("mail_measure_subject", default="A measure in a stafettlogg"),
                _("mail_measure_body",
                  default="A measure has been added or changed in a stafettlogg you follow. "
                          "Log in to Stafett to read it: ${link}")),
    "meeting": (_("mail_meeting_subject", default="Invitation to a meeting"),
                _("mail_meeting_body",
                  default="A collaboration meeting about a stafettlogg you follow is planned "
                          "for ${date}. The invitation is attached for your calendar. Log in to "
                          "Stafett to see the agenda: ${link}")),
}


@subscriber(LogChanged)
def tell_the_family(event) -> None:
    """Guardians (and the youth) on a new glimpse, a new or changed measure, and a meeting
    planned or changed, in a running log."""
    choice = CONTENT_EVENTS.get(event.what)
    log = event.log
    if choice is None or event.request is None or log is None \
            or log.state not in ("active", "reopened"):
        return
    mapping, attach = {}, None
    if choice == "meeting":
        meeting = event.obj
        if meeting.date < today():
            return  # minutes of a meeting held: nothing to come to
        mapping = {"date": meeting.date}
        attach = partial(_invitations, meeting)
    subject, body = TEXTS[choice]
    recipients = [r for r in family_recipients(log) if not is_actor(r, event.actor)]
    deliver(log, choice, choice, recipients, subject, body, mapping,
            Notifier.of(event.request), attach=attach)


def _invitations(meeting, locale: str) -> list[Attachment]:
    return [meeting_invitation(meeting, locale)]


MEETING_LENGTH = dt.timedelta(hours=1)  # what a calendar blocks when only the start is known


def meeting_invitation(meeting, locale: str) -> Attachment:
    """An iCalendar event for the meeting: its hour on the Oslo clock (an hour long) or,
    when no hour is set, the whole day; the place; a neutral title. No child's name and no
    agenda: a mail carries no content of the log (R37), the agenda is read after logging
    in. PUBLISH, not REQUEST: nobody is asked to answer through their calendar. A change
    sends the same UID with a higher SEQUENCE."""
    calendar = Calendar()
    calendar.add("prodid", "-//Stafett//Stafettlogg//NO")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{meeting.id}@stafett")
    event.add("dtstamp", utcnow())
    event.add("sequence", int(utcnow().timestamp()))
    if meeting.start_time is None:  # the day only: a whole-day event
        event.add("dtstart", meeting.date)
        event.add("dtend", meeting.date + dt.timedelta(days=1))
    else:
        start = dt.datetime.combine(meeting.date, meeting.start_time, tzinfo=OSLO)
        event.add("dtstart", start)
        event.add("dtend", start + MEETING_LENGTH)
    event.add("summary", translate(_("ics_meeting_summary",
                                     default="Collaboration meeting (Stafett)"), locale))
    if meeting.place:
        event.add("location", meeting.place)
    calendar.add_component(event)
    calendar.add_missing_timezones()  # a VTIMEZONE for Europe/Oslo when a time is given
    return Attachment("invitation.ics", "text/calendar; method=PUBLISH; charset=utf-8",
                      calendar.to_ical())


@subscriber(AfterTransition)
def forget_failures(event) -> None:
    forget_failures_of_deleted_log(event)


@subscriber(LogChanged)
def seen_by_the_actor(event) -> None:
    """What someone wrote is not news to them on their front page: their visit stamp
    follows their own change, once it has committed (SQL, never the object database)."""
    request, log = event.request, event.log
    uid = getattr(event.actor, "uid", None)
    if request is None or log is None or uid is None or log.state == "deleted":
        return
    visits, log_id = request.registry.visits, log.id
    request.tm.get().addAfterCommitHook(
        lambda committed: committed and visits.seen(log_id, uid))


def includeme(config) -> None:
    registry = config.registry
    registry.sms = sms_from_settings(config.get_settings())
    registry.notice_failures = NoticeFailures(registry.access_journal.backend)
    config.scan(__name__)
