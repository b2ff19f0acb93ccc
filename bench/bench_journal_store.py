"""Where should read entries of the audit journal go? Candidates measured in one run.

    .venv/bin/python bench/bench_journal_store.py [--entries 4000] [--threads 8]

Every read of a child's data must be journaled, durable before the response is sent, from
several app processes. For each candidate this appends ``--entries`` read entries, one
durable append per simulated request, from 1 and from ``--threads`` threads, and prints
appends per second, the p95 latency of one append, bytes written to disk per entry, and the
time to answer "who has read this log" for one log afterwards.

1. today: the entry as ZODB objects in the request's own FileStorage transaction
2. spool+zodb: a local append-only file (fdatasync, shared by concurrent appends), moved
   into the ZODB journal in batches once a second
3. sqlite: SQLite in WAL mode, synchronous=FULL, one connection per thread
4. postgresql: a table in PostgreSQL, one autocommit INSERT per entry (only when initdb and
   psycopg2 are installed; a throwaway cluster on a Unix socket is started and stopped)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import threading
import time

import transaction
from ZODB import DB, FileStorage
from ZODB.POSException import ConflictError

from stafett.audit import Journal

LOGS = 500


def entry(n: int) -> dict:
    return dict(log=f"log{n % LOGS:05d}", object=f"log{n % LOGS:05d}", object_kind="log",
                view="", actor=f"acct{n % 97:04d}", basis=("holder",), unit="unit01",
                holder="emp0001")


def run_threads(count: int, threads: int, append) -> tuple[float, list[float]]:
    """``append(n)`` from ``threads`` threads, ``count`` in all; (seconds, latencies)."""
    latencies: list[float] = []
    lock = threading.Lock()
    numbers = iter(range(count))

    def work():
        mine = []
        while True:
            with lock:
                n = next(numbers, None)
            if n is None:
                break
            start = time.perf_counter()
            append(n)
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - started, latencies


def folder_bytes(path: str) -> int:
    return sum(os.path.getsize(os.path.join(d, f)) for d, _s, fs in os.walk(path) for f in fs)


# -- 1. today: ZODB in the request's transaction ----------------------------------------------
class ZodbInRequest:
    name = "today (zodb)"

    def __init__(self, folder: str):
        self.folder = folder
        self.db = DB(FileStorage.FileStorage(os.path.join(folder, "Data.fs")), pool_size=16)
        tm = transaction.TransactionManager()
        conn = self.db.open(transaction_manager=tm)
        with tm:
            conn.root()["journal"] = Journal()
        conn.close()
        self.local = threading.local()
        self.conflicts = 0

    def append(self, n: int) -> None:
        if not hasattr(self.local, "conn"):
            self.local.tm = transaction.TransactionManager()
            self.local.conn = self.db.open(transaction_manager=self.local.tm)
        for _attempt in range(10):
            try:
                with self.local.tm:
                    self.local.conn.root()["journal"].append("read", **entry(n))
                return
            except ConflictError:
                self.conflicts += 1

    def who_read(self, log_id: str) -> int:
        conn = self.db.open()
        try:
            return len(list(conn.root()["journal"].of_log(log_id, "read")))
        finally:
            conn.close()

    def close(self) -> None:
        self.db.close()


# -- 2. a local spool, ingested into ZODB in batches -------------------------------------------
class SpoolIntoZodb(ZodbInRequest):
    name = "spool+zodb"

    def __init__(self, folder: str):
        super().__init__(folder)
        self.spool = open(os.path.join(folder, "spool.jsonl"), "ab", buffering=0)
        self.write_lock, self.sync_lock = threading.Lock(), threading.Lock()
        self.written = self.synced = 0
        self.stop = threading.Event()
        self.ingested = 0
        self.ingester = threading.Thread(target=self._ingest_every_second)
        self.ingester.start()

    def append(self, n: int) -> None:
        line = (json.dumps([time.time_ns(), entry(n)]) + "\n").encode()
        with self.write_lock:
            self.spool.write(line)
            self.written += len(line)
            end = self.written
        with self.sync_lock:  # one fdatasync covers every append written before it
            if self.synced < end:
                target = self.written
                os.fdatasync(self.spool.fileno())
                self.synced = target

    def _ingest_every_second(self) -> None:
        tm = transaction.TransactionManager()
        conn = self.db.open(transaction_manager=tm)
        offset = 0
        path = self.spool.name
        while not self.stop.wait(1.0) or offset < os.path.getsize(path):
            with open(path, "rb") as spool:
                spool.seek(offset)
                lines = spool.read().splitlines(keepends=True)
            complete = [x for x in lines if x.endswith(b"\n")]
            if not complete:
                continue
            with tm:
                journal = conn.root()["journal"]
                for line in complete:
                    at, fields = json.loads(line)
                    fields["basis"] = tuple(fields["basis"])
                    journal.append("read", at=at, **fields)
            offset += sum(len(x) for x in complete)
            self.ingested += len(complete)
        conn.close()

    def close(self) -> None:
        self.stop.set()
        self.ingester.join()
        self.spool.close()
        super().close()


# -- 3. SQLite in WAL mode --------------------------------------------------------------------
SCHEMA = ("CREATE TABLE access (at BIGINT, token TEXT, kind TEXT, log TEXT, unit TEXT, "
          "body TEXT, PRIMARY KEY (at, token))",
          "CREATE INDEX access_by_log ON access (log, kind, at)",
          "CREATE INDEX access_by_unit ON access (unit, kind, at)")


class Sqlite:
    name = "sqlite wal"

    def __init__(self, folder: str):
        self.path = os.path.join(folder, "access.sqlite")
        conn = self._connect()
        for statement in SCHEMA:
            conn.execute(statement)
        conn.commit()
        self.local = threading.local()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                               check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    def append(self, n: int) -> None:
        if not hasattr(self.local, "conn"):
            self.local.conn = self._connect()
        fields = entry(n)
        self.local.conn.execute("INSERT INTO access VALUES (?, ?, ?, ?, ?, ?)", (
            time.time_ns(), os.urandom(4).hex(), "read", fields["log"], fields["unit"],
            json.dumps(fields)))

    def who_read(self, log_id: str) -> int:
        return len(self._connect().execute(
            "SELECT body FROM access WHERE log = ? AND kind = 'read' ORDER BY at DESC",
            (log_id,)).fetchall())

    def close(self) -> None:
        self._connect().execute("PRAGMA wal_checkpoint(TRUNCATE)")


# -- 4. PostgreSQL ----------------------------------------------------------------------------
class Postgres:
    name = "postgresql"

    def __init__(self, folder: str):
        import psycopg2

        self.psycopg2 = psycopg2
        self.data = os.path.join(folder, "pg")
        bindir = _pg_bindir()
        subprocess.run([os.path.join(bindir, "initdb"), "-D", self.data, "-A", "trust",
                        "-U", "bench"], check=True, capture_output=True, **_as_postgres())
        self.ctl = os.path.join(bindir, "pg_ctl")
        subprocess.run([self.ctl, "-D", self.data, "-l", os.path.join(folder, "pg.log"), "-w", "-o",
                        f"-k {self.data} -c listen_addresses='' -c fsync=on", "start"],
                       check=True, capture_output=True, **_as_postgres())
        conn = self._connect()
        with conn.cursor() as cur:
            for statement in SCHEMA:
                cur.execute(statement)
        self.local = threading.local()

    def _connect(self):
        conn = self.psycopg2.connect(host=self.data, dbname="postgres", user="bench")
        conn.autocommit = True
        return conn

    def append(self, n: int) -> None:
        if not hasattr(self.local, "conn"):
            self.local.conn = self._connect()
        fields = entry(n)
        with self.local.conn.cursor() as cur:
            cur.execute("INSERT INTO access VALUES (%s, %s, %s, %s, %s, %s)", (
                time.time_ns(), os.urandom(4).hex(), "read", fields["log"], fields["unit"],
                json.dumps(fields)))

    def who_read(self, log_id: str) -> int:
        with self._connect().cursor() as cur:
            cur.execute("SELECT body FROM access WHERE log = %s AND kind = 'read' "
                        "ORDER BY at DESC", (log_id,))
            return len(cur.fetchall())

    def bytes(self) -> int:
        with self._connect().cursor() as cur:
            cur.execute("CHECKPOINT")
            cur.execute("SELECT pg_total_relation_size('access')")
            return cur.fetchone()[0]

    def close(self) -> None:
        subprocess.run([self.ctl, "-D", self.data, "-m", "fast", "stop"], check=True,
                       capture_output=True, **_as_postgres())


def _pg_bindir() -> str | None:
    for candidate in sorted(os.listdir("/usr/lib/postgresql"), reverse=True) \
            if os.path.isdir("/usr/lib/postgresql") else ():
        path = os.path.join("/usr/lib/postgresql", candidate, "bin")
        if os.path.exists(os.path.join(path, "initdb")):
            return path
    return None


def _as_postgres() -> dict:
    """initdb refuses to run as root: run the server as the ``postgres`` user then."""
    if os.geteuid() != 0:
        return {}
    import pwd

    user = pwd.getpwnam("postgres")
    return {"user": user.pw_uid, "group": user.pw_gid}


def measure(cls, entries: int, threads: int) -> dict | None:
    folder = tempfile.mkdtemp(prefix="journal-bench-")
    os.chmod(folder, 0o777)
    try:
        store = cls(folder)
    except Exception as exc:  # a candidate that cannot run here is reported, not fatal
        shutil.rmtree(folder, ignore_errors=True)
        return {"name": cls.name, "skipped": f"{type(exc).__name__}: {exc}"}
    try:
        start_bytes = store.bytes() if hasattr(store, "bytes") else folder_bytes(folder)
        rows = {}
        for label, count in (("1 thread", 1), (f"{threads} threads", threads)):
            seconds, latencies = run_threads(entries // 2, count, store.append)
            rows[label] = (len(latencies) / seconds,
                           statistics.quantiles(latencies, n=20)[18] * 1e6)
        if hasattr(store, "stop"):  # let the spool drain into ZODB before measuring bytes
            store.close()
            store.close = lambda: None
            store.db = DB(FileStorage.FileStorage(os.path.join(folder, "Data.fs")), pool_size=16)
        start = time.perf_counter()
        found = store.who_read("log00007")
        query_ms = (time.perf_counter() - start) * 1000
        end_bytes = store.bytes() if hasattr(store, "bytes") else folder_bytes(folder)
        return {"name": cls.name, "rows": rows, "bytes": (end_bytes - start_bytes) / entries,
                "query_ms": query_ms, "found": found,
                "conflicts": getattr(store, "conflicts", 0)}
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=4000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    print(f"{args.entries} durable appends per candidate (half on 1 thread, half on "
          f"{args.threads}); 'who has read this log' for one of {LOGS} logs\n")
    print(f"{'candidate':<15}{'threads':>10}{'appends/s':>11}{'p95 µs':>9}{'bytes/entry':>13}"
          f"{'who read ms':>13}{'conflicts':>11}")
    for cls in (ZodbInRequest, SpoolIntoZodb, Sqlite, Postgres):
        result = measure(cls, args.entries, args.threads)
        if "skipped" in result:
            print(f"{result['name']:<15} skipped: {result['skipped']}")
            continue
        for index, (label, (rate, p95)) in enumerate(result["rows"].items()):
            extra = (f"{result['bytes']:>13.0f}{result['query_ms']:>13.2f}"
                     f"{result['conflicts']:>11}") if index == 0 else ""
            print(f"{result['name'] if index == 0 else '':<15}{label:>10}{rate:>11.0f}"
                  f"{p95:>9.0f}{extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
