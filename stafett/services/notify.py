"""Notifications (R37). Every outgoing message is recorded on the log it concerns (so it is
erased with the log, R17) and, when a mailer is configured, sent when the transaction commits.
The text names no child: the recipient reads the details after logging in.
"""

from __future__ import annotations

from persistent import Persistent
from pyramid_mailer.message import Message

from ..i18n import _, translate
from ..models.base import new_id, utcnow


class OutgoingMessage(Persistent):
    def __init__(self, kind: str, recipients: list[str], subject: str, body: str):
        self.kind = kind
        self.recipients = tuple(recipients)
        self.subject = subject
        self.body = body
        self.created = utcnow()


def log_activated(log, request=None) -> OutgoingMessage | None:
    """R14/R37: guardians are told at once that a log has been opened."""
    recipients = [g.email for g in log.guardians.values() if g.email]
    if not recipients:
        return None
    unit = log.unit.name if log.unit else ""
    return _send(log, "log_activated", recipients,
                 _("mail_log_activated_subject", default="A stafettlogg has been opened"),
                 _("mail_log_activated_body",
                   default="A stafettlogg has been opened at ${unit} with your consent. "
                           "Log in to Stafett to read it and write in it."),
                 {"unit": unit}, request)


def transfer_proposed(transfer, municipality, request=None) -> OutgoingMessage | None:
    """R37: the receiver of a transfer (or the receiving unit's leaders) is told."""
    if transfer.to_employee_id:
        receivers = [municipality.employee(transfer.to_employee_id)]
    else:
        receivers = municipality.unit_leaders(transfer.to_unit_id)
    recipients = [e.email for e in receivers if e is not None and e.email]
    if not recipients:
        return None
    log = transfer.__parent__.__parent__
    return _send(log, "transfer_proposed", recipients,
                 _("mail_transfer_subject", default="A stafettlogg is offered to you"),
                 _("mail_transfer_body",
                   default="A holder proposes to transfer a stafettlogg to you. "
                           "Log in to Stafett to accept or decline it."),
                 {}, request)


def evaluation_due(log, measure, email: str, mailer=None) -> OutgoingMessage:
    """R37: the responsible actor is reminded before the evaluation deadline."""
    return _send(log, "evaluation_due", [email],
                 _("mail_evaluation_due_subject", default="A measure is to be evaluated soon"),
                 _("mail_evaluation_due_body",
                   default="A measure you are responsible for in a stafettlogg is to be "
                           "evaluated by ${date}. Log in to Stafett to see it."),
                 {"date": measure.deadline}, None, mailer)


def consent_expiring(log, consent, recipients: list[str], mailer=None) -> OutgoingMessage:
    """R10/R37: unit leaders are told when a log's consent is about to expire."""
    return _send(log, "consent_expiring", recipients,
                 _("mail_consent_expiring_subject", default="A consent expires soon"),
                 _("mail_consent_expiring_body",
                   default="The consent for a stafettlogg at ${unit} expires on ${date}. "
                           "Log in to Stafett to see which log."),
                 {"unit": log.unit.name if log.unit else "",
                  "date": consent.expires}, None, mailer)


def guardian_invited(log, guardian, link: str, request=None) -> OutgoingMessage:
    """R5: the invitation link goes in the mail only; the log's outbox keeps the text
    without it, so the one-time link is nowhere in the database."""
    return _send(log, "guardian_invited", [guardian.email],
                 _("mail_invited_subject", default="An invitation to Stafett"),
                 _("mail_invited_body",
                   default="${unit} invites you to follow a stafettlogg as a guardian. Open "
                           "this link within 14 days and log in with ID-porten: ${link}"),
                 {"unit": log.unit.name if log.unit else "", "link": "[…]"}, request,
                 sent_mapping={"link": link})


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


def _send(log, kind, recipients, subject, body, mapping, request,
          mailer=None, sent_mapping=None) -> OutgoingMessage:
    """``mapping`` may hold dates and moments: ``translate`` writes them for the language,
    on the Oslo clock. ``sent_mapping`` overrides it in the mail sent, not in the copy
    kept."""
    locale = getattr(request, "locale_name", None) or "nb"
    message = OutgoingMessage(kind, recipients, translate(subject, locale),
                              translate(body, locale, mapping))
    sent_body = translate(body, locale, {**mapping, **sent_mapping}) if sent_mapping else None
    log.outbox[(utcnow(), new_id())] = message
    if mailer is None and request is not None:
        mailer = getattr(request, "mailer", None)
    if log.municipality.practice_of is not None:  # R43: practice sends nothing; copy kept
        mailer = None
    if mailer is not None:
        # One message per recipient: guardians who live apart, or whose address is
        # protected (R44), never see each other's address. No sender here: the mailer
        # adds the configured ``mail.default_sender``.
        for recipient in recipients:
            mailer.send(Message(subject=message.subject, recipients=[recipient],
                                body=sent_body or message.body), about=log.id)
    return message
