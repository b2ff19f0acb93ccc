"""The record of the nightly work (consent expiry and reminders, journal sealing, pack):
which night ran last, which process claimed it, and when each step finished. It lives at
``AppRoot.nightly``; the superuser's page and the health endpoint read it.

One record, rewritten by the process that claims a night: two processes claiming the same
night write the same object, so one of them meets a conflict and leaves the night to the
other (at most once per night across all app processes)."""

from __future__ import annotations

import datetime as dt

from persistent import Persistent
from persistent.mapping import PersistentMapping

from .base import utcnow


class StepDone(Persistent):
    def __init__(self, summary: str) -> None:
        self.finished = utcnow()
        self.summary = summary  # counts and codes only, never a name


class NightRun(Persistent):
    def __init__(self, night: dt.date, process: str) -> None:
        self.night = night  # the Oslo date the run belongs to
        self.process = process  # host and pid, for the operator
        self.started = utcnow()
        self.finished: dt.datetime | None = None
        self.steps = PersistentMapping()  # step name -> StepDone; a restart skips these
        self.failed: str | None = None  # "step: ErrorType" of the last failure, if any


def last_run(root) -> NightRun | None:
    """The latest night claimed, finished or not (None before the first)."""
    return getattr(root, "nightly", None)
