"""Finding a child (R45) with 1,000 and with 100,000 logs: the time per search should not
grow with the number of logs (DESIGN: Storage).

Builds two municipalities in memory (logs made with the model classes and indexed with
``index.reindex``, the subscriber's own path; no commit), with as many holders as the
logs need (about 20 logs each) and units of about 500 logs, so a holder's and a leader's
share stays the same while the municipality grows. Then times, for one holder and for the
leader of their unit, searches as the search page makes them (parse, walk the index among
the logs the person may see, load and check the hits), and the R45 lookup the new-log form
makes. Prints the median per query at both sizes and their ratio; near 1 means the cost
follows the results, not the municipality.

    .venv/bin/python bench/bench_search.py              # 1,000 and 100,000 logs
    .venv/bin/python bench/bench_search.py 1000 20000   # other sizes
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time

from stdnum.no import fodselsnummer

from stafett.models import AppRoot, Employee, Log, Municipality, ServiceType, Subject, Unit
from stafett.models.search import find_ids, logs_of_child, matches, parse, visible_to

FIRST = ("Emma", "Nora", "Sofie", "Ella", "Olivia", "Ada", "Ingrid", "Åse", "Maja", "Frida",
         "Jakob", "Noah", "Emil", "Lucas", "Oliver", "Filip", "Aksel", "Søren", "Bjørn",
         "Magnus", "Henrik", "Tiril", "Sigrid", "Øystein", "Håkon", "Zoë", "Ali", "Mohammed",
         "Amina", "Oskar")
LAST = ("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
        "Kristiansen", "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg",
        "Haugen", "Hagen", "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen",
        "Halvorsen", "Henriksen", "Lund", "Sørensen", "Jakobsen", "Moen", "Gundersen",
        "Iversen", "Strand", "Solberg", "Svendsen", "Eide", "Knutsen", "Martinsen",
        "Paulsen", "Bakken", "Kristoffersen", "Mathisen", "Lie", "Amundsen", "Nguyen",
        "Rasmussen", "Ali", "Lunde", "Solheim", "Berntsen", "Moe", "Kjær", "Aasen")
LOGS_PER_HOLDER, LOGS_PER_UNIT = 20, 500
REPEATS = 200
PLANTED = "Tuva Kjærvik-Ødegård"


def numbers(rnd: random.Random, first: dt.date, days: int, individuals: range):
    """Valid fødselsnumre, each once, born on random days from ``first``."""
    used = set()
    while True:
        day = first + dt.timedelta(days=rnd.randrange(days))
        base = f"{day:%d%m%y}{rnd.choice(individuals):03d}"
        k1 = fodselsnummer.calc_check_digit1(base)
        number = base + k1 + fodselsnummer.calc_check_digit2(base + k1)
        if number not in used and fodselsnummer.is_valid(number):
            used.add(number)
            yield number


def build(total: int, seed: int = 11):
    rnd = random.Random(seed)
    m = AppRoot().add(Municipality("Bench kommune"), "bench")
    units = [m.add_unit(Unit(f"Enhet {i}", ServiceType.SCHOOL))
             for i in range(max(1, total // LOGS_PER_UNIT))]
    per_unit = LOGS_PER_UNIT // LOGS_PER_HOLDER
    staff = numbers(rnd, dt.date(1960, 1, 1), 365 * 30, range(0, 500))
    holders = {u.id: [u.add_employee(Employee(f"Ansatt {k}", next(staff), may_hold=True))
                      for k in range(per_unit)] for u in units}
    for u in units:
        u.add_employee(Employee("Leder", next(staff), may_hold=True, is_leader=True))
    children = numbers(rnd, dt.date(2008, 1, 1), 365 * 14, range(500, 1000))
    planted = None
    for n in range(total):
        unit = units[n % len(units)]
        holder = holders[unit.id][(n // len(units)) % per_unit]
        name = PLANTED if n == total // 2 else f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
        log = m.logs.add(Log(Subject(name, next(children)), holder.id, unit.id, 1))
        log.state = "active"
        m.index.reindex(log)
        if name == PLANTED:
            planted = log
    return m, planted


def search(m, employee, query: str) -> list:
    """What the search page does, less the HTTP and the journal."""
    terms = parse(query)
    ids, _more = find_ids(m.index, terms, visible_to(m.index, employee), 20)
    return [log for log in (m.logs[i] for i in ids) if matches(log, terms)]


def timed(action) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def queries(m, planted) -> dict:
    holder = m.employee(planted.holder_id)
    leader = next(e for e in planted.unit.employees.values() if e.is_leader)
    fnr = planted.subject.fnr
    return {
        "holder: whole name": lambda: search(m, holder, PLANTED),
        "holder: 'kjær' (a prefix)": lambda: search(m, holder, "kjær"),
        "holder: 'emma' (common)": lambda: search(m, holder, "emma"),
        "holder: fødselsnummer": lambda: search(m, holder, fnr),
        "holder: birth date": lambda: search(m, holder, fnr[:6]),
        "leader: 'emma' in the unit": lambda: search(m, leader, "emma"),
        "leader: 'ødegård'": lambda: search(m, leader, "ødegård"),
        "R45 lookup by number": lambda: logs_of_child(m, fnr),
    }


def main(sizes: list[int]) -> None:
    results = {}
    for size in sizes:
        start = time.perf_counter()
        m, planted = build(size)
        built = time.perf_counter() - start
        checks = queries(m, planted)
        assert [log.id for log in search(m, m.employee(planted.holder_id), PLANTED)] == \
            [planted.id]
        results[size] = {name: timed(action) for name, action in checks.items()}
        print(f"{size:>7} logs built and indexed in {built:.1f} s")
    small, large = sizes[0], sizes[-1]
    print(f"\n{'query (median µs)':<30}{small:>10}{large:>10}{'ratio':>8}")
    for name in results[small]:
        a, b = results[small][name], results[large][name]
        print(f"{name:<30}{a:>10.1f}{b:>10.1f}{b / a:>8.2f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1_000, 100_000])
