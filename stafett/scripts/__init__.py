"""Console scripts. Each opens the database named by the ini file's ``zodbconn.uri``."""

from __future__ import annotations

import contextlib
import sys

import transaction
from pyramid.paster import get_appsettings, setup_logging
from zc.lockfile import LockError
from ZODB import DB
from zodburi import resolve_uri

from ..storage import app_root


def held_by_server(what_now: str) -> str:
    return (f"The database is a FileStorage held by the running server, which does this "
            f"work itself every night (stafett.nightly_at). To run it now, {what_now}.")


def open_db_unless_held(config_uri: str, what_now: str) -> DB | None:
    """The database, or None after saying what to do when a running server holds it."""
    try:
        return open_db(config_uri)
    except LockError:
        print(held_by_server(what_now), file=sys.stderr)
        return None


def open_db(config_uri: str) -> DB:
    setup_logging(config_uri)
    settings = get_appsettings(config_uri)
    storage_factory, dbkw = resolve_uri(settings["zodbconn.uri"])
    return DB(storage_factory(), **dbkw)


@contextlib.contextmanager
def app_root_of(db: DB):
    """The app root inside one committed transaction (aborted if the block raises)."""
    tm = transaction.TransactionManager()
    conn = db.open(transaction_manager=tm)
    try:
        with tm:
            yield app_root(conn)
    finally:
        conn.close()
