"""The archive outbox of a municipality (R35, R17): every archive copy whose PDF is made waits
here until it is delivered to the municipal archive as a Noark 5 package.

Entries are keyed by time and a random id, so writers adding copies at once do not meet in one
bucket of the tree. An entry holds what the package needs beyond the PDF: the case's part (the
child's name and fødselsnummer, which the archive needs) and the unit's name. It is removed when
its copy is delivered, so after a pack nothing of it remains.
"""

from __future__ import annotations

import datetime as dt
import uuid

from BTrees.OOBTree import OOBTree
from persistent import Persistent

from .base import utcnow

FIRST_WAIT = dt.timedelta(minutes=5)
LONGEST_WAIT = dt.timedelta(hours=12)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after ``attempts`` failed deliveries: 5 minutes, doubling, at most 12 hours."""
    if attempts <= 0:
        return dt.timedelta(0)
    return min(FIRST_WAIT * 2 ** min(attempts - 1, 20), LONGEST_WAIT)


class OutboxEntry(Persistent):
    """One copy waiting for delivery. ``error`` is a code (messages.name_of('error', code))."""

    attempts = 0
    error = None
    last_try = None

    def __init__(self, key: str, archived, *, municipality_name: str, unit_name: str,
                 part_name: str, part_fnr: str) -> None:
        self.key = key
        self.archived = archived
        self.log_id = archived.log_id
        self.unit_id = archived.unit_id
        self.reason = archived.reason
        self.created = archived.created
        self.queued = utcnow()
        self.next_try = self.queued
        self.municipality_name = municipality_name
        self.unit_name = unit_name
        self.part_name = part_name
        self.part_fnr = part_fnr

    def failed(self, code: str, now: dt.datetime | None = None) -> None:
        now = now or utcnow()
        self.attempts += 1
        self.error = code
        self.last_try = now
        self.next_try = now + backoff(self.attempts)

    def due(self, now: dt.datetime) -> bool:
        return self.next_try <= now


class ArchiveOutbox(Persistent):
    """key -> OutboxEntry, oldest first; and the same entries by unit and by log, so a unit's
    list and a log's deletion read their own entries, not the municipality's."""

    def __init__(self) -> None:
        self.entries = OOBTree()
        self.index_entries()

    def index_entries(self) -> None:
        self.by_unit = OOBTree()  # (unit id, key) -> entry
        self.by_log = OOBTree()  # (log id, key) -> entry
        for entry in self.entries.values():
            self._index(entry)

    @staticmethod
    def new_key(at: dt.datetime | None = None) -> str:
        return f"{(at or utcnow()):%Y%m%d%H%M%S%f}-{uuid.uuid4().hex}"

    def add(self, entry: OutboxEntry) -> None:
        self.entries[entry.key] = entry
        self._index(entry)

    def _index(self, entry: OutboxEntry) -> None:
        self.by_unit[(entry.unit_id or "", entry.key)] = entry
        self.by_log[(entry.log_id or "", entry.key)] = entry

    def get(self, key: str):
        return self.entries.get(key)

    def remove(self, key: str) -> None:
        entry = self.entries.pop(key, None)
        if entry is not None:
            self.by_unit.pop((entry.unit_id or "", key), None)
            self.by_log.pop((entry.log_id or "", key), None)

    def values(self):
        return self.entries.values()

    def for_log(self, log_id: str) -> list[OutboxEntry]:
        return list(self.by_log.values(*_range(log_id)))

    def for_unit(self, unit_id: str) -> list[OutboxEntry]:
        return list(self.by_unit.values(*_range(unit_id)))


def _range(first: str) -> tuple[tuple, tuple]:
    """The keys ``(first, <any key>)``: every entry key is shorter than the bound's."""
    return (first or "",), (first or "", "\uffff")
