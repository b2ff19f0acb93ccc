"""The yearly archive copies (R35) with 1,000 and with 100,000 logs: ``stafett-daily`` walks
the ``yearly_due`` index up to today, so its cost follows the logs due, not the logs.

Builds each municipality as cheap synthetic objects (a log with an id, a state and the start
of its year, and the real ``LogIndex``) in a ZODB on MappingStorage, committed, so the walk
loads what it reads from storage; ~20 logs are due today in both sizes. Times the daily
yearly step (``services.copies.yearly_copies``) and a naive walk over every log doing the
same, each run from a cold object cache, and aborted after, so each repeat starts the same.
The copy itself is stubbed (the PDF of 20 logs costs the same in both sizes; it is made
after the commit anyway). Prints the median times and the ratios 100k / 1k.

    .venv/bin/python bench/bench_yearly.py              # 1,000 and 100,000 logs
    .venv/bin/python bench/bench_yearly.py 1000 10000   # other sizes
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time

import transaction
from BTrees.OOBTree import OOBTree
from persistent import Persistent
from ZODB import DB
from ZODB.MappingStorage import MappingStorage

from stafett.models.base import OSLO
from stafett.models.indexes import YEARLY_FIELD, LogIndex, yearly_due_day
from stafett.services import copies

DUE_TODAY = 20
REPEATS = 9
CACHE_SIZE = 50_000  # objects per connection, as production.ini
TODAY = dt.date(2026, 12, 6)


class SyntheticLog(Persistent):
    def __init__(self, log_id: str, state: str, yearly_from: dt.datetime) -> None:
        self.id, self.state, self.yearly_from = log_id, state, yearly_from
        self.copies = 0


class SyntheticMunicipality(Persistent):
    def __init__(self) -> None:
        self.index = LogIndex()
        self.logs = OOBTree()


def cheap_copy(log) -> None:
    """What ``make_yearly_copy`` does, less the HTML: the copy noted, the due day moved."""
    log.copies += 1
    log.yearly_from = dt.datetime.now(dt.UTC)
    log.municipality.index.reindex(log, only=(YEARLY_FIELD,))


def build(total: int, seed: int = 11) -> DB:
    rnd = random.Random(seed)
    db = DB(MappingStorage(), cache_size=CACHE_SIZE)
    conn = db.open()
    with transaction.manager:
        m = conn.root()["m"] = SyntheticMunicipality()
        due = set(rnd.sample(range(total), DUE_TODAY))
        for n in range(total):
            if n in due:  # started exactly a year ago today (Oslo)
                started = dt.datetime(TODAY.year - 1, TODAY.month, TODAY.day, 12, tzinfo=OSLO)
            else:  # due some other day of the coming year
                started = dt.datetime.combine(
                    TODAY - dt.timedelta(days=rnd.randint(1, 364)), dt.time(12), OSLO)
            state = rnd.choice(("active", "active", "active", "reopened", "passive", "draft"))
            log = SyntheticLog(f"log{n:07d}", state if n not in due else "active",
                               started.astimezone(dt.UTC))  # stored as UTC, as in Stafett
            m.logs[log.id] = log
            m.index.reindex(log, only=(YEARLY_FIELD,))
            if n % 10_000 == 9_999:
                transaction.savepoint(True)
    conn.close()
    return db


def naive(m, today: dt.date, make) -> int:
    """The walk the index saves: every log read to find the ones due."""
    count = 0
    for log in m.logs.values():
        due = yearly_due_day(log)
        if due is not None and due <= today:
            make(log)
            count += 1
    return count


def timed(db, step, cold: bool) -> tuple[float, int]:
    """Median of the repeats, each aborted after. ``cold``: from an empty object cache (the
    nightly script's fresh process); else with what one earlier run loaded (a server's)."""
    times, count = [], 0
    for repeat in range(REPEATS + (0 if cold else 1)):
        manager = transaction.TransactionManager()
        conn = db.open(transaction_manager=manager)
        if cold:
            conn.cacheMinimize()
        m = conn.root()["m"]
        SyntheticLog.municipality = m  # the stubbed copy reaches the index as a log does
        start = time.perf_counter()
        count = step(m)
        if cold or repeat:
            times.append(time.perf_counter() - start)
        manager.abort()  # each repeat starts from the same due days
        conn.close()
    return statistics.median(times), count


def main(sizes: list[int]) -> None:
    results = {}
    for total in sizes:
        start = time.perf_counter()
        db = build(total)
        built = time.perf_counter() - start
        row = []
        for cold in (True, False):
            indexed, due = timed(db, lambda m: copies.yearly_copies(m, TODAY, make=cheap_copy),
                                 cold)
            walked, due_naive = timed(db, lambda m: naive(m, TODAY, cheap_copy), cold)
            assert due == due_naive == DUE_TODAY, (due, due_naive)
            row += [indexed, walked]
        results[total] = row
        print(f"{total:>9,} logs (built in {built:.1f} s), {due} due:"
              f"  cold cache: index {row[0] * 1000:7.2f} ms, naive walk {row[1] * 1000:9.2f} ms"
              f"  warm cache: index {row[2] * 1000:7.2f} ms, naive walk {row[3] * 1000:9.2f} ms")
        db.close()
    small, large = results[sizes[0]], results[sizes[-1]]
    ratios = [b / a for a, b in zip(small, large, strict=True)]
    print(f"ratio {sizes[-1]:,} / {sizes[0]:,}:  cold cache: index {ratios[0]:.2f}, naive walk "
          f"{ratios[1]:.1f}  warm cache: index {ratios[2]:.2f}, naive walk {ratios[3]:.1f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 100_000])
