"""Demo and test data are valid and unique on any date (R1), and the app keeps one employee
per fødselsnummer in a municipality."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
import transaction
from stdnum.no import fodselsnummer
from ZODB import DB
from ZODB.MappingStorage import MappingStorage

from stafett.scripts.demo import load_demo, make_fnr, years_ago
from stafett.storage import app_root

# Dates that broke the old generator or the calendar arithmetic: a leap day, a year's ends,
# and the day the duplicate fødselsnummer was found.
MOVED_CLOCKS = [dt.date(2028, 2, 29), dt.date(2026, 12, 31), dt.date(2027, 1, 1),
                dt.date(2026, 11, 24), dt.date(2031, 6, 15)]


@pytest.mark.parametrize("born", [dt.date(2015, 5, 17), dt.date(1986, 11, 24),
                                  dt.date(2000, 1, 1)])
def test_make_fnr_gives_distinct_valid_numbers_for_distinct_serials(born):
    numbers = [make_fnr(born, serial) for serial in range(200)]
    assert len(set(numbers)) == 200
    assert all(fodselsnummer.is_valid(n) and fodselsnummer.get_birth_date(n) == born
               for n in numbers)


@pytest.mark.parametrize("day", MOVED_CLOCKS, ids=str)
def test_demo_people_have_unique_fodselsnummer_on_any_date(day):
    with time_machine.travel(dt.datetime.combine(day, dt.time(12)), tick=False):
        assert dt.date.today() == day
        assert years_ago(9).year in (day.year - 9, day.year - 10)
        database = DB(MappingStorage())
        try:
            with transaction.manager:
                root = app_root(database.open())
                load_demo(root, password="x")
                municipality = root["demo"]
                employees = [e.fnr for e in municipality.employees.values()]
                subjects = [log.subject.fnr for log in municipality.logs.values()]
        finally:
            database.close()
    numbers = employees + subjects
    assert len(numbers) > 15 and len(set(numbers)) == len(numbers)


def test_r1_a_second_employee_with_the_same_fodselsnummer_is_refused(world):
    from stafett.models import DomainError
    from stafett.services import staff

    taken = world.emp(world.actor).fnr
    data = {"name": "Dobbel Person", "fnr": taken, "may_act": True}
    with pytest.raises(DomainError) as refused:
        staff.add_employee(world.kinder, data, world.leader)
    assert refused.value.msg == "adm_fnr_taken"
    assert "Dobbel Person" not in {e.name for e in world.m.employees.values()}


def test_r1_changing_to_a_taken_fodselsnummer_changes_nothing(world):
    from stafett.models import DomainError
    from stafett.services import staff

    actor, other = world.emp(world.actor), world.emp(world.actor2)
    before = (actor.name, actor.fnr)
    with pytest.raises(DomainError):
        staff.update_employee(actor, {"name": "Nytt Navn", "fnr": other.fnr}, world.leader)
    assert (actor.name, actor.fnr) == before
    assert world.m.employee_by_fnr[other.fnr] == other.id
    fresh = make_fnr(years_ago(33), 1)
    staff.update_employee(actor, {"fnr": fresh}, world.leader)
    assert world.m.employee_by_fnr[fresh] == actor.id and before[1] not in world.m.employee_by_fnr
