"""ZODB wiring: a connection per request on ``request.tm`` (pyramid_zodbconn), the app root
created on first use inside the request's transaction, and evolve steps for schema changes."""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable

import transaction
from pyramid_retry import IBeforeRetry, mark_error_retryable
from pyramid_zodbconn import get_connection
from transaction.interfaces import TransientError

from .access_journal import open_access_journal
from .events import AfterTransition
from .login_sessions import MAX_SECONDS, LoginSessions
from .models.org import AppRoot
from .visits import Visits, forget_visits_of_deleted_log

ROOT_KEY = "stafett"


def _index_employees_by_fnr(root: AppRoot) -> None:
    """R1: municipalities made before the fødselsnummer index get it filled in."""
    from BTrees.OOBTree import OOBTree

    for municipality in root.values():
        municipality.employee_by_fnr = OOBTree()
        for employee in municipality.employees.values():
            municipality.employee_by_fnr.setdefault(employee.fnr, employee.id)


def _archive_copies_per_municipality(root: AppRoot) -> None:
    """R20: the sending unit's archive copies are kept by the municipality; copies whose
    PDF is made after the commit wait in a list of their own (R35)."""
    from BTrees.OOBTree import OOBTree

    for municipality in root.values():
        municipality.archive_copies = OOBTree()
        municipality.pending_archives = OOBTree()


def _activity_per_log(root: AppRoot) -> None:
    """Logs made before the conflict-free activity stamp get one, from their content."""
    from .models.indexes import reindex_all
    from .models.log import Activity

    for municipality in root.values():
        for log in municipality.logs.values():
            stamps = [getattr(log, "modified", log.created)]
            for name in ("meetings", "glimpses", "notes", "transfers"):
                stamps += [item.created for item in getattr(log, name).values()]
            stamps += [c.recorded for c in log.consents.values()]
            for concern in log.concerns.values():
                stamps += [concern.created, *(m.created for m in concern.measures.values())]
            log.activity = Activity(max(stamps))
        reindex_all(municipality)


def _glimpses_newest_first(root: AppRoot) -> None:
    """Superseded by ``_glimpses_in_lanes``, which keys every glimpse anew; kept so the
    steps keep their numbers."""


def _logs_by_unit_state_and_recency(root: AppRoot) -> None:
    """The console's passive logs and drafts are walked newest first from their own index
    field, so a page of them costs the same in any size of unit."""
    from .models.indexes import reindex_all

    for municipality in root.values():
        reindex_all(municipality)


def _glimpses_in_lanes(root: AppRoot) -> None:
    """Glimpses in a ``Timeline`` of lanes, so writers adding glimpses to one log at once
    seldom meet in a bucket split."""
    from .models.base import Timeline, attach

    for municipality in root.values():
        for log in municipality.logs.values():
            old, log.glimpses = log.glimpses, attach(log, "glimpses", Timeline())
            for name in list(old.keys()):
                glimpse = old.remove(name)
                glimpse.__name__ = None
                log.glimpses.add(glimpse)


def _outbox_in_lanes(root: AppRoot) -> None:
    """Each log's sent messages in a ``Timeline`` of lanes: the family hears of every
    glimpse (R37), and concurrent writers must not meet in one tree."""
    from .models.base import Timeline, attach

    for municipality in root.values():
        for log in municipality.logs.values():
            old, log.outbox = log.outbox, attach(log, "outbox", Timeline())
            for message in old.values():
                log.outbox.add(message)


def _archive_outbox_per_municipality(root: AppRoot) -> None:
    """Every municipality gets its archive outbox (R35); copies made before it are not
    queued again (a municipality made later gets its outbox with its first copy)."""
    from .models.archive_outbox import ArchiveOutbox

    for municipality in root.values():
        if getattr(municipality, "archive_outbox", None) is None:
            municipality.archive_outbox = ArchiveOutbox()


def _people_by_fnr(root: AppRoot) -> None:
    """ID-porten: accounts found by fødselsnummer, invitations for guardians, and the logs'
    guardians and subject indexed by fødselsnummer (R5, R9)."""
    from BTrees.OOBTree import OOBTree

    from .models.indexes import person_key, reindex_all

    root.accounts_by_fnr = OOBTree()
    root.invitations = OOBTree()
    for municipality in root.values():
        for employee in municipality.employees.values():
            account = root.accounts.get(employee.username or "")
            if account is not None:
                account.fnr = employee.fnr
                root.accounts_by_fnr[person_key(employee.fnr)] = account.username
        reindex_all(municipality)


def _family_side(root: AppRoot) -> None:
    """The child's voice, the family's verdicts before a meeting and its feedback after one
    (R27, R40) get their containers; meetings and their feedback are counted (R36)."""
    from .models.base import Container, attach
    from .models.indexes import reindex_all

    for municipality in root.values():
        for log in municipality.logs.values():
            for name in ("voices", "family_verdicts", "meeting_feedback"):
                if getattr(log, name, None) is None:
                    setattr(log, name, attach(log, name, Container()))
        reindex_all(municipality)


def _log_requests_per_unit(root: AppRoot) -> None:
    """R41: every unit gets its queue of families' requests for a log, and every
    municipality the requests by who sent them."""
    from BTrees.OOBTree import OOBTree

    for municipality in root.values():
        municipality.log_requests_by_asker = OOBTree()
        for unit in municipality.units.values():
            unit.add_request_queue()


def _children_findable(root: AppRoot) -> None:
    """R45: every municipality's index gets its key and every log its entries in the
    ``child`` field, so a child is found by name or number and a second log is refused."""
    from .models.indexes import new_search_key, reindex_all

    for municipality in root.values():
        municipality.index.search_key = new_search_key()
        reindex_all(municipality)


def _yearly_copies_due(root: AppRoot) -> None:
    """R35: every running log gets the day its yearly archive copy is due, a year after it
    became active or was last reopened (from its history), in the ``yearly_due`` field."""
    from .models.indexes import YEARLY_FIELD

    for municipality in root.values():
        for log in municipality.logs.values():
            if log.state in ("active", "reopened") and log.yearly_from is None:
                started = [at for at, record in ((k[0], v) for k, v in log.history.items())
                           if record.get("machine") == "log"
                           and record.get("trigger") in ("activate", "reopen")]
                log.yearly_from = max(started) if started else log.created
            municipality.index.reindex(log, only=(YEARLY_FIELD,))


def _archive_outbox_by_unit_and_log(root: AppRoot) -> None:
    """Every municipality has its archive outbox (those made since the outbox came got one
    with their first copy), its entries found by unit and by log."""
    from .models.archive_outbox import ArchiveOutbox

    for municipality in root.values():
        outbox = getattr(municipality, "archive_outbox", None)
        if outbox is None:
            municipality.archive_outbox = ArchiveOutbox()
        else:
            outbox.index_entries()


def _archive_copies_by_unit(root: AppRoot) -> None:
    """R20, R35: every copy is listed for the unit that made it. A copy that stayed with a
    log when it moved to another unit goes back to the unit that made it."""
    from BTrees.OOBTree import OOBTree

    for municipality in root.values():
        municipality.copies_by_unit = OOBTree()
        for log in municipality.logs.values():
            for key, archived in list(log.archives.items()):
                if archived.unit_id not in (None, log.unit_id):
                    del log.archives[key]
                    archived.__parent__ = municipality
                    municipality.archive_copies[(log.id, archived.created)] = archived
                municipality.copies_by_unit[archived.unit_key] = archived
        for archived in municipality.archive_copies.values():
            municipality.copies_by_unit[archived.unit_key] = archived


# Schema changes ship as numbered steps; AppRoot.generation says how far a database is.
EVOLVE_STEPS: list[Callable[[AppRoot], None]] = [_index_employees_by_fnr,
                                                 _archive_copies_per_municipality,
                                                 _activity_per_log,
                                                 _glimpses_newest_first,
                                                 _logs_by_unit_state_and_recency,
                                                 _glimpses_in_lanes,
                                                 _people_by_fnr,
                                                 _family_side,
                                                 _log_requests_per_unit,
                                                 _children_findable,
                                                 _outbox_in_lanes,
                                                 _yearly_copies_due,
                                                 _archive_outbox_per_municipality,
                                                 _archive_copies_by_unit,
                                                 _archive_outbox_by_unit_and_log]


def app_root(conn) -> AppRoot:
    zodb_root = conn.root()
    root = zodb_root.get(ROOT_KEY)
    if root is None:
        root = zodb_root[ROOT_KEY] = AppRoot()
        root.generation = len(EVOLVE_STEPS)
    return root


def evolve(root: AppRoot) -> int:
    """Apply the pending evolve steps; return how many ran."""
    pending = EVOLVE_STEPS[root.generation:]
    for step in pending:
        step(root)
        root.generation += 1
    return len(pending)


class DatabaseBehind(RuntimeError):
    """The database predates this version's evolve steps: serving it would fail on data in
    the old shape."""


def refuse_a_database_behind(databases: dict) -> None:
    """At start-up: an app whose database has pending evolve steps does not serve; the
    operator runs ``stafett-init CONFIG`` (which evolves it) first."""
    manager = transaction.TransactionManager()
    conn = databases[""].open(transaction_manager=manager)
    try:
        root = conn.root().get(ROOT_KEY)
        generation = None if root is None else root.generation
    finally:
        manager.abort()
        conn.close()
    if generation is not None and generation < len(EVOLVE_STEPS):
        for database in databases.values():
            database.close()
        raise DatabaseBehind(
            f"the database is at generation {generation} and this version of Stafett "
            f"needs {len(EVOLVE_STEPS)}: run stafett-init with this configuration first")


def pack(db, days: float = 0.0) -> list[str]:
    """Pack to ``days`` ago and remove what FileStorage leaves beside the data file: the
    ``.old`` copy, a ``.pack`` left by a pack that died, and the bytes of earlier
    transactions in the ``.tmp`` commit buffer (R17). The database stays open, so the
    running server can pack its own storage. Returns the paths removed or emptied."""
    storage = db.storage
    if hasattr(storage, "pack_keep_old"):
        storage.pack_keep_old = False
    db.pack(t=time.time() - days * 86400)
    path = getattr(storage, "_file_name", None)
    if not path:
        return []
    cleaned = [leftover for leftover in (path + ".old", path + ".pack")
               if os.path.exists(leftover)]
    for leftover in cleaned:
        os.remove(leftover)
    if _empty_commit_buffer(storage):
        cleaned.append(path + ".tmp")
    return cleaned


def _empty_commit_buffer(storage) -> bool:
    """FileStorage keeps its commit buffer open and only rewinds it, so old records stay in
    it; truncate it between commits (under the storage's commit lock)."""
    buffer = getattr(storage, "_tfile", None)
    if buffer is None or buffer.closed:
        return False
    with storage._commit_lock:
        buffer.seek(0)
        buffer.truncate()
    return True


def _request_app_root(request) -> AppRoot:
    return app_root(get_connection(request))


def root_factory(request) -> AppRoot:
    return request.app_root


def _lock_errors() -> tuple[type[Exception], ...]:
    """Lock errors that say "another transaction had it; try again" without being a
    ``TransientError`` (which pyramid_tm already marks retryable, ZODB's ConflictError and
    RelStorage's UnableToLockRows... among them): RelStorage's commit lock timeout (a
    StorageError "for historical reasons") and what PostgreSQL raises through psycopg2
    where RelStorage does not translate it (class 40: deadlock, serialization failure;
    55P03: lock_timeout)."""
    found: list[type[Exception]] = []
    try:
        from relstorage.adapters.interfaces import UnableToAcquireCommitLockError
        found.append(UnableToAcquireCommitLockError)
    except ImportError:  # no RelStorage installed: a one-machine setup
        pass
    try:
        from psycopg2.errors import LockNotAvailable
        from psycopg2.extensions import TransactionRollbackError
        found += [TransactionRollbackError, LockNotAvailable]
    except ImportError:
        pass
    return tuple(found)


LOCK_ERRORS = _lock_errors()
RETRYABLE_ERRORS: tuple[type[Exception], ...] = (TransientError, *LOCK_ERRORS)
"""What a writer outside a request (the archive worker, nightly work) retries too."""

RETRY_BASE_SECONDS = 0.01


def back_off(event) -> None:
    """Before a retry: wait a random while, longer each attempt, so writers that met do not
    meet again at once (full jitter)."""
    attempt = getattr(event.request, "retry_attempt", 0)
    time.sleep(random.uniform(0, RETRY_BASE_SECONDS * 2 ** attempt))


def in_own_transaction(db, work, attempts: int = 5, gave_up=None):
    """``work(conn)`` in a transaction of its own on a connection of its own, for a writer
    outside a request (a worker thread, a nightly step): retried with a random wait when it
    meets another writer; ``gave_up`` after the last attempt."""
    manager = transaction.TransactionManager()
    conn = db.open(transaction_manager=manager)
    try:
        for attempt in range(attempts):
            try:
                with manager:
                    return work(conn)
            except RETRYABLE_ERRORS:
                time.sleep(random.uniform(0, 0.05 * 2 ** attempt))
        return gave_up
    finally:
        conn.close()


def includeme(config) -> None:
    settings = config.get_settings()
    settings.setdefault("tm.manager_hook", "pyramid_tm.explicit_manager")
    settings.setdefault("retry.attempts", 5)
    config.include("pyramid_tm")
    config.include("pyramid_retry")
    for error in LOCK_ERRORS:
        mark_error_retryable(error)
    config.add_subscriber(back_off, IBeforeRetry)
    config.include("pyramid_zodbconn")
    refuse_a_database_behind(config.registry._zodb_databases)
    config.registry.access_journal = open_access_journal(settings)
    config.add_request_method(lambda request: request.registry.access_journal,
                              "access_journal", reify=True)
    config.registry.login_sessions = LoginSessions(
        config.registry.access_journal.backend,
        int(settings.get("stafett.session_max_seconds", MAX_SECONDS)))
    config.registry.visits = Visits(config.registry.access_journal.backend)
    config.add_subscriber(forget_visits_of_deleted_log, AfterTransition)
    config.add_request_method(_request_app_root, "app_root", reify=True)
    config.set_root_factory(root_factory)
