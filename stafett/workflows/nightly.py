"""The nightly run: named steps done in order for one night (an Oslo date), each recorded in
the shared record ``AppRoot.nightly`` (``models/nightly.py``) when it is done.

- ``daily/<slug>``: consent expiry, reminders and archive PDFs of one municipality (R10, R37,
  R35), done in the same transaction that records the step, so it is done exactly once;
- ``login-sessions``: forget login sessions that ended a day ago;
- ``seal-journals`` and ``seal-access``: seal the municipalities' journals and the access
  journal;
- ``archive-delivery``: deliver the archive copies due to the municipal archive (R35);
- ``pack``: pack the storage and remove what FileStorage leaves beside it (R17).

A night is *claimed* in one transaction that writes the record: two processes claiming at
once meet a conflict and only one goes on. A run that failed, or whose process stopped
showing signs of life for ``LEASE``, can be claimed again and goes on with the steps not yet
done. Summaries hold counts and codes only, never anything about a child.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

import transaction

from .. import storage
from ..login_sessions import LoginSessions
from ..models.base import utcnow
from ..models.nightly import NightRun, StepDone
from ..services.mail import mailer_from_settings
from ..services.notice_failures import NoticeFailures
from ..services.notify import Notifier
from ..services.sealing import seal_access, seal_all
from ..services.sms import sms_from_settings
from .daily import run_daily

log = logging.getLogger(__name__)

LEASE = dt.timedelta(hours=2)  # a run with no step done for this long has died
ATTEMPTS = 5  # conflicts with requests writing the same objects are retried this often


@dataclass
class Context:
    """What the steps work with: the database, the settings and the access journal."""

    db: object
    settings: dict
    access: object
    night: dt.date


@dataclass(frozen=True)
class Step:
    name: str
    work: Callable[[Context, object], str]  # (context, app root) -> summary
    joint: bool = False  # done inside the transaction that records it (exactly once)


@dataclass
class Outcome:
    """What one call did: ``ran`` (this call worked on the night), ``done`` (finished
    before) or ``busy`` (another process is working on it)."""

    night: dt.date
    state: str
    process: str = ""
    steps: list[tuple[str, str]] = field(default_factory=list)  # done by this call
    skipped: list[str] = field(default_factory=list)  # done before, by an earlier call
    failed: str | None = None

    def to_json(self) -> dict:
        return {**dataclasses.asdict(self), "night": self.night.isoformat()}

    @classmethod
    def from_json(cls, data: dict) -> Outcome:
        return cls(**{**data, "night": dt.date.fromisoformat(data["night"]),
                      "steps": [tuple(pair) for pair in data["steps"]]})

    def lines(self) -> list[str]:
        head = {"ran": "ran", "done": "was already done",
                "busy": "is being run by another process"}[self.state]
        lines = [f"night {self.night.isoformat()} {head} ({self.process})"]
        lines += [f"  {name}: {summary}" for name, summary in self.steps]
        lines += [f"  {name}: done before" for name in self.skipped]
        if self.failed:
            lines.append(f"  FAILED {self.failed}")
        return lines


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# -- the steps -----------------------------------------------------------------------------
def _daily(slug: str) -> Callable[[Context, object], str]:
    def work(ctx: Context, root) -> str:
        manager = root._p_jar.transaction_manager
        # Mail and SMS go when the step's transaction commits, never for work rolled back.
        notifier = Notifier(mailer_from_settings(ctx.settings).bind(transaction_manager=manager),
                            sms_from_settings(ctx.settings), NoticeFailures(ctx.access.backend),
                            ctx.settings.get("stafett.public_url", "/"), manager)
        report = run_daily(root[slug], ctx.night, notifier)
        return (f"expired={report.expired} actors_reminded={report.actors_reminded} "
                f"leaders_reminded={report.leaders_reminded} "
                f"archives_produced={report.archives_produced} "
                f"yearly_copies={report.yearly_copies}")
    return work


def _login_sessions(ctx: Context, _root) -> str:
    return f"pruned={LoginSessions(ctx.access.backend).prune()}"


def _seal_journals(ctx: Context, _root) -> str:
    sealed = seal_all(ctx.db)
    return f"sealed={sum(sealed.values())} journals={len(sealed)}"


def _seal_access(ctx: Context, _root) -> str:
    return f"sealed={seal_access(ctx.access)}"


def _pack(ctx: Context, _root) -> str:
    days = float(ctx.settings.get("stafett.pack_days", 0))
    return f"packed days={days:g} leftovers_cleaned={len(storage.pack(ctx.db, days))}"


def _archive_delivery(ctx: Context, _root) -> str:
    from ..services import archive_delivery, archive_transport

    counts = archive_delivery.deliver_due(
        ctx.db, archive_transport.transport_from_settings(ctx.settings))
    return f"delivered={counts['delivered']} failed={counts['failed']}"


def plan(root) -> list[Step]:
    """Tonight's steps in order: one daily step per municipality, then the rest."""
    return [*(Step(f"daily/{slug}", _daily(slug), joint=True) for slug in root.keys()),
            Step("login-sessions", _login_sessions),
            Step("seal-journals", _seal_journals),
            Step("seal-access", _seal_access),
            Step("archive-delivery", _archive_delivery),  # before pack: delivered goes (R17)
            Step("pack", _pack)]


# -- claiming and running ------------------------------------------------------------------
def claimable(run: NightRun | None, night: dt.date, now: dt.datetime,
              again: bool = False) -> str | None:
    """None when ``night`` may be claimed, else why not: ``done`` or ``busy``. ``again``
    (the operator's word) claims a finished night anew and takes over an unfinished one."""
    if run is None or run.night != night or again:
        return None
    if run.finished is not None:
        return "done"
    if run.failed or now - last_sign_of_life(run) > LEASE:
        return None
    return "busy"


def last_sign_of_life(run: NightRun) -> dt.datetime:
    return max([run.started, *(done.finished for done in run.steps.values())])


def claim(root, night: dt.date, process: str, again: bool = False) -> str | None:
    """Take the night in the current transaction (the caller commits); None when taken,
    else why not. A fresh night (or ``again``) gets a new record; a failed or abandoned run
    is taken over and keeps its steps."""
    run = root.nightly
    refused = claimable(run, night, utcnow(), again)
    if refused:
        return refused
    if run is None or run.night != night or run.finished is not None:
        root.nightly = NightRun(night, process)
    else:
        run.process, run.failed = process, None
    return None


class Superseded(Exception):
    """Another process took the night over: this one stops."""


def run_night(db, settings: dict, access, night: dt.date, *, again: bool = False,
              steps: Callable[[object], list[Step]] = plan) -> Outcome:
    """Claim ``night`` and do its steps not yet done, each in its own transaction on a
    connection of its own; returns what was done. A failing step is recorded and stops
    the run (a later run goes on from it)."""
    process = process_name()
    manager = transaction.TransactionManager()
    conn = db.open(transaction_manager=manager)
    try:
        outcome = Outcome(night, "ran", process)
        refused = _in_transaction(manager, lambda: claim(storage.app_root(conn), night,
                                                         process, again))
        if refused:
            run = storage.app_root(conn).nightly
            manager.abort()
            return Outcome(night, refused, run.process, skipped=sorted(run.steps))
        ctx = Context(db, settings, access, night)
        for step in _in_transaction(manager, lambda: steps(storage.app_root(conn))):
            _do(step, ctx, conn, manager, outcome)
            if outcome.failed:
                return outcome
        _in_transaction(manager, lambda: _finish(storage.app_root(conn), process))
        return outcome
    except Superseded:
        outcome.state, outcome.failed = "busy", "superseded"
        return outcome
    finally:
        manager.abort()
        conn.close()


def _do(step: Step, ctx: Context, conn, manager, outcome: Outcome) -> None:
    done_before = _in_transaction(manager, lambda: step.name in storage.app_root(
        conn).nightly.steps)
    if done_before:
        outcome.skipped.append(step.name)
        return
    try:
        summary = None if step.joint else step.work(ctx, None)
        summary = _in_transaction(manager, lambda: _record(conn, step, ctx, summary,
                                                           outcome.process))
    except Superseded:
        raise
    except Exception as error:  # noqa: BLE001 - any failure is recorded, then the run stops
        outcome.failed = f"{step.name}: {type(error).__name__}"
        # The type only: an error's text may quote what it was working on.
        log.error("nightly step failed: %s", outcome.failed)
        _in_transaction(manager, lambda: _fail(storage.app_root(conn), outcome))
        return
    outcome.steps.append((step.name, summary))
    log.info("nightly step %s: %s", step.name, summary)


def _record(conn, step: Step, ctx: Context, summary: str | None, process: str) -> str:
    root = storage.app_root(conn)
    run = root.nightly
    if run is None or run.night != ctx.night or run.process != process:
        raise Superseded()
    # A takeover rewrites the run: then this commit conflicts instead of both going on.
    conn.readCurrent(run)
    if step.joint:
        summary = step.work(ctx, root)
    run.steps[step.name] = StepDone(summary)
    return summary


def _fail(root, outcome: Outcome) -> None:
    run = root.nightly
    if run is not None and run.process == outcome.process:
        run.failed = outcome.failed


def _finish(root, process: str) -> None:
    run = root.nightly
    if run is None or run.process != process:
        raise Superseded()
    run.finished = utcnow()


def _in_transaction(manager, work: Callable[[], object]) -> object:
    """``work`` in a transaction of its own, retried on conflicts (and on the lock errors
    RelStorage reports as retryable)."""
    for attempt in manager.attempts(ATTEMPTS):
        with attempt:
            result = work()
    return result
