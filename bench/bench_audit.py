"""Audit journal benchmark: reports on large journals, and append conflicts under load.

    .venv/bin/python bench/bench_audit.py [--entries 1000000] [--appends 400]

1. Writes ``--entries`` entries over two years as the app does: transitions into the
   municipality's journal of changes (a real FileStorage) and reads and logins into the
   access journal (SQLite, as beside a FileStorage); seals both, then times a one-month
   CSV report of the municipality's transitions, the same for one unit, and one log's
   access report ("who has read this log"), each beside the same report on empty journals.
   Reports run on freshly opened databases (cold caches).
2. Two threads, each with its own connection to one FileStorage, append one entry per
   transaction (as two request threads would) and count ConflictErrors per commit: the
   journal's design (inserts into BTrees, chain built later by sealing) against a naive
   design where every append links to a shared "last entry" object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import secrets
import shutil
import tempfile
import threading
import time

import transaction
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from ZODB import DB, FileStorage
from ZODB.POSException import ConflictError

from stafett.access_journal import AccessJournal, SqliteBackend
from stafett.audit import GENESIS, Journal, link_hash
from stafett.models import Municipality, ServiceType, Unit
from stafett.reports import audit as reports
from stafett.storage import app_root

DAY = 86_400 * 10**9
LOGS = 20_000
UNITS = 20
TRIGGERS = [("log", "activate", "draft", "active"), ("log", "close", "active", "passive"),
            ("transfer", "propose", "new", "proposed"), ("measure", "add", "new", "active"),
            ("consent", "give", "new", "given")]


def build(path: str, entries: int) -> tuple[str, float, float]:
    """A municipality whose journals hold ``entries`` entries (the access journal beside
    ``path``); returns one busy log id and the seconds spent writing and sealing."""
    db = DB(FileStorage.FileStorage(path))
    access = AccessJournal(SqliteBackend(path + ".access.sqlite")).for_municipality("bench")
    access.journal.backend.execute("PRAGMA synchronous=OFF")  # a bulk load, not a request
    rng = random.Random(7)
    end = time.time_ns()
    start = end - 730 * DAY
    step = (end - start) // max(entries, 1)
    with transaction.manager:
        root = app_root(db.open())
        m = root.add(Municipality("Bench kommune"), "bench")
        units = [m.add_unit(Unit(f"Unit {i}", ServiceType.SCHOOL)).id for i in range(UNITS)]
    logs = [secrets.token_hex(8) for _ in range(LOGS)]
    began = time.perf_counter()
    conn = db.open()
    journal = app_root(conn)["bench"].journal
    for i in range(entries):
        at, log = start + i * step, rng.choice(logs)
        unit = units[hash(log) % UNITS]
        roll = rng.random()
        if roll < 0.85:
            access.append("read", at=at, log=log, object=log, object_kind="log",
                          actor=f"u{rng.randrange(2000)}", basis=("holder",), unit=unit,
                          holder=f"e{rng.randrange(500)}")
        elif roll < 0.95:
            machine, trigger, source, dest = rng.choice(TRIGGERS)
            journal.append("transition", at=at, machine=machine, trigger=trigger,
                           object=log, log=log, source=source, dest=dest,
                           actor=f"u{rng.randrange(2000)}", reason="", unit=unit,
                           holder=f"e{rng.randrange(500)}")
        else:
            access.append("login", at=at, actor=f"u{rng.randrange(2000)}",
                          actor_kind="employee")
        if i % 20_000 == 19_999:
            transaction.commit()
            conn.cacheGC()
    transaction.commit()
    written = time.perf_counter() - began
    began = time.perf_counter()
    while journal.seal(grace_ns=0, limit=50_000):
        transaction.commit()
        conn.cacheGC()
    while access.journal.seal(grace_ns=0, limit=50_000):
        pass
    sealed = time.perf_counter() - began
    access.journal.close()
    busy = logs[0]
    conn.close()
    db.close()
    return busy, written, sealed


def time_reports(path: str, log_id: str) -> dict[str, tuple[float, int]]:
    """Seconds and rows of each report, on a freshly opened database."""
    db = DB(FileStorage.FileStorage(path, read_only=True))
    conn = db.open()
    root = app_root(conn)
    m = root["bench"]
    until = dt.date.today() - dt.timedelta(days=40)
    month = reports.Filters(until - dt.timedelta(days=30), until)
    unit_month = reports.Filters(month.since, until, unit_id=next(iter(m.units.keys())))
    names = reports.ActorNames(root, m)
    results = {}
    for name, filters in (("one-month CSV, municipality", month),
                          ("one-month CSV, one unit", unit_month)):
        results[name] = _timed_csv(root, m, lambda j, f=filters: (
            reports.transition_row(j, k, e, names) for k, e in reports.transitions(j, f)),
            reports.TRANSITION_COLUMNS)
    access = AccessJournal(SqliteBackend(path + ".access.sqlite")).for_municipality("bench")
    results["one-log access report"] = _timed_csv(root, m, lambda _j: (
        reports.access_row(k, e, names) for k, e in access.of_log(log_id)),
        reports.ACCESS_COLUMNS)
    access.journal.close()
    conn.close()
    db.close()
    return results


def _timed_csv(root, m, rows, columns) -> tuple[float, int]:
    began = time.perf_counter()
    lines = sum(chunk.count(b"\n") for chunk in reports.csv_chunks(columns, rows(m.journal)))
    return time.perf_counter() - began, lines - 1


# -- conflicts under concurrent appends ----------------------------------------------------
class NaiveJournal(Persistent):
    """The design the journal avoids: each append links to a shared head at once."""

    def __init__(self) -> None:
        self.entries = OOBTree()
        self.head = GENESIS
        self.seq = 0

    def append(self, kind: str, **fields) -> None:
        key = (time.time_ns(), secrets.token_hex(4))
        entry = dict(kind=kind, at=key[0], **fields)
        self.seq += 1
        self.head = link_hash(self.head, self.seq, key, entry)
        self.entries[key] = entry


def conflict_rate(journal_factory, appends: int, work_s: float) -> tuple[float, int, int]:
    folder = tempfile.mkdtemp(prefix="stafett-bench-")
    try:
        db = DB(FileStorage.FileStorage(f"{folder}/Data.fs"))
        with transaction.manager:
            db.open().root()["journal"] = journal_factory()
        counts = {"commits": 0, "conflicts": 0}
        lock = threading.Lock()

        def worker(seed: int) -> None:
            manager = transaction.TransactionManager()
            conn = db.open(transaction_manager=manager)
            rng = random.Random(seed)
            for _ in range(appends):
                while True:
                    manager.begin()
                    journal = conn.root()["journal"]
                    journal.append("read", log=f"log{rng.randrange(500)}", actor="u1",
                                   basis=("holder",), unit=f"unit{rng.randrange(20)}")
                    time.sleep(work_s)  # the rest of the request
                    try:
                        manager.commit()
                        with lock:
                            counts["commits"] += 1
                        break
                    except ConflictError:
                        manager.abort()
                        with lock:
                            counts["conflicts"] += 1
            conn.close()

        threads = [threading.Thread(target=worker, args=(seed,)) for seed in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        db.close()
        attempts = counts["commits"] + counts["conflicts"]
        return counts["conflicts"] / attempts, counts["conflicts"], attempts
    finally:
        shutil.rmtree(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=400, help="per thread")
    parser.add_argument("--work-ms", type=float, default=2.0,
                        help="simulated request time between append and commit")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="stafett-bench-")
    try:
        empty_log, _w, _s = build(f"{folder}/Empty.fs", 0)
        busy, written, sealed = build(f"{folder}/Full.fs", args.entries)
        print(f"wrote {args.entries:,} entries in {written:.1f} s "
              f"({args.entries / max(written, 1e-9):,.0f}/s); sealed them in {sealed:.1f} s")
        empty = time_reports(f"{folder}/Empty.fs", empty_log)
        full = time_reports(f"{folder}/Full.fs", busy)
        print(f"{'report':32} {'empty journal':>16} {f'{args.entries:,} entries':>26}")
        for name in full:
            print(f"{name:32} {empty[name][0] * 1000:13.1f} ms {full[name][0] * 1000:13.1f} ms "
                  f"({full[name][1]:,} rows)")
    finally:
        shutil.rmtree(folder)
    print(f"\nconflicts, 2 threads x {args.appends} appends, {args.work_ms} ms of request "
          "work each:")
    for name, factory in (("journal (BTree inserts, sealed later)", Journal),
                          ("naive shared chain head", NaiveJournal)):
        rate, conflicts, attempts = conflict_rate(factory, args.appends, args.work_ms / 1000)
        print(f"  {name:40} {rate:6.1%} of commits conflicted ({conflicts}/{attempts})")


if __name__ == "__main__":
    main()
