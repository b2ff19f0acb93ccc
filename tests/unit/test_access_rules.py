"""R1-R8: who may read and write what, derived from the lineage and the log's state."""

from __future__ import annotations

import datetime as dt

import pytest

from stafett.models import DomainError, Glimpse, PrivateNote, ReadGrant
from stafett.models.identity import age_on, validate_fnr
from stafett.scripts.demo import make_fnr
from stafett.security import Permission as P
from stafett.security import permits


def test_r1_fodselsnummer_is_validated_exactly():
    good = make_fnr(dt.date(2015, 5, 17))
    assert validate_fnr(good[:6] + " " + good[6:]) == good
    broken = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(DomainError) as refused:
        validate_fnr(broken)
    assert refused.value.msg == "fnr_checksum"
    with pytest.raises(DomainError) as refused:
        validate_fnr(good[:10])
    assert refused.value.msg == "fnr_length"


def test_r1_d_numbers_are_accepted_and_give_the_age():
    from stdnum.no import fodselsnummer

    def with_check_digits(digits: str) -> str | None:
        k1 = fodselsnummer.calc_check_digit1(digits)
        k2 = fodselsnummer.calc_check_digit2(digits + k1) if len(k1) == 1 else "10"
        return digits + k1 + k2 if len(k1) == len(k2) == 1 else None

    # A D-number adds 4 to the first digit of the day: 45.01.10 is 5 January 2010.
    d_number = next(n for i in range(500, 1000) if (n := with_check_digits(f"450110{i:03d}")))
    assert validate_fnr(d_number) == d_number
    assert age_on(d_number, dt.date(2026, 1, 6)) == 16


def test_r2_only_the_holder_writes_content_others_contribute(world):
    log = world.active()
    concern = world.concern(log)
    world.measure(concern, world.actor)
    assert permits(world.holder, log, P.EDIT)
    for account in (world.actor, world.guardian, world.leader, world.holder2):
        assert not permits(account, log, P.EDIT)
    for account in (world.actor, world.guardian, world.holder):
        assert permits(account, log, P.CONTRIBUTE)
    for account in (world.leader, world.holder2, world.stranger):
        assert not permits(account, log, P.CONTRIBUTE)


def test_r3_an_actor_reads_the_header_and_only_concerns_with_their_measure(world):
    log = world.active()
    theirs, other = world.concern(log, "Lesing."), world.concern(log, "Venner.")
    world.measure(theirs, world.actor)
    assert permits(world.actor, log, P.VIEW_HEADER)
    assert not permits(world.actor, log, P.VIEW)
    assert permits(world.actor, theirs, P.VIEW)
    assert not permits(world.actor, other, P.VIEW)


def test_r4_a_grant_opens_the_whole_log_or_chosen_concerns_and_can_be_withdrawn(world):
    log = world.active()
    first, second = world.concern(log, "Lesing."), world.concern(log, "Venner.")
    consent_id = next(iter(log.consents.keys()))
    grant = log.grants.add(ReadGrant(world.ppt_actor.employee_id, consent_id, [first.id]))
    assert permits(world.ppt_actor, first, P.VIEW)
    assert not permits(world.ppt_actor, second, P.VIEW)
    assert not permits(world.ppt_actor, log, P.VIEW)
    grant.concern_ids.clear()  # widened to the whole log
    assert permits(world.ppt_actor, log, P.VIEW) and permits(world.ppt_actor, second, P.VIEW)
    grant.withdrawn = dt.datetime.now(dt.UTC)
    assert not permits(world.ppt_actor, log, P.VIEW_HEADER)


def test_r5_guardians_and_the_subject_read_the_whole_log(world):
    log = world.active(age=16, guardians=("guardian", "guardian2"), subject_username="youth")
    concern = world.concern(log)
    for account in (world.guardian, world.guardian2, world.youth):
        assert permits(account, log, P.VIEW) and permits(account, concern, P.VIEW)
    assert not permits(world.stranger, log, P.VIEW_HEADER)


def test_r6_unit_leaders_see_every_log_of_their_unit_including_passive(world):
    log = world.active()
    from stafett.workflows import fire

    fire(log, "close", world.holder)
    assert permits(world.leader, log, P.VIEW_HEADER)
    assert permits(world.leader, log, P.REOPEN)
    assert not permits(world.kinder_leader, log, P.VIEW_HEADER)
    assert permits(world.leader, world.school, P.ADMIN_UNIT)
    assert not permits(world.leader, world.kinder, P.ADMIN_UNIT)


def test_r6_leaders_read_content_only_with_a_supervisor_grant(world):
    log = world.active()
    assert not permits(world.leader, log, P.VIEW)
    log.grants.add(ReadGrant(world.leader.employee_id, next(iter(log.consents.keys())),
                             purpose="supervisor"))
    assert permits(world.leader, log, P.VIEW)


def test_r8_private_notes_are_visible_to_their_author_only(world):
    log = world.active()
    note = log.private_notes.add(PrivateNote("Husk å spørre om søvn.", "guardian"))
    assert permits(world.guardian, note, P.VIEW) and permits(world.guardian, note, P.EDIT_OWN)
    for account in (world.holder, world.leader, world.guardian2):
        assert not permits(account, note, P.VIEW)


def test_r30_the_author_edits_a_glimpse_others_do_not(world):
    log = world.active()
    glimpse = log.glimpses.add(Glimpse("Fin dag i dag!", "guardian", "guardian"))
    assert permits(world.guardian, glimpse, P.EDIT_OWN)
    assert not permits(world.holder, glimpse, P.EDIT_OWN)


def test_deactivated_employees_lose_every_role(world):
    log = world.active()
    world.emp(world.holder).active = False
    assert not permits(world.holder, log, P.VIEW_HEADER)


def test_superusers_administer_but_never_read_logs(world):
    world.m.superusers.insert(world.ppt_leader.employee_id)
    log = world.active()
    assert permits(world.ppt_leader, world.m, P.ADMIN_MUNICIPALITY)
    assert not permits(world.ppt_leader, log, P.VIEW_HEADER)
