"""The archive copies of a log (R35): yearly, at a change of service, at closing and before
deletion. Finding them for the holder's and the leader's lists, and the yearly round.

The yearly round reads the index field ``yearly_due`` (``models.indexes``) up to today only,
so its cost follows the number of logs due, not the number of logs (bench/bench_yearly.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ..models.indexes import YEARLY_FIELD
from ..models.log import ArchivedPdf, Log
from . import archive

REASONS = ("yearly", "change_of_service", "closed", "before_deletion")
_LATEST = dt.datetime.max.replace(tzinfo=dt.UTC)


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
    """Every copy of the log this municipality keeps, the newest first: those kept with the
    log and those its units kept at a change of service (R20)."""
    municipality = log.municipality
    kept = list(log.archives.values())
    kept += municipality.archive_copies.values((log.id,), (log.id, _LATEST))
    return sorted(kept, key=lambda a: a.created, reverse=True)


def copies_of_unit(municipality, unit_id: str) -> list[ArchivedPdf]:
    """The unit's copies: of the logs it holds, and those it kept of logs that left it."""
    kept = [a for log_id in municipality.index.ids("unit", unit_id)
            for a in municipality.logs[log_id].archives.values()]
    kept += [a for a in municipality.archive_copies.values() if a.unit_id == unit_id]
    return sorted(kept, key=lambda a: a.created, reverse=True)


def find_copy(log: Log, name: str) -> ArchivedPdf | None:
    for archived in copies_of_log(log):
        if archived.__name__ == name:
            return archived
    return None


def keep_with_sending_municipality(log: Log, source) -> None:
    """R20: when the log moves to another municipality, its copies stay with the sending
    one, beside the change-of-service copy, and never travel to the receiver."""
    for key in list(log.archives.keys()):
        archived = log.archives.pop(key)
        archived.__parent__ = source
        source.archive_copies[(log.id, archived.created)] = archived
