"""Append-only journal of transitions, reads and logins, one per municipality (R18).

Entries hold ids and roles only, never personal content. Keys are (time, random token), so
concurrent requests insert into the BTree without reading or rewriting a shared object.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from BTrees.OOBTree import OOBTree
from persistent import Persistent


class Journal(Persistent):
    def __init__(self) -> None:
        self._entries = OOBTree()

    def append(self, kind: str, **fields: Any) -> tuple:
        key = (time.time_ns(), secrets.token_hex(4))
        self._entries[key] = dict(kind=kind, at=key[0], **fields)
        return key

    def entries(self, since_ns: int | None = None, until_ns: int | None = None):
        """Entries in time order, touching only the buckets of the period asked for."""
        low = (since_ns,) if since_ns is not None else None
        high = (until_ns, "\uffff") if until_ns is not None else None
        return self._entries.items(low, high)

    def __len__(self) -> int:
        return len(self._entries)


def record_transition(journal: Journal, *, machine: str, trigger: str, object_id: str,
                      log_id: str | None, source: str | None, dest: str, actor: str,
                      reason: str = "") -> tuple:
    return journal.append("transition", machine=machine, trigger=trigger, object=object_id,
                          log=log_id, source=source, dest=dest, actor=actor, reason=reason)


def record_refusal(journal: Journal, *, what: str, object_id: str, log_id: str | None,
                   actor: str, cause: str) -> tuple:
    return journal.append("refused", what=what, object=object_id, log=log_id, actor=actor,
                          cause=cause)


def record_login(request, account, succeeded: bool) -> None:
    """Logins and failed logins (issue: workflow audit). Unknown usernames are not stored."""
    if account is None:
        return
    municipality = request.app_root.get(account.municipality)
    if municipality is not None:
        municipality.journal.append("login" if succeeded else "login_failed",
                                    actor=account.uid, actor_kind=str(account.kind))


def record_read(request, log, principals) -> None:
    """Every read of a log page: who, which log, and the basis of access (roles only)."""
    basis = sorted(p.split(":", 1)[1] for p in principals if p.startswith("role:"))
    log.municipality.journal.append("read", log=log.id, object=request.context.id,
                                    actor=request.identity.uid, basis=basis)
