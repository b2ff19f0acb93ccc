"""Read access for a named employee, resting on the family's consent (R4, R6).

The holder grants, narrows and withdraws; a unit leader records supervisor access for
themselves. A grant counts only while the consent given for it stands: withdrawing or
expiring that consent ends it (``workflows.consent.end_grants``), and the security policy
ignores a grant whose consent no longer stands.
"""

from __future__ import annotations

from BTrees.OOBTree import OOTreeSet

from ..events import LogChanged, notify
from ..models.base import DomainError, utcnow
from ..models.consent import ReadGrant, covers_read_access
from ..security import Permission, permits
from .engine import TransitionForbidden, actor_ref

SUPERVISOR = "supervisor"
RUNNING = ("active", "reopened")


def grant_read_access(log, grant: ReadGrant, actor) -> ReadGrant:
    """Store ``grant`` if the rules allow it: a running log, an active employee, a consent
    given for this employee's access, no other standing grant for them."""
    _require(actor, log, Permission.RECORD_CONSENT if grant.purpose == SUPERVISOR
             else Permission.EDIT)
    _require_running(log)
    employee = log.municipality.employee(grant.employee_id)
    if employee is None or not employee.active:
        raise DomainError("grant_employee_inactive", rule="R4")
    if not covers_read_access(log, log.consents.get(grant.consent_id or ""), employee.id):
        raise DomainError("grant_needs_consent", rule="R4")
    if any(g.employee_id == employee.id and g.active for g in log.grants.values()):
        raise DomainError("grant_exists", rule="R4")
    grant.granted_by = actor_ref(actor)
    log.grants.add(grant)
    _changed(log, "grant_given", grant, actor)
    return grant


def narrow_grant(grant: ReadGrant, concern_ids, actor) -> None:
    """R4: the holder narrows a grant to chosen concerns of the log."""
    log = grant.__parent__.__parent__
    _require(actor, log, Permission.EDIT)
    _require_running(log)
    if not grant.active:
        raise DomainError("grant_withdrawn", rule="R4")
    grant.concern_ids = OOTreeSet(c for c in concern_ids if c in log.concerns)
    _changed(log, "grant_narrowed", grant, actor)


def withdraw_grant(grant: ReadGrant, actor) -> None:
    """R4: the holder withdraws a grant; withdrawing twice changes nothing."""
    log = grant.__parent__.__parent__
    _require(actor, log, Permission.EDIT)
    if grant.active:
        grant.withdrawn = utcnow()
        _changed(log, "grant_withdrawn", grant, actor)


def _require(actor, log, permission: Permission) -> None:
    if not permits(actor, log, permission):
        raise TransitionForbidden("transition_forbidden", trigger="grant")


def _require_running(log) -> None:
    if log.state not in RUNNING:
        raise DomainError("grant_log_not_running", rule="R4")


def _changed(log, kind: str, grant: ReadGrant, actor) -> None:
    log.municipality.journal.append(kind, log=log.id, object=grant.id, actor=actor_ref(actor),
                                    purpose=grant.purpose if grant.purpose == SUPERVISOR else "",
                                    unit=log.unit_id, holder=log.holder_id)
    notify(LogChanged(log, kind, grant, actor))
