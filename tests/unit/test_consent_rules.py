"""R9-R12: who consents, consent as the basis of a log, new consent, withdrawal."""

from __future__ import annotations

import datetime as dt

import pytest

from stafett.models import Consent, ConsentForm, ConsentScope, ReadGrant, SubjectKind
from stafett.models.consent import consent_is_sufficient, required_parties
from stafett.models.files import StoredFile
from stafett.workflows import WorkflowError, fire, give_consent


def _consent(parties, scope=ConsentScope.CREATE, **kw):
    return Consent(parties, dt.date.today(), scope, **kw)


def test_r9_guardian_consents_for_a_child_under_16(world):
    log = world.draft(age=9)
    guardian_id = next(iter(log.guardians.keys()))
    assert required_parties(log)[0] == "one_guardian"
    assert consent_is_sufficient(log, _consent([guardian_id]))
    assert not consent_is_sufficient(log, _consent(["subject"]))


def test_r9_youth_from_16_consents_alone(world):
    log = world.draft(age=16, guardians=("guardian",))
    guardian_id = next(iter(log.guardians.keys()))
    assert required_parties(log) == ("subject", {"subject"})
    assert consent_is_sufficient(log, _consent(["subject"]))
    assert not consent_is_sufficient(log, _consent([guardian_id]))


def test_r9_pregnant_woman_consents_for_herself(world):
    log = world.draft(age=24, guardians=(), kind=SubjectKind.PREGNANT)
    assert consent_is_sufficient(log, _consent(["subject"]))


def test_r9_both_guardians_when_apart_and_child_lives_with_both(world):
    log = world.draft(age=8, guardians=("guardian", "guardian2"))
    log.guardians_live_together = False
    first, second = list(log.guardians.keys())
    assert required_parties(log)[0] == "all_guardians"
    assert not consent_is_sufficient(log, _consent([first]))
    assert consent_is_sufficient(log, _consent([first, second]))


def test_r9_one_guardian_suffices_when_child_lives_with_one(world):
    log = world.draft(age=8, guardians=("guardian", "guardian2"))
    log.guardians_live_together = False
    first, second = list(log.guardians.values())
    second.lives_with_child = False
    assert consent_is_sufficient(log, _consent([first.id]))


def test_r9_from_12_the_youths_own_consent_is_a_recorded_exception(world):
    thirteen = world.draft(age=13)
    assert not consent_is_sufficient(thirteen, _consent(["subject"]))
    assert consent_is_sufficient(
        thirteen, _consent(["subject"], exception_reason="Ungdommen ønsker ikke foreldrene med."))
    eleven = world.draft(age=11)
    assert not consent_is_sufficient(
        eleven, _consent(["subject"], exception_reason="Ønsker ikke foreldrene med."))


def test_r9_consent_from_the_wrong_people_is_refused_and_not_stored(world):
    log = world.draft(age=16, guardians=("guardian",))
    guardian_id = next(iter(log.guardians.keys()))
    with pytest.raises(WorkflowError) as refused:
        give_consent(log, _consent([guardian_id]), world.holder)
    assert refused.value.rule == "R9"
    assert len(log.consents) == 0


def test_r10_scanned_consent_needs_the_signed_form(world):
    log = world.draft()
    guardian_id = next(iter(log.guardians.keys()))
    with pytest.raises(WorkflowError) as refused:
        give_consent(log, _consent([guardian_id], form=ConsentForm.SCANNED), world.holder)
    assert refused.value.msg == "consent_scan_missing"
    scanned = _consent([guardian_id], form=ConsentForm.SCANNED)
    scanned.attachment = StoredFile(b"%PDF-1.4 signed", "samtykke.pdf")
    assert give_consent(log, scanned, world.holder).state == "given"


def test_r10_consent_cannot_be_dated_in_the_future(world):
    log = world.draft()
    guardian_id = next(iter(log.guardians.keys()))
    future = Consent([guardian_id], dt.date.today() + dt.timedelta(days=1), ConsentScope.CREATE)
    with pytest.raises(WorkflowError):
        give_consent(log, future, world.holder)


def test_r10_expired_consent_is_indexed_and_no_longer_valid(world):
    log = world.draft()
    consent = world.consent(log, days_ago=40, expires=dt.date.today() - dt.timedelta(days=1))
    assert not consent.is_valid_on(dt.date.today())
    expiring = list(world.m.index.consents_expiring(dt.date.today().isoformat()))
    assert expiring == [(consent.expires.isoformat(), log.id, consent.id)]
    from stafett.security import SYSTEM

    fire(consent, "expire", SYSTEM)
    assert consent.state == "expired"
    assert list(world.m.index.consents_expiring(dt.date.today().isoformat())) == []


def test_r10_a_consent_not_yet_expired_cannot_be_expired(world):
    from stafett.security import SYSTEM

    log = world.draft()
    consent = world.consent(log, expires=dt.date.today() + dt.timedelta(days=5))
    with pytest.raises(WorkflowError):
        fire(consent, "expire", SYSTEM)
    assert consent.state == "given"


def test_r10_only_the_scheduler_expires_consents(world):
    from stafett.workflows import TransitionForbidden

    log = world.draft()
    consent = world.consent(log, days_ago=10, expires=dt.date.today() - dt.timedelta(days=1))
    with pytest.raises(TransitionForbidden):
        fire(consent, "expire", world.holder)


def test_r11_involving_a_unit_needs_the_unit_named(world):
    log = world.active()
    guardian_id = next(iter(log.guardians.keys()))
    with pytest.raises(WorkflowError) as refused:
        give_consent(log, _consent([guardian_id], ConsentScope.INVOLVE_UNIT), world.holder)
    assert refused.value.rule == "R11"
    consent = give_consent(log, _consent([guardian_id], ConsentScope.INVOLVE_UNIT,
                                         unit_id=world.ppt.id), world.holder)
    assert consent.state == "given"


def test_r12_withdrawal_closes_the_log_at_once_and_is_documented(world):
    log = world.active()
    basis = next(iter(log.consents.values()))
    fire(basis, "withdraw", world.holder, how="oral", note="Mor ringte og trakk samtykket.")
    assert basis.state == "withdrawn"
    assert basis.withdrawn["how"] == "oral"
    assert log.state == "passive"
    records = [r for r in log.history.values() if r["trigger"] == "force_close"]
    assert records and records[0]["reason"] == "consent_withdrawn"
    assert log.has_archive()


def test_r12_withdrawal_ends_the_grants_that_rest_on_it(world):
    log = world.active()
    guardian_id = next(iter(log.guardians.keys()))
    involve = give_consent(log, _consent([guardian_id], ConsentScope.INVOLVE_UNIT,
                                         unit_id=world.ppt.id), world.holder)
    grant = log.grants.add(ReadGrant(world.ppt_actor.employee_id, involve.id))
    fire(involve, "withdraw", world.holder)
    assert not grant.active
    assert log.state == "active"  # that consent was not the log's basis
