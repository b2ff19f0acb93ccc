"""The archive copies of a log (R35): yearly, at a change of service, at closing and before
deletion. Finding them for the holder's and the leader's lists, and the yearly round.

The yearly round reads the index field ``yearly_due`` (``models.indexes``) up to today only,
so its cost follows the number of logs due, not the number of logs (bench/bench_yearly.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from itertools import islice

from ..models.indexes import YEARLY_FIELD
from ..models.log import ArchivedPdf, Log, unit_copy_key_of_name
from . import archive

_LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)
PAGE_SIZE = 50


def make_yearly_copy(log: Log) -> ArchivedPdf:
    """The yearly copy of one running log; its next one falls due a year from now. Only the
    log's ``yearly_due`` entry moves: a copy made by the system is no activity on the log."""
    archived = archive.archive_log(log, reason="yearly")
    log.yearly_from = archived.created
    log.municipality.index.reindex(log, only=(YEARLY_FIELD,))
    return archived


def yearly_copies(municipality, today: dt.date,
                  make: Callable[[Log], object] = make_yearly_copy) -> int:
    """``stafett-daily``: a yearly copy of every running log due on or before ``today``."""
    due = municipality.index.yearly_due(today.isoformat())
    for log_id in due:
        make(municipality.logs[log_id])
    return len(due)


def copies_of_log(log: Log) -> list[ArchivedPdf]:
    """The copies the log's own unit made, the newest first: those kept with the log and
    the unit's copies at a change of service (the log may have left and come back). Copies
    another unit made stay with that unit (R20): they hold concerns that did not go along."""
    kept = [a for a in all_copies_of_log(log) if a.__parent__ is log or a.unit_id == log.unit_id]
    return sorted(kept, key=lambda a: a.created, reverse=True)


def all_copies_of_log(log: Log) -> list[ArchivedPdf]:
    """Every copy of the log the municipality keeps, whichever unit made it (R17 erases
    them all)."""
    kept = log.municipality.archive_copies.values((log.id,), (log.id, _LATEST))
    return [*log.archives.values(), *kept]


def copies_of_unit(municipality, unit_id: str, after: str | None = None,
                   size: int | None = None) -> tuple[list[ArchivedPdf], str | None]:
    """A page of the copies made in the unit, the newest first, from after the copy named
    ``after``, and the name to start the next page from (None on the last page). The
    unit's own index is read: the cost is the page's, not the municipality's."""
    size = size or PAGE_SIZE
    start = (unit_id,) if after is None else unit_copy_key_of_name(unit_id, after)
    if start is None:
        raise ValueError("not a copy's name")
    found = list(islice(municipality.copies_by_unit.values(
        start, (unit_id, 0), excludemin=after is not None), size + 1))
    more = len(found) > size
    return found[:size], found[size - 1].__name__ if more else None


def unit_copy(municipality, unit_id: str, name: str) -> ArchivedPdf | None:
    key = unit_copy_key_of_name(unit_id, name)
    return None if key is None else municipality.copies_by_unit.get(key)


def find_copy(log: Log, name: str) -> ArchivedPdf | None:
    for archived in copies_of_log(log):
        if archived.__name__ == name:
            return archived
    return None


def keep_with_sending_unit(log: Log) -> None:
    """R20: when the log leaves its unit, the copies made there stay behind with the
    municipality, beside the change-of-service copy, and never reach the receiver."""
    municipality = log.municipality
    for key in list(log.archives.keys()):
        archived = log.archives.pop(key)
        archived.__parent__ = municipality
        municipality.archive_copies[(log.id, archived.created)] = archived
