"""R4: read access for a named employee rests on the family's consent to that access, and
ends when the consent is withdrawn or expires."""

from __future__ import annotations

import datetime as dt

import pytest

from stafett.models import ConsentScope, DomainError, ReadGrant
from stafett.models.base import today
from stafett.security import Permission, permits
from stafett.workflows import TransitionForbidden, fire
from stafett.workflows.grants import grant_read_access, narrow_grant, withdraw_grant


def _read_access(world, log, employee, **kw):
    return world.consent(log, scope=ConsentScope.READ_ACCESS,
                         grantee_id=world.emp(employee).id, **kw)


def test_r4_the_logs_creation_consent_carries_no_grant(world):
    log = world.active()
    creation = next(iter(log.consents.values()))
    with pytest.raises(DomainError) as refused:
        grant_read_access(log, ReadGrant(world.emp(world.ppt_actor).id, creation.id),
                          world.holder)
    assert (refused.value.rule, refused.value.msg) == ("R4", "grant_needs_consent")
    assert len(log.grants) == 0


def test_r4_a_consent_to_another_employees_access_carries_no_grant(world):
    log = world.active()
    for_someone_else = _read_access(world, log, world.actor)
    with pytest.raises(DomainError):
        grant_read_access(log, ReadGrant(world.emp(world.ppt_actor).id, for_someone_else.id),
                          world.holder)
    assert not permits(world.ppt_actor, log, Permission.VIEW)


def test_r4_a_grant_on_its_own_consent_opens_the_log_until_withdrawn(world):
    log = world.active()
    consent = _read_access(world, log, world.ppt_actor)
    ppt = world.emp(world.ppt_actor).id
    with pytest.raises(TransitionForbidden):  # only the holder grants (R2)
        grant_read_access(log, ReadGrant(ppt, consent.id), world.actor)
    grant = grant_read_access(log, ReadGrant(ppt, consent.id), world.holder)
    assert permits(world.ppt_actor, log, Permission.VIEW)
    with pytest.raises(DomainError) as twice:
        grant_read_access(log, ReadGrant(ppt, consent.id), world.holder)
    assert twice.value.msg == "grant_exists"
    fire(consent, "withdraw", world.holder)
    assert not grant.active and not permits(world.ppt_actor, log, Permission.VIEW)
    assert log.state == "active"  # not the log's basis


def test_r4_a_grant_ends_the_day_its_consent_expires_even_before_the_nightly_run(world):
    log = world.active()
    consent = _read_access(world, log, world.ppt_actor, days_ago=10,
                           expires=today() + dt.timedelta(days=1))
    grant_read_access(log, ReadGrant(world.emp(world.ppt_actor).id, consent.id), world.holder)
    assert permits(world.ppt_actor, log, Permission.VIEW)
    consent.expires = today() - dt.timedelta(days=1)  # the nightly expiry has not yet run
    assert consent.state == "given"
    assert not permits(world.ppt_actor, log, Permission.VIEW)


def test_r4_narrowing_keeps_the_log_s_own_concerns_and_withdrawing_ends_it(world):
    log = world.active()
    first, second = world.concern(log), world.concern(log, "Venner.")
    consent = _read_access(world, log, world.ppt_actor)
    grant = grant_read_access(log, ReadGrant(world.emp(world.ppt_actor).id, consent.id),
                              world.holder)
    narrow_grant(grant, [first.id, "not-in-this-log"], world.holder)
    assert list(grant.concern_ids) == [first.id]
    assert permits(world.ppt_actor, first, Permission.VIEW)
    assert not permits(world.ppt_actor, second, Permission.VIEW)
    withdraw_grant(grant, world.holder)
    assert not permits(world.ppt_actor, first, Permission.VIEW)
