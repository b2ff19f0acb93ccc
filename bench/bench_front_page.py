"""The front pages at 1,000 and at 100,000 logs, built through the real workflows (issue 9).

A page whose cost depends on what it shows costs the same for a holder of 20 logs in a small
municipality and in a large one. This benchmark builds two municipalities in one FileStorage
(in a temporary folder), one with ``small`` logs and one with ``large`` logs, and times the
same pages for the same people in both:

- the holder's front page ``/``: the holder holds the same 20 logs in both municipalities,
  each with concerns, measures whose evaluation is due within days and a consent that
  expires within 30 days;
- the unit leader's front page ``/``, and the console pages ``<unit>/console-logs`` (first
  page), ``<unit>/console-consents``, ``<unit>/console-passive`` and ``<unit>/console``; the
  leader leads a unit that holds a third of the municipality's logs (and holds 5 logs);
- the holder's log page of one of the 20 held logs.

Every log is made as the app makes it: a draft with its guardians (``open_draft``, which
calls ``create_log``), ``give_consent`` (expiry spread over the next 60 days, so the
"consent expires" queue is full), ``fire(log, "activate")``, concerns with a goal
(``add_concern``), measures through ``add_measure`` (evaluation deadlines spread over the
next six weeks, a few overdue, so the "evaluation due" queue is full), ``propose_transfer``
(1 % of the running logs, a third of them to the leader's unit) and ``fire(log, "close")``
(8 %: passive logs). On a checkout from before those operations existed, the draft and the
concerns are written as the views then wrote them (``create_log``, ``log.guardians.add``,
``log.concerns.add``, then ``log.touch()``).
About 8 % of the logs stay drafts. Two costs that no page sees are skipped during the
build (``build_shortcuts``): every closed log after the first reuses the first archive PDF's
bytes, and ``fire`` takes no savepoint before each transition (a refusal stops the build).

The pages are driven in-process through WebTest (``stafett.main`` on the FileStorage, the
production connection cache of 50,000 objects, nothing served over the network), after
logging in through the ``/login`` form. Each page is warmed up, then timed ``--repeats``
times; the table shows the median wall time and the response size at both sizes and the
ratio large/small. The goal (issue 9): a ratio of at most 1.3 for the front pages.

    .venv/bin/python bench/bench_front_page.py                 # 1,000 and 100,000 logs
    .venv/bin/python bench/bench_front_page.py --quick         # 1,000 and 10,000 logs
    .venv/bin/python bench/bench_front_page.py 1000 30000      # other sizes
    .venv/bin/python bench/bench_front_page.py --keep /tmp/fp  # keep (or reuse) the database
                                                               # (only with the code that built it)
    .venv/bin/python bench/bench_front_page.py --profile       # cProfile each page, large size

The build takes 5 to 10 ms a log on one core (about 16 minutes and 6.7 GB of Data.fs
for 100,000 logs; the folder is removed afterwards unless ``--keep`` is given).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import itertools
import json
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time

import transaction
import webtest
from stdnum.no import fodselsnummer
from ZODB import DB, FileStorage

from stafett.models import (
    Account,
    AccountKind,
    Arena,
    Category,
    Concern,
    Consent,
    ConsentScope,
    Employee,
    Goal,
    Guardian,
    Measure,
    Municipality,
    Party,
    ServiceType,
    Subject,
    SubjectKind,
    Transfer,
    TransferKind,
    Unit,
)
from stafett.models.base import today
from stafett.models.log import Log
from stafett.services import archive
from stafett.services.passwords import hash_password
from stafett.storage import app_root
from stafett.workflows import add_measure, create_log, engine, fire, give_consent, propose_transfer

try:  # the write path's operations (issue 9); before them, views wrote and called touch()
    from stafett.workflows.content import add_concern, open_draft
except ImportError:
    add_concern = open_draft = None

PASSWORD = "stafett-bench"
GOAL = 1.3
UNITS = 12  # the leader's unit holds a third of the logs, the other eleven share the rest
LOGS_PER_HOLDER = 25
ACTORS_PER_UNIT = 4
HELD = 20  # the measured holder's logs, the same in both municipalities
LEADER_HELD = 5
COMMIT_EVERY = 250
DRAFT_SHARE = 0.08
TRANSFER_SHARE = 0.01
CLOSED_SHARE = 0.08
CACHE = 50000  # production.ini's connection_cache_size

PAGES = (  # (label, who, path relative to the municipality's objects)
    ("holder: front page /", "holder", "/"),
    ("leader: front page /", "leader", "/"),
    ("leader: console-logs", "leader", "{unit}/console-logs"),
    ("leader: console-consents", "leader", "{unit}/console-consents"),
    ("leader: console-passive", "leader", "{unit}/console-passive"),
    ("leader: console", "leader", "{unit}/console"),
    ("holder: log page", "holder", "{log}"),
)


# -- people and numbers ------------------------------------------------------------------
def valid_fnrs(born: dt.date):
    """Every valid fødselsnummer for a birth date, in order of individual number."""
    first = 500 if born.year >= 2000 else 0
    for individual in range(first, first + 500):
        base = f"{born:%d%m%y}{individual:03d}"
        k1 = fodselsnummer.calc_check_digit1(base)
        number = base + k1 + fodselsnummer.calc_check_digit2(base + k1)
        if fodselsnummer.is_valid(number):
            yield number


def fnr_source(oldest: dt.date, youngest: dt.date):
    """Distinct fødselsnummer, born between ``oldest`` and ``youngest``, one date after the
    other and round again."""
    days = (youngest - oldest).days
    per_date = {}
    for _round in itertools.count():
        for d in range(days):
            born = oldest + dt.timedelta(days=d)
            numbers = per_date.setdefault(born, valid_fnrs(born))
            number = next(numbers, None)
            if number is not None:
                yield number


def years_before(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year - years, day=min(day.day, 28))


class Builder:
    """One municipality, built through the workflows. ``info`` says whom and what to time."""

    def __init__(self, root, slug: str, total: int, password_hash: str, fnrs: dict,
                 seed: int = 7):
        self.root, self.slug, self.total = root, slug, total
        self.password_hash = password_hash
        self.fnrs = fnrs
        self.rnd = random.Random(seed)
        self.today = today()

    # -- organisation ------------------------------------------------------------------
    def employee(self, unit, username, name, **flags) -> Account:
        emp = unit.add_employee(Employee(name, next(self.fnrs["adult"]),
                                         f"{username}@bench.kommune.no", username=username,
                                         **flags))
        account = Account(username, self.password_hash, AccountKind.EMPLOYEE, self.slug, name,
                          emp.id)
        self.root.accounts[username] = account
        return account

    def organisation(self) -> None:
        m = self.m = self.root.add(Municipality(f"Bench {self.total}", ""), self.slug)
        self.units = [m.add_unit(Unit(f"Enhet {i}", ServiceType.SCHOOL, children=max(
            100, self.total // 3 if i == 0 else self.total // 10))) for i in range(UNITS)]
        share = [1 / 3] + [2 / 3 / (UNITS - 1)] * (UNITS - 1)
        self.unit_logs = [round(self.total * s) for s in share]
        self.leaders, self.holders, self.actors = {}, {}, {}
        for i, unit in enumerate(self.units):
            self.leaders[unit.id] = self.employee(
                unit, f"{self.slug}-leader{i}", f"Leder {i}", is_leader=True, may_hold=True)
            count = max(1, self.unit_logs[i] // LOGS_PER_HOLDER)
            self.holders[unit.id] = [self.employee(unit, f"{self.slug}-h{i}-{k}",
                                                   f"Kontaktlærer {i}-{k}", may_hold=True)
                                     for k in range(count)]
            self.actors[unit.id] = [self.employee(unit, f"{self.slug}-a{i}-{k}",
                                                  f"Assistent {i}-{k}", may_hold=False)
                                    for k in range(ACTORS_PER_UNIT)]
        self.unit = self.units[0]
        self.holder = self.employee(self.unit, f"{self.slug}-holder", "Målt Holder",
                                    may_hold=True)
        self.leader = self.leaders[self.unit.id]

    # -- one log -----------------------------------------------------------------------
    def draft(self, holder: Account, unit, level: int, guardians: int = 1) -> Log:
        n = len(self.m.logs)
        family = [(f"Foresatt {n}-{g}", f"foresatt{n}-{g}@example.org") for g in range(guardians)]
        fnr = next(self.fnrs["child"])
        if open_draft is not None:  # the write path's one door for what is written in a log
            return open_draft(self.m, self.m.employee(holder.employee_id), {
                "subject_name": f"Barn {n}", "fnr": fnr, "kind": SubjectKind.CHILD,
                "subject_username": None, "level": level, "guardians_live_together": True,
                "guardians": [{"guardian_id": "", "name": name, "email": email,
                               "phone": "+47 900 00 000", "lives_with_child": True,
                               "username": None} for name, email in family]}, holder)
        log = Log(Subject(f"Barn {n}", fnr), holder.employee_id, unit.id, level)
        create_log(self.m, log, holder)
        for name, email in family:
            log.guardians.add(Guardian(name, email, "+47 900 00 000"))
        log.touch()  # before the write path's operations: how views indexed a change
        return log

    def activate(self, log: Log, holder: Account, expires_in: int) -> None:
        guardian = next(iter(log.guardians.keys()))
        given = self.today - dt.timedelta(days=self.rnd.randint(1, 300))
        give_consent(log, Consent([guardian], given, ConsentScope.CREATE,
                                  expires=self.today + dt.timedelta(days=expires_in)), holder)
        fire(log, "activate", holder)

    def concern(self, log: Log, holder: Account, category) -> Concern:
        text, goal = f"Utfordring {len(log.concerns) + 1} i logg.", "Et konkret mål."
        if add_concern is not None:
            return add_concern(log, {"text": text, "category": category, "goal": goal}, holder)
        concern = log.concerns.add(Concern(text, category, holder.employee_id))
        concern.set_goal(Goal(goal))
        log.touch()
        return concern

    def measure(self, concern, holder: Account, unit, arena, due_in: int) -> None:
        deadline = self.today + dt.timedelta(days=due_in)
        start = min(self.today, deadline) - dt.timedelta(days=self.rnd.randint(7, 30))
        actor = self.rnd.choice(self.actors[unit.id]).employee_id \
            if arena == Arena.SERVICE else None
        party = {Arena.SERVICE: Party.ACTOR, Arena.HOME: Party.HOME,
                 Arena.CHILD: Party.SUBJECT}[arena]
        add_measure(concern, Measure(f"Tiltak {arena}.", party, arena, start, deadline, actor),
                    holder)

    def bulk_log(self, unit, holder: Account) -> None:
        rnd = self.rnd
        log = self.draft(holder, unit, rnd.randint(1, 3))
        if rnd.random() < DRAFT_SHARE:
            return
        self.activate(log, holder, rnd.randint(1, 60))
        for category in rnd.sample(list(Category)[:9], rnd.randint(1, 2)):
            concern = self.concern(log, holder, category)
            for arena in rnd.sample(list(Arena), rnd.randint(1, 2)):
                due = rnd.randint(-7, -1) if rnd.random() < 0.05 else rnd.randint(0, 42)
                self.measure(concern, holder, unit, arena, due)
        chance = rnd.random()
        if chance < TRANSFER_SHARE:
            others = [u for u in self.units if u is not unit]
            to = self.unit if unit is not self.unit and rnd.random() < 1 / 3 else \
                rnd.choice(others)
            propose_transfer(log, Transfer(TransferKind.UNIT, "Flytter til ny enhet.",
                                           holder.uid, holder.employee_id, to_unit_id=to.id),
                             holder)
        elif chance < TRANSFER_SHARE + CLOSED_SHARE:
            fire(log, "close", holder, reason="goals_met")

    def rich_log(self, holder: Account, k: int) -> Log:
        """One of the measured logs: the same in both municipalities."""
        log = self.draft(holder, self.unit, 2, guardians=2)
        self.activate(log, holder, 5 + k % 25)  # expires within 30 days: on the front page
        for c, category in enumerate((Category.LEARNING, Category.SOCIAL)):
            concern = self.concern(log, holder, category)
            for a, arena in enumerate(Arena):
                due = (3 + k % 10) if a == 0 else 20 + 7 * a + c  # one due within 14 days
                self.measure(concern, holder, self.unit, arena, due)
        return log

    # -- the whole municipality --------------------------------------------------------
    def build(self, progress) -> dict:
        self.organisation()
        held = [self.rich_log(self.holder, k).id for k in range(HELD)]
        for k in range(LEADER_HELD):
            self.rich_log(self.leader, k)
        transaction.commit()
        plan = [(unit, holder) for unit, n in zip(self.units, self.unit_logs, strict=True)
                for holder in itertools.islice(itertools.cycle(self.holders[unit.id]), n)]
        self.rnd.shuffle(plan)
        start = time.perf_counter()
        for n, (unit, holder) in enumerate(plan, 1):
            self.bulk_log(unit, holder)
            if n % COMMIT_EVERY == 0 or n == len(plan):
                transaction.get().note(f"bench: {n} logs")
                transaction.commit()
                self.m._p_jar.cacheGC()
                progress(self.slug, n, len(plan), time.perf_counter() - start)
        if hasattr(archive, "produce_pending"):  # PDFs made after the commit: finish them
            archive.produce_pending(self.m)
            transaction.commit()
        return {"slug": self.slug, "logs": len(self.m.logs), "held": held,
                "holder": self.holder.username, "leader": self.leader.username,
                "unit": self.unit.id, "unit_logs": self.m.index.count("unit", self.unit.id)}


def build_shortcuts():
    """Costs of the build that no page sees, skipped; returns a function that restores them.

    - Closing writes the archive copy of the log (Chameleon, ~17 ms) and makes its PDF
      (WeasyPrint, ~60 ms): the first copy is rendered for real, every later one reuses its
      HTML and PDF. Where PDFs are made after the commit by a worker thread, the worker is
      held during the build and the waiting copies are finished at the end of each
      municipality with ``archive.produce_pending`` (what ``stafett-daily`` does), so no
      worker transaction writes beside the build's.
    - ``fire()`` takes a savepoint before each transition so that a refusal can roll back
      what the guards and effects touched. A savepoint pickles every object changed since
      the previous one (the index and journal buckets, again and again): 90 % of the build's
      time, ~11 ms a transition. A refusal stops this build anyway, so no savepoint is taken.
    """
    real_pdf, real_html = archive.render_pdf, archive.render_log_html
    html_done, pdf_done = [], []

    def html_once(log, locale_name=archive.DEFAULT_LOCALE) -> str:
        if html_done:
            return ""
        html_done.append(True)
        return real_html(log, locale_name)

    def pdf_once(html: str) -> bytes:
        if not pdf_done:
            pdf_done.append(real_pdf(html))
        return pdf_done[0]

    archive.render_pdf, archive.render_log_html = pdf_once, html_once
    worker = getattr(archive, "WORKER", None)
    real_submit = getattr(worker, "submit", None)
    if real_submit is not None:
        worker.submit = lambda db, archived: None
    real_savepoint = getattr(engine, "_savepoint", None)
    if real_savepoint is not None:
        engine._savepoint = lambda obj: None
    else:
        print("note: workflows.engine has no _savepoint any more; building with savepoints")

    def restore() -> None:
        archive.render_pdf, archive.render_log_html = real_pdf, real_html
        if real_submit is not None:
            del worker.submit  # the instance attribute hid the class's method
        if real_savepoint is not None:
            engine._savepoint = real_savepoint

    return restore


def build_database(folder: str, sizes: list[int]) -> list[dict]:
    path = os.path.join(folder, "Data.fs")
    db = DB(FileStorage.FileStorage(path), cache_size=CACHE)
    conn = db.open()
    root = app_root(conn)
    transaction.commit()
    day = today()
    fnrs = {"child": fnr_source(years_before(day, 14), years_before(day, 3)),
            "adult": fnr_source(dt.date(1965, 1, 1), dt.date(1995, 1, 1))}
    password_hash = hash_password(PASSWORD)
    restore = build_shortcuts()
    last = [0.0]

    def progress(slug, n, total, seconds):
        if seconds - last[0] >= 15 or n == total:
            last[0] = seconds
            print(f"  {slug}: {n:>7} of {total} logs, {seconds:6.1f} s "
                  f"({1000 * seconds / n:.1f} ms a log)", flush=True)

    infos = []
    try:
        for k, size in enumerate(sizes):
            started = time.perf_counter()
            last[0] = 0.0
            builder = Builder(root, f"bench{k}", size, password_hash, fnrs, seed=7 + k)
            info = builder.build(progress)
            info["build_seconds"] = time.perf_counter() - started
            infos.append(info)
            print(f"built {info['logs']} logs ({info['unit_logs']} in the leader's unit) in "
                  f"{info['build_seconds']:.0f} s", flush=True)
    finally:
        restore()
        conn.close()
        db.close()
    with open(os.path.join(folder, "bench.json"), "w") as out:
        json.dump(infos, out)
    print(f"Data.fs: {os.path.getsize(path) / 1e6:.0f} MB", flush=True)
    return infos


# -- measuring ---------------------------------------------------------------------------
def make_app(folder: str):
    from stafett import main

    settings = {
        "zodbconn.uri": f"file://{folder}/Data.fs?connection_cache_size={CACHE}",
        "tm.manager_hook": "pyramid_tm.explicit_manager",
        "retry.attempts": "3",
        "pyramid.default_locale_name": "nb",
        "stafett.session_secret": "bench-secret",
        "stafett.local_login": "all",
        "stafett.mail_delivery": "files",
        "mail.top_level_directory": os.path.join(folder, "mail"),
        "stafett.access_journal": f"sqlite://{folder}/access.sqlite",
        "stafett.nightly": "off",
    }
    return main({}, **settings)


def close_app(app) -> None:
    for database in app.registry._zodb_databases.values():
        database.close()
    journal = getattr(app.registry, "access_journal", None)
    if journal is not None:
        journal.close()


def logged_in(app, username: str) -> webtest.TestApp:
    client = webtest.TestApp(app)
    form = client.get("/login").forms["deform"]
    form["username"] = username
    form["password"] = PASSWORD
    form["otp"] = ""
    answer = form.submit("submit")
    assert answer.status_int == 303, f"login as {username} failed"
    return client


def page_path(info: dict, template: str) -> str:
    if template == "/":
        return "/"
    unit = f"/{info['slug']}/units/{info['unit']}"
    log = f"/{info['slug']}/logs/{info['held'][0]}/"
    return template.format(unit=unit, log=log)


def get(client, path: str) -> tuple[float, int, int]:
    """Milliseconds, bytes and rows (table rows and articles) of one GET."""
    start = time.perf_counter()
    body = client.get(path).body
    rows = body.count(b"<tr") + body.count(b"<article")
    return (time.perf_counter() - start) * 1000, len(body), rows


def profile_page(client, path: str, top: int = 18) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(path)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(r"stafett|chameleon|BTrees|ZODB", top)
    return out.getvalue()


def measure(app, infos: list[dict], repeats: int, warmup: int, profile: bool) -> dict:
    """Each page, small and large in turn (so both see the same machine), ``warmup`` times
    untimed, then ``repeats`` times: the median milliseconds and the bytes."""
    clients = {info["slug"]: {who: logged_in(app, info[who]) for who in ("holder", "leader")}
               for info in infos}
    figures = {info["slug"]: {} for info in infos}
    for label, who, template in PAGES:
        paths = {info["slug"]: page_path(info, template) for info in infos}
        times = {slug: [] for slug in paths}
        sizes = dict.fromkeys(paths, (0, 0))
        try:
            for round_ in range(warmup + repeats):
                for slug, path in paths.items():
                    ms, *sizes[slug] = get(clients[slug][who], path)
                    if round_ >= warmup:
                        times[slug].append(ms)
        except webtest.AppError as exc:  # the app changed under the benchmark: go on
            print(f"  {label}: {str(exc).splitlines()[0]}", flush=True)
            times = {slug: [float("nan")] for slug in paths}
        for slug in paths:
            figures[slug][label] = (statistics.median(times[slug]), *sizes[slug])
        print("  " + "   ".join(f"{figures[i['slug']][label][0]:8.1f} ms at {i['logs']:>6}"
                                for i in infos) + f"   {label}", flush=True)
    if profile:
        info = infos[-1]
        for label, who, template in PAGES:
            print(f"\n== cProfile, {label}, {info['logs']} logs ==")
            print(profile_page(clients[info["slug"]][who], page_path(info, template)))
    return figures


def _verdict(ta: float, tb: float, rows_a: int, rows_b: int) -> str:
    if tb != tb:
        return "  failed"
    if tb / ta <= GOAL:
        return "  ok"
    if rows_b > rows_a > 0 and (tb / rows_b) / (ta / rows_a) <= GOAL:
        return "  ok per row shown"
    return "  over the goal"


def report(infos: list[dict], figures: dict) -> None:
    small, large = infos[0], infos[-1]
    a, b = figures[small["slug"]], figures[large["slug"]]
    print()
    print(f"{'page':26} {'ms at ' + str(small['logs']):>14} {'ms at ' + str(large['logs']):>14}"
          f" {'ratio':>7}   {'KB small':>9} {'KB large':>9} {'rows':>11}")
    for label, _who, _template in PAGES:
        (ta, sa, ra), (tb, sb, rb) = a[label], b[label]
        print(f"{label:26} {ta:14.1f} {tb:14.1f} {tb / ta:7.2f}   {sa / 1000:9.1f} "
              f"{sb / 1000:9.1f} {f'{ra}/{rb}':>11}{_verdict(ta, tb, ra, rb)}")
    print(f"\nGoal (issue 9): a front page (and a console page, a log page) costs at most "
          f"{GOAL}× as much in the large municipality as in the small one; where the large "
          f"one's page shows more rows (a page of a list the small one cannot fill), the "
          f"cost per row shown.")
    print(f"The holder holds {HELD} logs in both; the leader's unit holds "
          f"{small['unit_logs']} and {large['unit_logs']} logs.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, help="small and large (1000 100000)")
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 logs")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--keep", metavar="DIR",
                        help="build the database in DIR and keep it; reuse it if it is there")
    parser.add_argument("--profile", action="store_true",
                        help="print a cProfile of each page at the large size")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([1000, 10000] if args.quick else [1000, 100000])
    if len(sizes) != 2:
        parser.error("give two sizes: small and large")

    folder = args.keep or tempfile.mkdtemp(prefix="stafett-front-page-")
    os.makedirs(folder, exist_ok=True)
    try:
        saved = os.path.join(folder, "bench.json")
        if args.keep and os.path.exists(saved):
            with open(saved) as found:
                infos = json.load(found)
            print(f"reusing {folder}: {', '.join(str(i['logs']) for i in infos)} logs")
        else:
            print(f"building {sizes[0]} and {sizes[1]} logs in {folder}", flush=True)
            infos = build_database(folder, sizes)
        app = make_app(folder)
        try:
            figures = measure(app, infos, args.repeats, args.warmup, args.profile)
        finally:
            close_app(app)
        for info in infos:
            print(f"build: {info['logs']} logs in {info['build_seconds']:.0f} s")
        report(infos, figures)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
