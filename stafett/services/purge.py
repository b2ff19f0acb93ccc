"""Deletion that really deletes (R17): unlink the log's content, keep a tombstone.

After this transaction the log is unreachable; ``stafett-pack`` then removes it, and every
earlier revision, from the storage for good.
"""

from __future__ import annotations

from ..models.log import Log, Tombstone


def erase_log(log: Log, deleted_by: str, reason: str) -> Tombstone:
    municipality = log.municipality
    from_state = _state_before_delete(log)
    tombstone = Tombstone(log.id, log.unit_id, log.created, deleted_by, reason, from_state)
    municipality.index.unindex(log)
    _drop_orphan_family_accounts(log)
    municipality.logs.remove(log.id)
    municipality.tombstones[log.id] = tombstone
    log.__parent__ = None
    return tombstone


def _state_before_delete(log: Log) -> str:
    return "passive" if log.closed_at is not None else "draft"


def _drop_orphan_family_accounts(log: Log) -> None:
    """Guardian and subject logins that served only this log go with it."""
    municipality = log.municipality
    root = municipality.__parent__
    usernames = {g.username for g in log.guardians.values() if g.username}
    if log.subject.username:
        usernames.add(log.subject.username)
    for username in usernames:
        if set(municipality.index.ids("account", username)) - {log.id}:
            continue
        if root is not None and username in root.accounts:
            del root.accounts[username]
