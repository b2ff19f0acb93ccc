"""Consent and the read access that rests on it (R4, R9-R12)."""

from __future__ import annotations

import datetime as dt
import enum

from BTrees.OOBTree import OOTreeSet

from .base import Resource, today, utcnow

SUBJECT_PARTY = "subject"


class ConsentScope(enum.StrEnum):
    CREATE = "create"
    INVOLVE_UNIT = "involve_unit"
    TRANSFER = "transfer"
    REOPEN = "reopen"
    READ_ACCESS = "read_access"  # R4: read access for one named employee
    INDIVIDUAL_PLAN = "individual_plan"  # R20, R38: the log passes into an individual plan


class ConsentForm(enum.StrEnum):
    DIGITAL = "digital"
    SCANNED = "scanned"
    ORAL = "oral"


class Consent(Resource):
    """A recorded consent. ``given_by`` holds guardian ids and/or ``"subject"``."""

    state = "new"
    grantee_id = None  # consents recorded before R4 scoping named no grantee

    def __init__(self, given_by: list[str], date: dt.date, scope: ConsentScope, *,
                 form: ConsentForm = ConsentForm.DIGITAL, expires: dt.date | None = None,
                 unit_id: str | None = None, grantee_id: str | None = None,
                 exception_reason: str = "", recorded_by: str | None = None):
        self.given_by = tuple(given_by)
        self.date = date
        self.expires = expires
        self.scope = ConsentScope(scope)
        self.form = ConsentForm(form)
        self.unit_id = unit_id
        self.grantee_id = grantee_id
        self.exception_reason = exception_reason
        self.recorded_by = recorded_by
        self.recorded = utcnow()
        self.attachment = None  # a ZODB blob with the scanned form (PDF)
        self.withdrawn = None  # (when, by whom, how) once withdrawn (R12)

    def is_valid_on(self, day: dt.date) -> bool:
        return self.state == "given" and (self.expires is None or self.expires >= day)


def required_parties(log, day: dt.date | None = None) -> tuple[str, set[str]]:
    """Who must consent for this log (R9): ('subject', {...}), ('one_guardian', ids)
    or ('all_guardians', ids)."""
    subject = log.subject
    if subject.kind == "pregnant" or subject.age(day) >= 16:
        return "subject", {SUBJECT_PARTY}
    guardians = list(log.guardians.values())
    living_with_child = {g.id for g in guardians if g.lives_with_child}
    if not log.guardians_live_together and len(living_with_child) >= 2:
        return "all_guardians", living_with_child
    return "one_guardian", {g.id for g in guardians}


def consent_is_sufficient(log, consent: Consent, day: dt.date | None = None) -> bool:
    """R9: does this consent carry the legal basis for the log?"""
    rule, parties = required_parties(log, day)
    given = set(consent.given_by)
    if rule == "subject":
        return SUBJECT_PARTY in given
    if rule == "all_guardians" and parties <= given:
        return True
    if rule == "one_guardian" and parties & given:
        return True
    # From 12, a log on the young person's own consent is a rare, recorded exception.
    return (SUBJECT_PARTY in given and bool(consent.exception_reason.strip())
            and log.subject.age(day) >= 12)


def involves_unit(log, unit_id: str, day: dt.date | None = None) -> bool:
    """R11: the log's own unit is covered by its basis; any other unit needs a consent that
    names it."""
    if unit_id == log.unit_id:
        return True
    return any(c.scope == ConsentScope.INVOLVE_UNIT and c.unit_id == unit_id
               and c.is_valid_on(day or today()) and consent_is_sufficient(log, c, day)
               for c in log.consents.values())


def covers_read_access(log, consent, employee_id: str, day: dt.date | None = None) -> bool:
    """R4: a read grant rests on a standing consent given for that employee's access."""
    return (consent is not None and consent.scope == ConsentScope.READ_ACCESS
            and consent.grantee_id == employee_id and consent.is_valid_on(day or today())
            and consent_is_sufficient(log, consent, day))


class ReadGrant(Resource):
    """Read access for a named employee, whole log or chosen concerns, resting on consent (R4)."""

    def __init__(self, employee_id: str, consent_id: str, concern_ids=(), purpose: str = "",
                 granted_by: str | None = None):
        self.employee_id = employee_id
        self.consent_id = consent_id
        self.concern_ids = OOTreeSet(concern_ids)
        self.purpose = purpose
        self.granted_by = granted_by
        self.created = utcnow()
        self.withdrawn = None

    @property
    def whole_log(self) -> bool:
        return len(self.concern_ids) == 0

    @property
    def active(self) -> bool:
        return self.withdrawn is None

    def covers(self, concern_id: str) -> bool:
        return self.active and (self.whole_log or concern_id in self.concern_ids)
