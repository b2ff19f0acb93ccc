"""Consent: given -> withdrawn | expired (R9-R12). Withdrawal ends the log at once (R12)."""

from __future__ import annotations

from ..models.base import today, utcnow
from ..models.consent import Consent, ConsentForm, ConsentScope, consent_is_sufficient
from ..security import Permission as P
from .engine import Step, TransitionSpec, Workflow, create, fire, refuse, register

BASIS_SCOPES = (ConsentScope.CREATE, ConsentScope.REOPEN)


def date_not_in_future(step: Step) -> None:
    if step.obj.date > today():
        refuse("consent_date_in_future", "R10")
    if step.obj.expires is not None and step.obj.expires < step.obj.date:
        refuse("consent_expires_before_given", "R10")


def right_parties(step: Step) -> None:
    """R9: whose consent counts depends on age, kind and the guardians' living situation."""
    consent = step.obj
    if consent.scope == ConsentScope.INVOLVE_UNIT and not consent.unit_id:
        refuse("consent_involve_needs_unit", "R11")
    if consent.scope == ConsentScope.READ_ACCESS and not consent.grantee_id:
        refuse("consent_read_access_needs_employee", "R4")
    if not consent_is_sufficient(step.log, consent):
        refuse("consent_wrong_parties", "R9")


def scanned_form_attached(step: Step) -> None:
    """R10: digital, or a scanned signed form attached as PDF."""
    if step.obj.form == ConsentForm.SCANNED and step.obj.attachment is None:
        refuse("consent_scan_missing", "R10")


def is_past_expiry(step: Step) -> None:
    if step.obj.expires is None or step.obj.expires >= today():
        refuse("consent_not_expired", "R10")


def record_withdrawal(step: Step) -> None:
    step.obj.withdrawn = dict(at=utcnow(), by=step.actor_id, how=step.params.get("how", "oral"))


def end_grants(step: Step) -> None:
    """R4: read access ends with the consent it rests on (withdrawn or expired)."""
    for grant in step.log.grants.values():
        if grant.consent_id == step.obj.id and grant.active:
            grant.withdrawn = utcnow()


def end_log_if_basis(step: Step) -> None:
    """R12: withdrawing the consent the log rests on ends the log at once."""
    log = step.log
    if step.obj.scope in BASIS_SCOPES and log.state in ("active", "reopened"):
        fire(log, "force_close", step.actor, reason="consent_withdrawn", request=step.request)


def give_consent(log, consent: Consent, actor, **why) -> Consent:
    consent.recorded_by = getattr(actor, "uid", None)
    create(log.consents, consent, "give", actor, **why)
    return consent


CONSENT_WORKFLOW = register(Consent, Workflow(
    "consent",
    states=["new", "given", "withdrawn", "expired"],
    transitions=[
        TransitionSpec("give", "new", "given", P.RECORD_CONSENT,
                       guards=(date_not_in_future, right_parties, scanned_form_attached)),
        TransitionSpec("withdraw", "given", "withdrawn", P.RECORD_CONSENT,
                       effects=(record_withdrawal, end_grants, end_log_if_basis)),
        TransitionSpec("expire", "given", "expired", P.SYSTEM, guards=(is_past_expiry,),
                       effects=(end_grants,)),
    ],
))
