"""The ACLs of the log and what is in it, derived from the log's state (R2-R8, R13, R30):
never stored by hand. Models name these in their ``__acl__``."""

from __future__ import annotations

from ..permissions import (
    ACTOR,
    CONCERN_ACTOR,
    CONCERN_READER,
    DENY_ALL,
    GUARDIAN,
    HOLDER,
    LEADER,
    PARTIAL_READER,
    READER,
    RECEIVER,
    SUBJECT,
    SYSTEM_PRINCIPAL,
    P,
    Permission,
)
from .base import find_parent

_LOG_ACL_BY_STATE: dict[str, list[tuple[str, tuple]]] = {
    # A leader opens a draft for a holder of the unit when answering a family's request
    # for a log (R41, R6); the holder's own draft is theirs alone from then on (R13).
    "new": [(HOLDER, (P.EDIT,)), (LEADER, (P.EDIT,))],
    "draft": [
        (HOLDER, (P.VIEW_HEADER, P.VIEW, P.EDIT, P.CONTRIBUTE, P.RECORD_CONSENT, P.DISCARD,
                  P.ACCESS_LOG, P.ENROL_SUBJECT, P.SPEAK)),
        (LEADER, (P.VIEW_HEADER, P.DELETE, P.ACCESS_LOG)),
    ],
    "active": [
        (HOLDER, (P.VIEW_HEADER, P.VIEW, P.EDIT, P.CONTRIBUTE, P.RECORD_CONSENT, P.TRANSFER,
                  P.ACCESS_LOG, P.ENROL_SUBJECT, P.SPEAK)),
        (LEADER, (P.VIEW_HEADER, P.RECORD_CONSENT, P.TRANSFER, P.ACCESS_LOG)),
        (GUARDIAN, (P.VIEW_HEADER, P.VIEW, P.CONTRIBUTE, P.ACCESS_LOG, P.ENROL_SUBJECT,
                    P.FAMILY_INPUT)),
        (SUBJECT, (P.VIEW_HEADER, P.VIEW, P.CONTRIBUTE, P.ACCESS_LOG, P.SPEAK,
                   P.FAMILY_INPUT)),
        (ACTOR, (P.VIEW_HEADER, P.CONTRIBUTE)),
        (READER, (P.VIEW_HEADER, P.VIEW)),
        (PARTIAL_READER, (P.VIEW_HEADER,)),
        (RECEIVER, (P.VIEW_HEADER, P.RECEIVE)),
    ],
    "passive": [
        (HOLDER, (P.VIEW_HEADER, P.VIEW, P.ACCESS_LOG)),
        (LEADER, (P.VIEW_HEADER, P.REOPEN, P.DELETE, P.RECORD_CONSENT, P.ACCESS_LOG)),
        (GUARDIAN, (P.VIEW_HEADER, P.VIEW, P.ACCESS_LOG)),
        (SUBJECT, (P.VIEW_HEADER, P.VIEW, P.ACCESS_LOG)),
        (ACTOR, (P.VIEW_HEADER,)),
        (READER, (P.VIEW_HEADER, P.VIEW)),
        (PARTIAL_READER, (P.VIEW_HEADER,)),
    ],
    "deleted": [],
}
_LOG_ACL_BY_STATE["reopened"] = _LOG_ACL_BY_STATE["active"]
# R35: the holder and the unit's leaders list and download the log's archive copies once it
# has started (a draft has none); the family reads the log itself, not the archive's copies.
for _state in ("active", "reopened", "passive"):
    _LOG_ACL_BY_STATE[_state] = [(principal, perms + (P.ARCHIVE_COPIES,))
                                 if principal in (HOLDER, LEADER) else (principal, perms)
                                 for principal, perms in _LOG_ACL_BY_STATE[_state]]
# R23, R38: files that leave for someone without Stafett (the plan's coordinator, a
# receiving municipality) are handed out by the holder alone.
for _state in ("active", "reopened", "passive"):
    _LOG_ACL_BY_STATE[_state] = [(principal, perms + (P.HAND_OUT,))
                                 if principal == HOLDER else (principal, perms)
                                 for principal, perms in _LOG_ACL_BY_STATE[_state]]
# ENROL_SUBJECT (R39): the child's login is set up by the holder or a guardian while the log
# runs. A draft is the holder's alone (R13), so there the holder only; a passive or deleted
# log gives nobody new access, so nobody enrols there.


_LOG_ACL = {state: [("Allow", principal, perms) for principal, perms in entries]
            + [("Allow", SYSTEM_PRINCIPAL, tuple(Permission)), DENY_ALL]
            for state, entries in _LOG_ACL_BY_STATE.items()}


def log_acl(log) -> list[tuple]:
    """Built once per state: a log page asks for it with every permission it checks."""
    return _LOG_ACL[log.state]


def concern_acl(concern) -> list[tuple]:
    """R3/R4: actors and concern-scoped readers see the concerns they are part of."""
    from .log import Log

    log = find_parent(concern, Log)
    if log is None or log.state in ("new", "draft", "deleted"):
        return []
    return [("Allow", CONCERN_ACTOR, (P.VIEW,)), ("Allow", CONCERN_READER, (P.VIEW,))]


def authored_acl(item) -> list[tuple]:
    """The author reads their glimpse and edits it while the log runs (R30), never in a
    draft (R13). A private note reaches its author only, never leaders or administrators (R8)."""
    from .log import Log
    from .notes import PrivateNote

    log = find_parent(item, Log)
    author = f"user:{item.author}"
    if isinstance(item, PrivateNote):
        own = (P.VIEW, P.EDIT_OWN) if log is not None and log.is_editable else (P.VIEW,)
        return [("Allow", author, own), DENY_ALL]
    state = log.state if log is not None else None
    if state in ("active", "reopened"):
        return [("Allow", author, (P.VIEW, P.EDIT_OWN))]
    return [("Allow", author, (P.VIEW,))] if state == "passive" else []
