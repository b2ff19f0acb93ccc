"""Delivery of archive copies to the municipal archive (R35, R17).

``produce`` (services/archive.py) puts every copy whose PDF is made into its municipality's
outbox (``enqueue``); a practice municipality's copies (R43) are never queued. Each queued copy
is delivered as a Noark 5 package (services/noark.py) through the configured transport
(services/archive_transport.py): right after the commit that queued it, on a worker thread,
and in the nightly step ``archive-delivery`` for whatever is due. Each delivery is a
transaction of its own, retried on conflicts. A failed delivery stays in the outbox with its
attempts, an error code and the time of the next try (5 minutes, doubling, at most 12 hours).

A copy of a deleted log is kept, detached from the log, only until it is delivered; then the
entry goes and a pack removes the rest (R17). Log lines hold codes and counts only.
"""

from __future__ import annotations

import datetime as dt
import logging

import transaction

from ..models.archive_outbox import ArchiveOutbox, OutboxEntry
from ..models.base import find_parent, utcnow
from ..models.org import Municipality
from ..storage import app_root, in_own_transaction
from . import archive_transport, noark
from .archive_transport import TransportError
from .background import BackgroundWorker

_log = logging.getLogger(__name__)
ATTEMPTS = 5


def queued(municipality) -> bool:
    """Whether the municipality's copies go to an archive: not a practice one (R43)."""
    return municipality is not None and municipality.practice_of is None


def enqueue(archived) -> OutboxEntry | None:
    """Queue a copy whose PDF has just been made; delivered after the commit."""
    municipality = find_parent(archived, Municipality)
    if not queued(municipality) or not archived.produced:
        return None
    outbox = municipality.archive_outbox
    if any(e.archived is archived for e in outbox.for_log(archived.log_id)):
        return None
    log = _log_of(municipality, archived)
    unit = municipality.units.get(archived.unit_id) if archived.unit_id else None
    entry = OutboxEntry(ArchiveOutbox.new_key(archived.created), archived,
                        municipality_name=municipality.name,
                        unit_name=unit.name if unit is not None else "",
                        part_name=log.subject.name if log is not None else "",
                        part_fnr=log.subject.fnr if log is not None else "")
    outbox.add(entry)
    jar = municipality._p_jar
    if jar is not None:
        db, slug, key = jar.db(), municipality.__name__, entry.key
        jar.transaction_manager.get().addAfterCommitHook(
            lambda committed: committed and WORKER.submit(db, slug, key))
    return entry


def _log_of(municipality, archived):
    """The copy's log: where it lives, or, for a change of service, wherever it went."""
    from ..models.log import Log

    log = find_parent(archived, Log)
    if log is not None:
        return log
    log = municipality.logs.get(archived.log_id) if archived.log_id else None
    root = municipality.__parent__
    if log is None and root is not None:
        for other in root.values():
            log = other.logs.get(archived.log_id)
            if log is not None:
                break
    return log


# -- deleting a log (R17) ----------------------------------------------------------------------
def undelivered(municipality, log_id: str) -> list[OutboxEntry]:
    return municipality.archive_outbox.for_log(log_id)


def waiting_for_archive(log) -> int:
    """How many copies of ``log`` are still to be delivered (they outlive its deletion)."""
    from .copies import all_copies_of_log  # copies -> archive -> this module

    municipality = log.municipality
    if not queued(municipality):
        return 0
    waiting = len(undelivered(municipality, log.id))
    return waiting + sum(1 for copy in all_copies_of_log(log) if not copy.produced)


def keep_until_delivered(municipality, log_id: str) -> None:
    """Called while a log is erased: its queued copies are detached from the log and keep
    only their PDF (and the entry its part) until delivered."""
    for entry in undelivered(municipality, log_id):
        entry.archived.__parent__ = None
        entry.archived.html = None


# -- delivering --------------------------------------------------------------------------------
def deliver_entry(municipality, entry: OutboxEntry, transport, now: dt.datetime | None = None
                  ) -> bool:
    """Deliver one copy in the caller's transaction. On success the entry leaves the outbox
    and the copy is marked delivered; on failure the entry records the code and waits."""
    now = now or utcnow()
    archived = entry.archived
    pdf, filename = archived.blob.data, archived.blob.filename
    package = noark.build_package(entry, pdf, filename, now)
    try:
        transport.deliver(noark.package_name(entry), package)
    except TransportError as error:
        entry.failed(error.code, now)
        _log.warning("archive delivery failed: %s (attempt %d)", error.code, entry.attempts)
        return False
    archived.delivered_at = now
    municipality.archive_outbox.remove(entry.key)
    return True


def deliver_now(db, slug: str, key: str, transport, *, only_due: bool = False) -> str:
    """One entry in a transaction of its own, retried on conflicts: ``delivered``,
    ``failed``, ``gone`` (delivered or erased meanwhile) or ``not_due``."""

    def deliver(conn) -> str:
        municipality = app_root(conn).get(slug)
        entry = municipality.archive_outbox.get(key) if municipality is not None else None
        if entry is None:
            return "gone"
        if only_due and not entry.due(utcnow()):
            return "not_due"
        return "delivered" if deliver_entry(municipality, entry, transport) else "failed"

    return in_own_transaction(db, deliver, ATTEMPTS, gave_up="failed")


def due_keys(db, now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """(municipality slug, entry key) of every entry due now, read in a transaction."""
    now = now or utcnow()
    manager = transaction.TransactionManager()
    conn = db.open(transaction_manager=manager)
    try:
        with manager:
            root = app_root(conn)
            due = []
            for slug, municipality in root.items():
                due += [(slug, e.key) for e in municipality.archive_outbox.values()
                        if e.due(now)]
            manager.abort()
        return due
    finally:
        conn.close()


def deliver_due(db, transport, now: dt.datetime | None = None) -> dict[str, int]:
    """The nightly step: every entry due, each in its own transaction."""
    counts = {"delivered": 0, "failed": 0}
    for slug, key in due_keys(db, now):
        result = deliver_now(db, slug, key, transport, only_due=True)
        if result in counts:
            counts[result] += 1
    return counts


class DeliveryWorker(BackgroundWorker):
    """Delivers copies right after the commit that queued them."""

    name = "archive-delivery"

    def submit(self, db, slug: str, key: str) -> None:
        if archive_transport.for_database(db) is None:
            return  # no app configured this database (a script): the nightly run delivers
        self.put((db, slug, key))

    def handle(self, job) -> None:
        db, slug, key = job
        transport = archive_transport.for_database(db)
        if transport is not None:
            deliver_now(db, slug, key, transport)


WORKER = DeliveryWorker()
