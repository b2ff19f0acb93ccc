"""Console scripts. Each opens the database named by the ini file's ``zodbconn.uri``."""

from __future__ import annotations

import contextlib

import transaction
from pyramid.paster import get_appsettings, setup_logging
from ZODB import DB
from zodburi import resolve_uri

from ..storage import app_root


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
