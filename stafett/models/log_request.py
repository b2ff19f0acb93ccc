"""A family's request for a log (R41): a guardian asks a unit to open a log for their child,
or a youth from 16 for themselves. The unit's leader names a holder (a draft log is opened
with the family in it) or declines with a reason shown to the family; the asker may
withdraw while it waits. The child's name, number and the free text are kept only while
the request waits: once answered, the log holds them or nobody does (R17)."""

from __future__ import annotations

import enum

from ..permissions import DENY_ALL, LEADER, SYSTEM_PRINCIPAL, P, Permission
from .base import Resource, find_parent, utcnow
from .identity import validate_fnr


class AskedFor(enum.StrEnum):
    CHILD = "child"  # a guardian asks for their child
    SELF = "self"  # a youth from 16 asks for themselves


class LogRequest(Resource):
    """Only the workflow's state string lives here (``workflows.log_request``)."""

    state = "new"
    log_id = holder_id = answered = None
    reason = ""

    def __init__(self, asker: str, asker_fnr: str, asker_name: str, asked_for: AskedFor,
                 subject_name: str, subject_fnr: str, *, email: str = "", phone: str = "",
                 message: str = ""):
        self.asker = asker  # the account's username
        self.asker_fnr = validate_fnr(asker_fnr)
        self.asker_name = asker_name
        self.asked_for = AskedFor(asked_for)
        self.subject_name = subject_name
        self.subject_fnr = validate_fnr(subject_fnr)
        self.email = email
        self.phone = phone
        self.message = message
        self.created = utcnow()

    @property
    def __acl__(self):
        return request_acl(self)

    @property
    def unit(self):
        from .org import Unit

        return find_parent(self, Unit)

    @property
    def is_waiting(self) -> bool:
        return self.state == "requested"

    @property
    def waiting_key(self) -> tuple:
        """The unit's queue of waiting requests is read oldest first."""
        return (self.created.isoformat(), self.id)

    def forget_the_family(self) -> None:
        """What only a waiting request needs: the child's name and number, the free text,
        the asker's number and contact details."""
        self.subject_name = ""
        self.subject_fnr = self.asker_fnr = None
        self.message = self.email = self.phone = ""


_NEW = {"asker": (P.ASK_FOR_LOG,)}
# Who may act is the role's; whether the request still waits for it is the workflow's,
# which refuses a late answer in words (R18).
_SENT = {"asker": (P.VIEW_REQUEST, P.WITHDRAW_REQUEST),
         LEADER: (P.VIEW_REQUEST, P.ANSWER_REQUEST)}


def request_acl(log_request: LogRequest) -> list[tuple]:
    """The asker (by username) and the unit's leader see the request; only the leader
    answers it and only the asker withdraws it."""
    entries = _NEW if log_request.state == "new" else _SENT
    asker = f"user:{log_request.asker}"
    return ([("Allow", asker if who == "asker" else who, perms)
             for who, perms in entries.items()]
            + [("Allow", SYSTEM_PRINCIPAL, tuple(Permission)), DENY_ALL])
