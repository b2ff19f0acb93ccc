"""The nightly work inside every app process: a daemon thread that wakes every minute and,
once the Oslo clock has passed ``stafett.nightly_at`` (02:30 by default), runs the night
(``workflows/nightly.py``). All processes try; the claim lets one of them do it. On unless
``stafett.nightly = off`` (tests and benchmarks turn it off).

With a FileStorage this is the only way: nothing but the server may open the file."""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import threading
from collections.abc import Callable

from ..models.base import OSLO
from .nightly import Outcome, run_night

log = logging.getLogger(__name__)

CHECK_SECONDS = 60


def oslo_now() -> dt.datetime:
    return dt.datetime.now(OSLO)


class Scheduler:
    """``run(night)`` once a night, from the hour ``at`` on (Oslo time, ``clock``)."""

    def __init__(self, run: Callable[[dt.date], Outcome], at: dt.time,
                 clock: Callable[[], dt.datetime] = oslo_now,
                 every: float = CHECK_SECONDS) -> None:
        self.run, self.at, self.clock, self.every = run, at, clock, every
        self.handled: dt.date | None = None  # the last night this process saw done or ran
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def due(self) -> dt.date | None:
        now = self.clock()
        if now.time() >= self.at and now.date() != self.handled:
            return now.date()
        return None

    def tick(self) -> Outcome | None:
        night = self.due()
        if night is None:
            return None
        try:
            outcome = self.run(night)
        except Exception:  # noqa: BLE001 - the thread must live on to the next night
            log.exception("nightly run could not start")
            return None
        if outcome.state != "busy":  # a busy night is checked again: its process may die
            self.handled = night
        return outcome

    def loop(self) -> None:
        while not self.stopping.wait(self.every):
            self.tick()

    def start(self) -> None:
        self.thread = threading.Thread(target=self.loop, name="stafett-nightly", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout=5)


def parse_at(text: str) -> dt.time:
    return dt.time.fromisoformat(text.strip())


def includeme(config) -> None:
    """Start the scheduler unless ``stafett.nightly = off``; it stops when the process exits."""
    settings = config.get_settings()
    config.registry.nightly_scheduler = None
    if settings.get("stafett.nightly", "on").strip().lower() in ("off", "false", "no"):
        return
    db = config.registry._zodb_databases[""]
    access = config.registry.access_journal
    scheduler = Scheduler(lambda night: run_night(db, settings, access, night),
                          parse_at(settings.get("stafett.nightly_at", "02:30")))
    scheduler.start()
    atexit.register(scheduler.stop)
    config.registry.nightly_scheduler = scheduler
