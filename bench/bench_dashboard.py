"""The unit leader's dashboard and log list with 500 and with 50,000 logs (R36, DESIGN: Storage).

Builds two municipalities in memory (logs made directly with the model classes and
``index.reindex``: no argon2, no PDF, no commit: pickling 2.4 million objects into a
FileStorage alone takes longer than this benchmark may run), then times the dashboard
figures, the first page of the log list, a filtered page and a deep page (page 20, by its
cursor). One unit holds 80 % of the logs ("big"), another about 1 % ("typical": 5 logs of
500, so its first page is shorter than with 50,000). Prints the median times for both sizes
and their ratio; a ratio near 1 means the cost does not grow with the number of logs.

    .venv/bin/python bench/bench_dashboard.py            # 500 and 50,000 logs
    .venv/bin/python bench/bench_dashboard.py 500 5000   # other sizes
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time

from stafett.models import (
    AppRoot,
    Concern,
    Consent,
    ConsentScope,
    Employee,
    Guardian,
    Log,
    Measure,
    Municipality,
    ServiceType,
    Subject,
    Transfer,
    TransferKind,
    Unit,
)
from stafett.models.concern import Arena, Category, Party
from stafett.scripts.demo import make_fnr
from stafett.services import stats

STATES = ("draft", "active", "active", "active", "reopened", "passive")
REPEATS = 15


def build(total: int, seed: int = 7) -> Municipality:
    rnd = random.Random(seed)
    m = AppRoot().add(Municipality("Bench kommune"), "bench")
    units = [m.add_unit(Unit(f"Enhet {i}", ServiceType.SCHOOL, children=2000))
             for i in range(20)]
    holders = {u.id: [u.add_employee(Employee(f"Ansatt {u.name} {k}", make_fnr(
        dt.date(1980, 1, 1 + k), serial), may_hold=True)) for k in range(5)]
        for serial, u in enumerate(units)}
    for u in units:
        holders[u.id][0].is_leader = True
    weights = [80, 1] + [19 / 18] * 18  # "big", "typical", the rest
    fnrs = [make_fnr(dt.date(2012, 1, 1) + dt.timedelta(days=d)) for d in range(300)]
    for n in range(total):
        unit = rnd.choices(units, weights)[0]
        _log(m, unit, rnd.choice(holders[unit.id]), rnd, fnrs[n % len(fnrs)], units)
    return m


def _log(m, unit, holder, rnd, fnr, units) -> None:
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    log = m.logs.add(Log(Subject("Barn", fnr), holder.id, unit.id, rnd.randint(1, 3)))
    log.state = rnd.choice(STATES)
    log.created = log.modified = now - dt.timedelta(days=rnd.randint(0, 365))
    guardian = log.guardians.add(Guardian("Foresatt", username=None))
    consent = log.consents.add(Consent([guardian.id], today - dt.timedelta(days=200),
                                       ConsentScope.CREATE, expires=today + dt.timedelta(
                                           days=rnd.randint(-20, 400))))
    consent.state = "given"
    consent.recorded = log.created
    for _ in range(rnd.randint(1, 2)):
        concern = log.concerns.add(Concern("Tekst.", rnd.choice(list(Category))))
        concern.created = log.created
        for arena in rnd.sample(list(Arena), rnd.randint(1, 3)):
            start = today - dt.timedelta(days=rnd.randint(0, 90))
            measure = concern.measures.add(Measure(
                "Tiltak.", Party.HOME if arena == Arena.HOME else Party.SUBJECT, arena, start,
                start + dt.timedelta(days=rnd.randint(1, 120))))
            measure.state = "active"
            measure.created = log.created
    if log.state == "active" and rnd.random() < 0.01:
        transfer = log.transfers.add(Transfer(TransferKind.UNIT, "Flytter.", "bench",
                                              holder.id, to_unit_id=rnd.choice(units).id))
        transfer.state = "proposed"
        transfer.created = now
    m.index.reindex(log)


def timed(fn, repeats: int = REPEATS) -> float:
    """The median of ``repeats`` calls, in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(m: Municipality) -> dict:
    results = {}
    for which in ("big", "typical"):
        name = "Enhet 0" if which == "big" else "Enhet 1"
        unit = next(u for u in m.units.values() if u.name == name)
        index = m.index

        def dashboard(m=m, unit=unit):
            stats.unit_dashboard(m, unit)

        def first_page(index=index, unit=unit, m=m):
            ids, _ = stats.unit_log_ids(index, unit.id, stats.LogFilter())
            [m.logs[i].subject.name for i in ids]  # what the page renders

        def filtered(index=index, unit=unit):
            stats.unit_log_ids(index, unit.id, stats.LogFilter(state="active", level=2))

        cursor = None
        for _ in range(19):
            _ids, cursor = stats.unit_log_ids(index, unit.id, stats.LogFilter(), cursor)
            if cursor is None:
                break

        def deep_page(index=index, unit=unit, cursor=cursor):
            stats.unit_log_ids(index, unit.id, stats.LogFilter(), cursor)

        results[which] = {"logs in unit": index.count("unit", unit.id),
                          "dashboard": timed(dashboard), "first page": timed(first_page),
                          "filtered page": timed(filtered), "page 20": timed(deep_page)}
    return results


def main(argv: list[str]) -> int:
    small, large = (int(a) for a in (argv[1:3] if len(argv) > 2 else ("500", "50000")))
    figures = {}
    for total in (small, large):
        start = time.perf_counter()
        municipality = build(total)
        print(f"built {total} logs in {time.perf_counter() - start:.1f} s", flush=True)
        figures[total] = measure(municipality)
        del municipality
    print()
    print(f"{'unit':8} {'view':14} {'logs in unit':>22} {'median ms':>19} {'ratio':>8}")
    for which in ("big", "typical"):
        a, b = figures[small][which], figures[large][which]
        for view in ("dashboard", "first page", "filtered page", "page 20"):
            print(f"{which:8} {view:14} {a['logs in unit']:>10} {b['logs in unit']:>11} "
                  f"{a[view]:9.3f} {b[view]:9.3f} {b[view] / a[view]:8.2f}")
    print(f"\n(each pair: {small} logs, then {large} logs in the municipality)")
    a, b = figures[small]["big"], figures[large]["typical"]
    print(f"\nA unit of about the same size: {a['logs in unit']} logs of {small} against "
          f"{b['logs in unit']} logs of {large}")
    for view in ("dashboard", "first page", "filtered page", "page 20"):
        print(f"  {view:14} {a[view]:9.3f} {b[view]:9.3f} {b[view] / a[view]:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
