"""R10, R37: the daily run expires consents and reminds actors and leaders, once each."""

from __future__ import annotations

import datetime as dt

from stafett.workflows.daily import run_daily

TODAY = dt.date.today()


def test_r10_a_consent_past_its_expiry_becomes_expired(world):
    log = world.active()
    consent = next(iter(log.consents.values()))
    consent.expires = TODAY - dt.timedelta(days=1)
    world.m.index.index_consent(log.id, consent)
    report = run_daily(world.m, TODAY)
    assert report.expired == 1 and consent.state == "expired"
    assert run_daily(world.m, TODAY).expired == 0


def test_r37_actors_are_reminded_once_before_the_evaluation_deadline(world):
    log = world.active()
    measure = world.measure(world.concern(log), world.actor)
    far = run_daily(world.m, measure.deadline - dt.timedelta(days=20))
    assert far.actors_reminded == 0
    near = run_daily(world.m, measure.deadline - dt.timedelta(days=3))
    assert near.actors_reminded == 1
    (message,) = [m for m in log.outbox.values() if m.kind == "evaluation_due"]
    assert message.recipients == ("actor@example.org",)
    assert measure.deadline.strftime("%d.%m.%Y") in message.body
    assert log.subject.name not in message.body
    assert run_daily(world.m, measure.deadline - dt.timedelta(days=2)).actors_reminded == 0


def test_r37_leaders_are_told_before_a_consent_expires(world):
    log = world.active()
    consent = next(iter(log.consents.values()))
    consent.expires = TODAY + dt.timedelta(days=10)
    world.m.index.index_consent(log.id, consent)
    assert run_daily(world.m, TODAY).leaders_reminded == 1
    (message,) = [m for m in log.outbox.values() if m.kind == "consent_expiring"]
    assert message.recipients == ("leader@example.org",)
    assert run_daily(world.m, TODAY).leaders_reminded == 0
