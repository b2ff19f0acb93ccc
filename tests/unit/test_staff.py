"""Staff of a unit: exact fødselsnummer, deactivation only without a held baton, leaders
appointed by the superuser (R1, R6, R21)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from stafett.models import DomainError, Transfer, TransferKind
from stafett.scripts.demo import make_fnr, years_ago
from stafett.security import account_is_usable
from stafett.services import staff
from stafett.workflows import fire, propose_transfer


def _data(**kw) -> dict:
    data = {"name": "Nora Ny", "fnr": make_fnr(years_ago(30), 5), "email": "", "phone": "",
            "may_act": True, "may_hold": True}
    data.update(kw)
    return data


def test_r1_add_employee_refuses_a_wrong_check_digit(world):
    good = make_fnr(years_ago(30), 5)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(DomainError) as refused:
        staff.add_employee(world.school, _data(fnr=bad), world.leader)
    assert refused.value.msg == "fnr_checksum"
    assert "Nora Ny" not in {e.name for e in world.school.employees.values()}


def test_r1_add_employee_with_login_and_flags(world):
    nora = staff.add_employee(world.school, _data(username="nora", may_act=False), world.leader)
    assert world.m.employee(nora.id) is nora and nora.unit is world.school
    assert (nora.may_hold, nora.may_act) == (True, False)
    assert world.root.accounts["nora"].employee_id == nora.id
    with pytest.raises(DomainError) as taken:
        staff.add_employee(world.school, _data(name="Other", username="nora"), world.leader)
    assert taken.value.msg == "adm_username_taken"


def test_r1_update_employee_validates_fnr(world):
    actor = world.emp(world.actor)
    with pytest.raises(DomainError):
        staff.update_employee(actor, {"fnr": "12345678901"}, world.leader)
    staff.update_employee(actor, {"phone": "+47 1", "may_hold": True}, world.leader)
    assert actor.phone == "+47 1" and actor.may_hold


def test_r21_deactivation_refused_until_running_logs_are_transferred(world):
    log = world.active()
    holder = world.emp(world.holder)
    request = SimpleNamespace(app_root=world.root)
    with pytest.raises(DomainError) as refused:
        staff.deactivate(holder, world.leader)
    assert refused.value.msg == "adm_deactivate_holds_logs"
    assert staff.held_logs(holder) == [log] and holder.active
    transfer = propose_transfer(log, Transfer(
        TransferKind.INTERNAL, "Slutter.", world.leader.uid, log.holder_id,
        to_employee_id=world.holder2.employee_id), world.leader)
    fire(transfer, "accept", world.holder2)
    staff.deactivate(holder, world.leader)
    assert not holder.active
    assert not account_is_usable(world.holder, request)
    assert log.holder_id == world.holder2.employee_id and len(log.history) > 2


def test_deactivated_holder_keeps_draft_and_its_history(world):
    draft = world.draft()
    history = len(draft.history)
    staff.deactivate(world.emp(world.holder), world.leader)
    assert draft.holder_id == world.holder.employee_id and len(draft.history) == history
    staff.reactivate(world.emp(world.holder), world.leader)
    assert account_is_usable(world.holder, SimpleNamespace(app_root=world.root))


def test_r1_superuser_appoints_and_replaces_a_leader(world):
    new = world.emp(world.holder2)
    staff.appoint_leader(world.school, new, world.leader)
    assert {e.id for e in world.m.unit_leaders(world.school.id)} == {
        new.id, world.leader.employee_id}
    staff.appoint_leader(world.school, new, world.leader, replace=True)
    assert [e.id for e in world.m.unit_leaders(world.school.id)] == [new.id]
    with pytest.raises(DomainError):
        staff.appoint_leader(world.kinder, new, world.leader)


def test_staff_changes_are_journaled_without_names(world):
    before = len(world.m.journal)
    staff.add_employee(world.school, _data(), world.leader)
    entry = list(world.m.journal.entries())[-1][1]
    assert len(world.m.journal) == before + 1
    assert entry["kind"] == "staff_added" and "Nora" not in repr(entry)
