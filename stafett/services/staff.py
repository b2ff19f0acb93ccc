"""The municipality's organisation: units, their staff and leaders (R1, R6, R21, R36).

A deactivated employee can no longer log in (``security.account_is_usable``); the logs they
hold keep their history and holder until a leader transfers them.
"""

from __future__ import annotations

import re

from ..models.base import DomainError
from ..models.identity import validate_fnr
from ..models.indexes import person_key
from ..models.org import Account, AccountKind, Employee, Municipality, ServiceType, Unit
from .people import register

# A holder's baton may not be dropped: these logs must be transferred first (R21).
BATON_STATES = ("active", "reopened")


def add_employee(unit: Unit, data: dict, actor) -> Employee:
    """A new employee of the unit; with a username, also their login account."""
    root = unit.municipality.__parent__
    username = (data.get("username") or "").strip()
    if username and root is not None and username in root.accounts:
        raise DomainError("adm_username_taken", rule="R1")
    employee = unit.add_employee(Employee(
        data["name"], data["fnr"], data.get("email") or "", data.get("phone") or "",
        may_act=data.get("may_act", False), may_hold=data.get("may_hold", False),
        is_leader=data.get("is_leader", False), username=username or None))
    if username and root is not None:
        # No password: the login is ID-porten in production (R39); locally set by operators.
        account = Account(username, "", AccountKind.EMPLOYEE, unit.municipality.id,
                          employee.name, employee.id)
        account.fnr = employee.fnr
        _register(root, account, unit.municipality)
    _journal(unit, "staff_added", employee, actor)
    return employee


def update_employee(employee: Employee, data: dict, actor) -> Employee:
    """Refused as a whole (nothing changed) when the new fødselsnummer is taken (R1)."""
    municipality = employee.unit.municipality
    fnr = validate_fnr(data["fnr"]) if "fnr" in data else employee.fnr
    municipality.check_fnr_free(fnr, employee.id)
    for name in ("name", "email", "phone", "may_act", "may_hold"):
        if name in data:
            setattr(employee, name, data[name])
    old_fnr, employee.fnr = employee.fnr, fnr
    municipality.register_employee(employee, old_fnr=old_fnr)
    account = _account(employee)
    if account is not None:
        account.display_name = employee.name
        root = municipality.__parent__
        old_key = person_key(account.fnr) if account.fnr and account.fnr != fnr else None
        if old_key and root.accounts_by_fnr.get(old_key) == account.username:
            del root.accounts_by_fnr[old_key]
        account.fnr = fnr
        _register(root, account, municipality)
    _journal(employee.unit, "staff_changed", employee, actor)
    return employee


def held_logs(employee: Employee, states=BATON_STATES) -> list:
    """Logs this employee holds in the given states, from the holder index."""
    municipality = employee.unit.municipality
    logs = (municipality.logs.get(i) for i in municipality.index.ids("holder", employee.id))
    return [log for log in logs if log is not None and log.state in states]


def deactivate(employee: Employee, actor) -> None:
    """Refused while the employee holds running logs: those must be transferred first."""
    if held_logs(employee):
        raise DomainError("adm_deactivate_holds_logs", rule="R21")
    employee.active = False
    _journal(employee.unit, "staff_deactivated", employee, actor)


def reactivate(employee: Employee, actor) -> None:
    employee.active = True
    _journal(employee.unit, "staff_reactivated", employee, actor)


def appoint_leader(unit: Unit, employee: Employee, actor, *, replace: bool = False) -> None:
    """R1: the superuser appoints a unit leader, optionally in place of the present ones."""
    if employee.unit is not unit or not employee.active:
        raise DomainError("adm_leader_not_in_unit", rule="R1")
    if replace:
        for other in unit.employees.values():
            if other.is_leader and other is not employee:
                other.is_leader = False
                _journal(unit, "leader_removed", other, actor)
    employee.is_leader = True
    _journal(unit, "leader_appointed", employee, actor)


UNIT_FIELDS = ("name", "service", "org_number", "children")


def add_unit(municipality, data: dict, actor) -> Unit:
    """R1: the superuser adds a unit of the municipality."""
    unit = municipality.add_unit(Unit(*(data[name] for name in UNIT_FIELDS)))
    municipality.journal.append("unit_added", unit=unit.id, actor=getattr(actor, "uid", None))
    return unit


def change_unit(unit: Unit, data: dict, actor) -> None:
    """The superuser corrects a unit; its leader records the number of children (R36)."""
    for name in UNIT_FIELDS:
        if name in data:
            setattr(unit, name, data[name])
    unit.municipality.journal.append("unit_changed", unit=unit.id,
                                     actor=getattr(actor, "uid", None))


def _account(employee: Employee) -> Account | None:
    """The employee's login: a local one by username, an ID-porten one by number."""
    root = employee.unit.municipality.__parent__
    if root is None:
        return None
    username = employee.username or root.accounts_by_fnr.get(person_key(employee.fnr))
    return root.accounts.get(username or "")


def _register(root, account: Account, municipality: Municipality) -> None:
    """A practice municipality's logins are never found by fødselsnummer (R43): a number
    typed there must not turn someone's real ID-porten login into a practice one."""
    if municipality.practice_of is None:
        register(root, account)
    else:
        root.accounts[account.username] = account


def _journal(unit: Unit, kind: str, employee: Employee, actor) -> None:
    unit.municipality.journal.append(kind, unit=unit.id, employee=employee.id,
                                     actor=getattr(actor, "uid", None))


# -- a municipality from an empty database ----------------------------------------------------
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")
MUNICIPALITY_NUMBER = re.compile(r"\d{4}")
ADMIN_UNIT = "Kommuneadministrasjonen"


def found_municipality(root, slug: str, name: str, number: str) -> Municipality:
    """A new tenant (R1). Its people come later: a superuser, who adds units and leaders."""
    if not SLUG.fullmatch(slug) or slug in root:
        raise DomainError("adm_slug_invalid_or_taken", rule="R1")
    if not MUNICIPALITY_NUMBER.fullmatch(number) or any(
            m.number == number for m in root.values()):
        raise DomainError("adm_number_invalid_or_taken", rule="R1")
    if not name.strip():
        raise DomainError("adm_name_missing", rule="R1")
    municipality = root.add(Municipality(name.strip(), number), slug)
    municipality.journal.append("municipality_founded", actor=None)
    return municipality


def add_superuser(municipality, name: str, fnr: str, email: str = "",
                  unit_name: str = ADMIN_UNIT) -> Employee:
    """R1: a superuser by fødselsnummer (they log in with ID-porten), an employee of the
    administration unit, made the first time; an existing employee is made superuser."""
    fnr = validate_fnr(fnr)
    employee = municipality.employee(municipality.employee_by_fnr.get(fnr))
    if employee is None:
        unit = next((u for u in municipality.units.values() if u.name == unit_name), None)
        if unit is None:
            unit = add_unit(municipality, {"name": unit_name, "service": ServiceType.OTHER,
                                           "org_number": "", "children": 0}, None)
        employee = add_employee(unit, {"name": name, "fnr": fnr, "email": email,
                                       "is_leader": True}, None)
    municipality.superusers.add(employee.id)
    municipality.journal.append("superuser_added", employee=employee.id, actor=None)
    return employee
