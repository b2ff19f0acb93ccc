"""The daily run: consents past their expiry become *expired* (R10), actors are reminded
before evaluation deadlines and unit leaders before consents expire (R37).

Each reminder is sent once: the measure or consent remembers the day it was reminded.
Everything is found through the deadline and expiry indexes, never by walking the logs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..security import SYSTEM
from ..services import archive, copies, notify
from .engine import fire

REMIND_ACTORS_DAYS = 7
REMIND_LEADERS_DAYS = 30


@dataclass
class DailyReport:
    expired: int = 0
    actors_reminded: int = 0
    leaders_reminded: int = 0
    archives_produced: int = 0  # copies whose PDF a worker did not make (R35)
    yearly_copies: int = 0  # running logs whose yearly archive copy fell due (R35)


def run_daily(municipality, today: dt.date, mailer=None) -> DailyReport:
    """``mailer``: a ``notify.Notifier`` (mail, SMS and failures), a bare mailer, or None
    to record the reminders on the logs only."""
    report = DailyReport()
    report.expired = _expire_consents(municipality, today)
    report.actors_reminded = _remind_actors(municipality, today, mailer)
    report.leaders_reminded = _remind_leaders(municipality, today, mailer)
    report.archives_produced = archive.produce_pending(municipality)
    # After the leftovers: the new copies' PDFs are made by the worker once this commits.
    report.yearly_copies = copies.yearly_copies(municipality, today)
    return report


def _expire_consents(municipality, today: dt.date) -> int:
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    due = list(municipality.index.consents_expiring(yesterday))
    for _, log_id, consent_id in due:
        fire(municipality.logs[log_id].consents[consent_id], "expire", SYSTEM,
             reason="expiry_date_passed")
    return len(due)


def _remind_actors(municipality, today: dt.date, mailer) -> int:
    until = (today + dt.timedelta(days=REMIND_ACTORS_DAYS)).isoformat()
    sent = 0
    for _, log_id, concern_id, measure_id in municipality.index.measures_due(
            until, today.isoformat()):
        log = municipality.logs[log_id]
        measure = log.concerns[concern_id].measures[measure_id]
        actor = municipality.employee(measure.actor_id)
        if log.state in ("active", "reopened") and actor is not None \
                and getattr(measure, "reminded_on", None) is None:
            notify.evaluation_due(log, measure, actor, mailer)
            measure.reminded_on = today
            sent += 1
    return sent


def _remind_leaders(municipality, today: dt.date, mailer) -> int:
    until = (today + dt.timedelta(days=REMIND_LEADERS_DAYS)).isoformat()
    sent = 0
    for _, log_id, consent_id in municipality.index.consents_expiring(until, today.isoformat()):
        log = municipality.logs[log_id]
        consent = log.consents[consent_id]
        leaders = municipality.unit_leaders(log.unit_id)
        if leaders and getattr(consent, "reminded_on", None) is None:
            notify.consent_expiring(log, consent, leaders, mailer)
            consent.reminded_on = today
            sent += 1
    return sent
