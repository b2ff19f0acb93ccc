"""Sealing the audit journals: each municipality's journal of changes in the object
database and the installation's access journal, in batches, one transaction per batch.
Run by the nightly work and by ``stafett-audit``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import transaction

from ..audit import GRACE_NS, Journal
from ..storage import RETRYABLE_ERRORS, app_root

BATCH = 10_000
ATTEMPTS = 5


def seal_all(db, grace_ns: int = GRACE_NS) -> dict[str, int]:
    """Seal every municipality's journal in batches, one transaction per batch."""
    sealed = {}
    for slug in journal_slugs(db):
        sealed[slug] = 0
        while True:
            done = _seal_batch(db, slug, grace_ns)
            sealed[slug] += done
            if done < BATCH:
                break
    return sealed


def _seal_batch(db, slug: str, grace_ns: int) -> int:
    """One batch; retried when it meets a request writing the same journal (in-server), a
    conflict or, on PostgreSQL, a lock another writer held."""
    for attempt in range(ATTEMPTS):
        try:
            with municipality_journal(db, slug) as journal:
                return journal.seal(grace_ns=grace_ns, limit=BATCH)
        except RETRYABLE_ERRORS:
            if attempt == ATTEMPTS - 1:
                raise
    return 0


def seal_access(access, grace_ns: int = GRACE_NS) -> int:
    sealed = 0
    while (done := access.seal(grace_ns=grace_ns, limit=BATCH)) > 0:
        sealed += done
        if done < BATCH:
            break
    return sealed


def journal_slugs(db) -> list[str]:
    manager = transaction.TransactionManager()
    conn = db.open(transaction_manager=manager)
    try:
        return [slug for slug, m in app_root(conn).items() if isinstance(
            getattr(m, "journal", None), Journal)]
    finally:
        manager.abort()
        conn.close()


@contextlib.contextmanager
def municipality_journal(db, slug: str, commit: bool = True) -> Iterator[Journal]:
    """One municipality's journal inside its own transaction."""
    manager = transaction.TransactionManager()
    conn = db.open(transaction_manager=manager)
    try:
        manager.begin()
        yield app_root(conn)[slug].journal
        if commit:
            manager.commit()
    finally:
        manager.abort()
        conn.close()
