"""Deletion that really deletes (R17): unlink the log's content, keep a tombstone.

After this transaction the log is unreachable; ``stafett-pack`` then removes it, and every
earlier revision, from the storage for good.
"""

from __future__ import annotations

import datetime as dt

from ..audit import reason_code
from ..models.base import utcnow
from ..models.indexes import person_key
from ..models.log import Log, Tombstone
from ..models.org import AccountKind
from . import archive, archive_delivery

_LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)


def erase_log(log: Log, deleted_by: str, reason: str) -> Tombstone:
    municipality = log.municipality
    from_state = _state_before_delete(log)
    # Only a reason code survives the log: free text may name the child (R17).
    tombstone = Tombstone(log.id, log.unit_id, log.created, deleted_by, reason_code(reason),
                          from_state)
    municipality.index.unindex(log)
    _drop_orphan_family_accounts(log)
    for key in list(municipality.archive_copies.keys((log.id,), (log.id, _LATEST))):
        _finish_for_archive(municipality, municipality.archive_copies[key])
        del municipality.archive_copies[key]
    for archived in log.archives.values():
        _finish_for_archive(municipality, archived)
    # Stafett's own copies go only after the archive has them (R17, R35).
    archive_delivery.keep_until_delivered(municipality, log.id)
    municipality.logs.remove(log.id)
    municipality.tombstones[log.id] = tombstone
    log.__parent__ = None
    return tombstone


def _finish_for_archive(municipality, archived) -> None:
    """A copy still waiting for its PDF gets it now, so it can be queued for the archive;
    no list shows it any more."""
    if not archived.produced and archive_delivery.queued(municipality):
        archive.produce(archived)
    municipality.pending_archives.pop(archived.__name__, None)
    municipality.copies_by_unit.pop(archived.unit_key, None)


def erase_concerns(log: Log, concern_ids) -> None:
    """Take concerns, their measures and everything that points at them out of the log
    (R20: what the family chose not to send along does not reach the receiver)."""
    gone = set(concern_ids)
    if not gone:
        return
    index = log.municipality.index
    for concern_id in gone:
        for measure in log.concerns[concern_id].measures.values():
            index.measures_by_deadline.discard(index.measure_key(log.id, measure))
        log.concerns.remove(concern_id)
    for note in list(log.notes.values()):
        if note.concern_id in gone:
            log.notes.remove(note.id)
    for meeting in log.meetings.values():
        if gone & set(meeting.concern_ids):
            meeting.concern_ids = tuple(c for c in meeting.concern_ids if c not in gone)
    for grant in log.grants.values():
        narrowed = gone & set(grant.concern_ids)
        for concern_id in narrowed:
            grant.concern_ids.remove(concern_id)
        if narrowed and grant.whole_log and grant.active:  # never widen to the whole log
            grant.withdrawn = utcnow()


def _state_before_delete(log: Log) -> str:
    return "passive" if log.closed_at is not None else "draft"


def _drop_orphan_family_accounts(log: Log) -> None:
    """Guardian and subject logins that served only this log go with it: local ones by
    username, ID-porten ones by fødselsnummer (unless the person is also staff)."""
    municipality = log.municipality
    root = municipality.__parent__
    if root is None:
        return
    keys = {g.username for g in log.guardians.values() if g.username}
    keys |= {person_key(g.fnr) for g in log.guardians.values() if g.fnr}
    keys |= {log.subject.username, person_key(log.subject.fnr)} - {None}
    for key in keys:
        if set(municipality.index.ids("account", key)) - {log.id}:
            continue
        username = root.accounts_by_fnr.get(key) if key.startswith("pid:") else key
        account = root.accounts.get(username or "")
        if account is None or account.kind == AccountKind.EMPLOYEE:
            continue
        del root.accounts[username]
        if account.fnr:
            root.accounts_by_fnr.pop(person_key(account.fnr), None)
