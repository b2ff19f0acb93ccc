"""The app root and evolve steps."""

from __future__ import annotations

from stafett import storage
from stafett.models import AppRoot


def test_the_app_root_is_created_once_inside_the_transaction(conn):
    first = storage.app_root(conn)
    assert isinstance(first, AppRoot)
    assert storage.app_root(conn) is first
    assert conn.root()[storage.ROOT_KEY] is first


def test_evolve_runs_each_pending_step_once_in_order(conn, monkeypatch):
    root = storage.app_root(conn)
    ran = []
    monkeypatch.setattr(storage, "EVOLVE_STEPS", [lambda r: ran.append(1),
                                                  lambda r: ran.append(2)])
    root.generation = 0
    assert storage.evolve(root) == 2
    assert ran == [1, 2] and root.generation == 2
    assert storage.evolve(root) == 0 and ran == [1, 2]


def test_lock_errors_of_relstorage_and_postgresql_are_retried_as_conflicts_are():
    """The lock errors that are not a transaction.TransientError (so pyramid_tm does not
    mark them) are in LOCK_ERRORS, and every writer's retry covers them and conflicts."""
    from psycopg2.errors import DeadlockDetected, LockNotAvailable, SerializationFailure
    from relstorage.adapters.interfaces import (
        UnableToAcquireCommitLockError,
        UnableToLockRowsToReadCurrentError,
    )
    from ZODB.POSException import ConflictError

    for error in (DeadlockDetected, SerializationFailure, LockNotAvailable,
                  UnableToAcquireCommitLockError):
        assert issubclass(error, storage.LOCK_ERRORS), error
        assert issubclass(error, storage.RETRYABLE_ERRORS), error
    for error in (ConflictError, UnableToLockRowsToReadCurrentError):
        assert issubclass(error, storage.RETRYABLE_ERRORS), error
