"""The access journal: every read of a child's data, every login and failed login, every
refused page (Normen fact sheets 14 and 15; "who has read this log" for the family).

A read must be recorded durably before the page is sent, yet a GET must write nothing to
the object database: a read that rewrote ZODB buckets made every page view commit ~100 KB
and made concurrent readers conflict (bench/bench_journal_store.py measures the
candidates). So access entries go to an SQL table made for appends, outside the request's
ZODB transaction, committed (fsync) before the view returns:

- ``sqlite:///path/access.sqlite``: one machine, any number of app processes (WAL mode,
  ``synchronous=FULL``). The default beside a ``file://`` FileStorage.
- ``postgresql://user@host:port/dbname``: several machines; the default when the object
  database is RelStorage on PostgreSQL (the same database).

Entries hold ids, codes and roles only. The chain works as the ZODB journal's does
(``audit.Journal``): appends never touch a shared row; ``seal`` (``stafett-audit seal``)
links the entries older than a grace period, in (time, token) order, each to the one
sealed before it.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qsl, unquote, urlsplit

from .audit import GENESIS, GRACE_NS, Key, Problem, check_ids_only, link_hash

KINDS = ("read", "login", "login_failed", "refused")
FOREVER = 2**63 - 1
LATE_NS = 60 * 10**9  # an append is committed within this long of its timestamp
SETTING = "stafett.access_journal"

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS access_journal ("
    " at BIGINT NOT NULL, token VARCHAR(16) NOT NULL, municipality VARCHAR(64) NOT NULL,"
    " kind VARCHAR(32) NOT NULL, log VARCHAR(64), body TEXT NOT NULL,"
    " seq BIGINT, hash VARCHAR(64), PRIMARY KEY (at, token))",
    "CREATE INDEX IF NOT EXISTS access_journal_by_log"
    " ON access_journal (municipality, log, kind, at)",
    "CREATE INDEX IF NOT EXISTS access_journal_by_kind ON access_journal (municipality, kind, at)",
    "CREATE UNIQUE INDEX IF NOT EXISTS access_journal_by_seq ON access_journal (seq)",
    "CREATE INDEX IF NOT EXISTS access_journal_unsealed ON access_journal (at, token)"
    " WHERE seq IS NULL",
    "CREATE TABLE IF NOT EXISTS access_journal_head ("
    " id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash VARCHAR(64) NOT NULL,"
    " sealed_until BIGINT NOT NULL)",
)


class AccessJournal:
    """One journal for the installation; ``for_municipality(slug)`` gives one tenant's part."""

    def __init__(self, backend: _Backend):
        self.backend = backend
        with backend.transaction(exclusive=True) as cur:
            for statement in SCHEMA:
                cur.execute(statement)
            cur.execute("SELECT COUNT(*) FROM access_journal_head")
            if cur.fetchone()[0] == 0:
                cur.execute("INSERT INTO access_journal_head VALUES (1, 0, ?, 0)", (GENESIS,))

    def for_municipality(self, slug: str) -> MunicipalityAccess:
        return MunicipalityAccess(self, slug)

    # -- writing ---------------------------------------------------------------------------
    def append(self, municipality: str, kind: str, *, at: int | None = None,
               **fields) -> Key:
        """One entry, committed before this returns. ``at`` (ns since the epoch) is for
        imports and tests only."""
        check_ids_only(fields)
        while True:
            key = (time.time_ns() if at is None else at, secrets.token_hex(4))
            entry = dict(fields, kind=kind, at=key[0], municipality=municipality)
            try:
                self.backend.execute(
                    "INSERT INTO access_journal (at, token, municipality, kind, log, body)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (key[0], key[1], municipality, kind, fields.get("log"), _body(entry)))
                return key
            except self.backend.integrity_errors:  # the same (ns, token): draw again
                continue

    # -- reading ---------------------------------------------------------------------------
    def entries(self, municipality: str, kind: str, since_ns: int = 0, until_ns: int = FOREVER,
                log: str | None = None, newest_first: bool = False,
                limit: int | None = None) -> list[tuple[Key, dict]]:
        where = "municipality = ? AND kind = ? AND at >= ? AND at < ?"
        params: list = [municipality, kind, since_ns, until_ns]
        if log is not None:
            where += " AND log = ?"
            params.append(log)
        order = "DESC" if newest_first else "ASC"
        rows = self.backend.query(
            f"SELECT at, token, body, seq FROM access_journal WHERE {where}"
            f" ORDER BY at {order}, token {order}"
            + (f" LIMIT {int(limit)}" if limit is not None else ""), params)
        return [((at, token), dict(_entry(body), seq=seq)) for at, token, body, seq in rows]

    def count(self) -> int:
        return self.backend.query("SELECT COUNT(*) FROM access_journal")[0][0]

    def head(self) -> tuple[int, str, int]:
        """(sealed count, head hash, sealed until ns)."""
        return tuple(self.backend.query(
            "SELECT seq, hash, sealed_until FROM access_journal_head WHERE id = 1")[0])

    def unsealed(self) -> int:
        return self.backend.query(
            "SELECT COUNT(*) FROM access_journal WHERE seq IS NULL")[0][0]

    # -- the chain -------------------------------------------------------------------------
    def seal(self, now_ns: int | None = None, grace_ns: int = GRACE_NS,
             limit: int = 10_000) -> int:
        """Link up to ``limit`` unsealed entries older than the grace period, oldest first.
        Only this step writes the chain, in one transaction that holds the head row."""
        cutoff = (now_ns or time.time_ns()) - grace_ns
        with self.backend.transaction(exclusive=True) as cur:
            cur.execute("SELECT seq, hash FROM access_journal_head WHERE id = 1"
                        + self.backend.for_update)
            seq, head = cur.fetchone()
            cur.execute("SELECT at, token, body FROM access_journal WHERE seq IS NULL"
                        " AND at < ? ORDER BY at, token LIMIT ?", (cutoff, limit))
            rows = cur.fetchall()
            for at, token, body in rows:
                seq += 1
                head = link_hash(head, seq, (at, token), _entry(body))
                cur.execute("UPDATE access_journal SET seq = ?, hash = ? WHERE at = ? AND"
                            " token = ?", (seq, head, at, token))
            until = rows[-1][0] if len(rows) == limit else cutoff
            cur.execute("UPDATE access_journal_head SET seq = ?, hash = ?, sealed_until ="
                        " CASE WHEN sealed_until > ? THEN sealed_until ELSE ? END WHERE id = 1",
                        (seq, head, until, until))
        return len(rows)

    def verify(self) -> Iterator[Problem]:
        """Every broken link, first one first (see ``audit.Problem``)."""
        sealed, head, sealed_until = self.head()
        previous, expected = GENESIS, 1
        for seq, at, token, body, digest in self.backend.stream(
                "SELECT seq, at, token, body, hash FROM access_journal WHERE seq IS NOT NULL"
                " ORDER BY seq"):
            if seq != expected:
                yield Problem(seq, (at, token), "gap")
            if link_hash(previous, seq, (at, token), _entry(body)) != digest:
                yield Problem(seq, (at, token), "altered")
            previous, expected = digest, seq + 1
        if expected - 1 != sealed or previous != head:
            yield Problem(sealed, None, "head")
        for at, token in self.backend.query(
                "SELECT at, token FROM access_journal WHERE seq IS NULL AND at < ?",
                (sealed_until - LATE_NS,)):
            yield Problem(None, (at, token), "unchained")

    def close(self) -> None:
        self.backend.close()


class MunicipalityAccess:
    """One municipality's entries; what ``audit`` and the reports use."""

    def __init__(self, journal: AccessJournal, slug: str):
        self.journal, self.slug = journal, slug

    def append(self, kind: str, *, at: int | None = None, **fields) -> Key:
        return self.journal.append(self.slug, kind, at=at, **fields)

    def of_log(self, log_id: str, kind: str = "read",
               limit: int | None = None) -> list[tuple[Key, dict]]:
        """One log's entries, newest first ("who has read this log")."""
        return self.journal.entries(self.slug, kind, log=log_id, newest_first=True,
                                    limit=limit)

    def of_kind(self, kind: str, since_ns: int = 0,
                until_ns: int = FOREVER) -> list[tuple[Key, dict]]:
        return self.journal.entries(self.slug, kind, since_ns, until_ns)


def _body(entry: dict) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _entry(body: str) -> dict:
    """The stored entry as the journal's writers gave it (tuples stay tuples)."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(body).items()}


# -- backends --------------------------------------------------------------------------------
class _Backend:
    """A DB-API connection per thread; SQL written with ``?`` placeholders."""

    for_update = ""
    integrity_errors: tuple[type[Exception], ...] = ()

    def __init__(self) -> None:
        self._local = threading.local()
        self._all: list = []
        self._lock = threading.Lock()

    def connection(self):
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self.connect()
            with self._lock:
                self._all.append(conn)
        return conn

    def sql(self, statement: str) -> str:
        return statement

    def execute(self, statement: str, params=()) -> None:
        cur = self.connection().cursor()
        try:
            cur.execute(self.sql(statement), params)
        finally:
            cur.close()

    def query(self, statement: str, params=()) -> list[tuple]:
        cur = self.connection().cursor()
        try:
            cur.execute(self.sql(statement), params)
            return cur.fetchall()
        finally:
            cur.close()

    def stream(self, statement: str, params=(), batch: int = 5_000) -> Iterator[tuple]:
        cur = self.connection().cursor()
        try:
            cur.execute(self.sql(statement), params)
            while rows := cur.fetchmany(batch):
                yield from rows
        finally:
            cur.close()

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                try:
                    conn.close()
                except Exception:  # noqa: BLE001 - a connection of a finished thread
                    pass
            self._all.clear()
        self._local = threading.local()


class _Cursor:
    """A cursor that takes ``?`` placeholders whatever the driver."""

    def __init__(self, cursor, sql):
        self.cursor, self.sql = cursor, sql

    def execute(self, statement: str, params=()) -> None:
        self.cursor.execute(self.sql(statement), params)

    def fetchone(self):
        return self.cursor.fetchone()

    def fetchall(self):
        return self.cursor.fetchall()


class SqliteBackend(_Backend):
    integrity_errors = (sqlite3.IntegrityError,)

    def __init__(self, path: str, uri: bool = False):
        super().__init__()
        self.path, self.uri = path, uri
        if not uri:
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self._keepalive = self.connect() if uri else None  # keeps a memory database alive

    def connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                               check_same_thread=False, uri=self.uri)
        if not self.uri:
            _write_ahead_log(conn)
        conn.execute("PRAGMA synchronous=FULL")  # committed means on disk
        return conn

    def transaction(self, exclusive: bool = False):
        return _SqliteTransaction(self.connection(), exclusive)

    def close(self) -> None:
        super().close()
        if self._keepalive is not None:
            self._keepalive.close()
            self._keepalive = None


def _write_ahead_log(conn: sqlite3.Connection, attempts: int = 100) -> None:
    """WAL mode. Switching a new file to it needs the file to itself, and SQLite answers
    "database is locked" at once, without its busy timeout, when another process starting
    at the same moment has it open: try again a little later."""
    for attempt in range(attempts):
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.01 + 0.01 * attempt)


class _SqliteTransaction:
    def __init__(self, conn, exclusive: bool):
        self.conn, self.exclusive = conn, exclusive

    def __enter__(self) -> _Cursor:
        self.conn.execute("BEGIN IMMEDIATE" if self.exclusive else "BEGIN")
        return _Cursor(self.conn.cursor(), lambda s: s)

    def __exit__(self, kind, value, traceback) -> None:
        self.conn.execute("COMMIT" if kind is None else "ROLLBACK")


class PostgresBackend(_Backend):
    for_update = " FOR UPDATE"

    def __init__(self, dsn: str):
        super().__init__()
        import psycopg2

        self.psycopg2, self.dsn = psycopg2, dsn
        self.integrity_errors = (psycopg2.IntegrityError,)

    def connect(self):
        conn = self.psycopg2.connect(self.dsn)
        conn.autocommit = True  # each append is its own committed transaction
        return conn

    def sql(self, statement: str) -> str:
        return statement.replace("?", "%s")

    def transaction(self, exclusive: bool = False):
        return _PostgresTransaction(self.connection(), self.sql, exclusive)


# Exclusive transactions (making the tables, sealing) wait for each other: app processes
# started together would otherwise meet in CREATE TABLE IF NOT EXISTS, which PostgreSQL
# does not make safe against a concurrent one (a duplicate key in pg_type).
EXCLUSIVE_LOCK_KEY = 0x5374616665747401


class _PostgresTransaction:
    def __init__(self, conn, sql, exclusive: bool):
        self.conn, self.sql, self.exclusive = conn, sql, exclusive

    def __enter__(self) -> _Cursor:
        self.conn.autocommit = False
        cursor = _Cursor(self.conn.cursor(), self.sql)
        if self.exclusive:
            cursor.execute("SELECT pg_advisory_xact_lock(?)", (EXCLUSIVE_LOCK_KEY,))
        return cursor

    def __exit__(self, kind, value, traceback) -> None:
        try:
            if kind is None:
                self.conn.commit()
            else:
                self.conn.rollback()
        finally:
            self.conn.autocommit = True


# -- configuration ---------------------------------------------------------------------------
def open_access_journal(settings: dict) -> AccessJournal:
    """From ``stafett.access_journal``, else beside the object database."""
    return AccessJournal(backend_for(settings.get(SETTING) or default_uri(settings)))


def backend_for(uri: str) -> _Backend:
    parts = urlsplit(uri)
    if parts.scheme == "sqlite":
        if parts.path in ("", "/:memory:"):  # for unit tests: one shared in-memory database
            name = f"file:stafett-access-{secrets.token_hex(6)}?mode=memory&cache=shared"
            return SqliteBackend(name, uri=True)
        return SqliteBackend(unquote(parts.path))
    if parts.scheme in ("postgresql", "postgres"):
        return PostgresBackend(_libpq_dsn(parts))
    raise ValueError(f"{SETTING}: use sqlite:///path or postgresql://…, not {parts.scheme}:")


def default_uri(settings: dict) -> str:
    """Beside the object database: a FileStorage's folder, or RelStorage's PostgreSQL."""
    storage = urlsplit(settings.get("zodbconn.uri", ""))
    if storage.scheme == "file":
        folder = os.path.dirname(unquote(storage.path))
        return f"sqlite://{os.path.join(folder, 'access.sqlite')}"
    if storage.scheme == "postgres":
        return storage._replace(query="", fragment="").geturl()
    if storage.scheme == "memory":
        return "sqlite:///:memory:"
    raise ValueError(f"set {SETTING} (sqlite:///path for one machine, postgresql://… for "
                     "several) when the object database is not a FileStorage or RelStorage")


def _libpq_dsn(parts) -> str:
    """A libpq keyword string from a URL (the query may carry e.g. ``host=/run/pg``)."""
    found = {"host": parts.hostname, "port": parts.port, "user": parts.username,
             "password": unquote(parts.password) if parts.password else None,
             "dbname": parts.path.lstrip("/") or None}
    found.update(parse_qsl(parts.query))
    return " ".join(f"{k}='{v}'" for k, v in found.items() if v)
