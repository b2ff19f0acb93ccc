"""A guardian the holder cannot name by fødselsnummer is invited by e-mail (R5): the link is
used once, within ``INVITATION_DAYS``, and binds the ID-porten identity of whoever opens it
and logs in to that guardian entry. Only the hash of the link's token is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from ..models.base import DomainError, utcnow
from ..models.log import Guardian
from ..models.org import AppRoot, Invitation
from ..security import Permission
from .content import announce, require

INVITATION_DAYS = 14


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_guardian(guardian: Guardian, actor, request=None) -> str:
    """The token for the mailed link; a new invitation replaces the guardian's earlier one."""
    log = guardian.__parent__.__parent__
    require(actor, log, Permission.EDIT)
    if guardian.fnr:
        raise DomainError("inv_already_known", rule="R5")
    if not guardian.email:
        raise DomainError("inv_no_email", rule="R5")
    root = log.municipality.__parent__
    if guardian.invitation is not None:
        root.invitations.pop(guardian.invitation, None)
    token = secrets.token_urlsafe(32)
    guardian.invitation = _digest(token)
    root.invitations[guardian.invitation] = Invitation(
        log.municipality.id, log.id, guardian.id, utcnow() + dt.timedelta(days=INVITATION_DAYS),
        getattr(actor, "uid", None))
    log.municipality.journal.append("guardian_invited", log=log.id, object=guardian.id,
                                    actor=getattr(actor, "uid", None))
    return token


def open_invitation(root: AppRoot, token: str) -> Invitation | None:
    found = root.invitations.get(_digest(token or ""))
    return found if found is not None and found.expires >= utcnow() else None


def accept_invitation(root: AppRoot, token: str, fnr: str, request=None) -> Guardian | None:
    """The guardian now known by ``fnr``; None when the link is unknown, used or expired,
    or the number is already the child's or another guardian's on the log."""
    found = open_invitation(root, token)
    if found is None:
        return None
    del root.invitations[_digest(token)]
    municipality = root.get(found.municipality)
    log = municipality.logs.get(found.log_id) if municipality is not None else None
    guardian = log.guardians.get(found.guardian) if log is not None else None
    if guardian is None:
        return None
    guardian.invitation = None
    if guardian.fnr or fnr == log.subject.fnr or any(
            g.fnr == fnr for g in log.guardians.values()):
        return None
    guardian.fnr = fnr
    municipality.journal.append("guardian_bound", log=log.id, object=guardian.id)
    announce(log, "guardian_bound", guardian, None, request)
    return guardian
