"""Who someone is follows from the fødselsnummer ID-porten gives (R1, R5, R9): no account is
made by hand. An employee added by a leader, a guardian whose number is on a log and a youth
from 16 each get an account at their first login; a person with none of these roles gets
none. Guardians whose number the holder does not know are invited by e-mail
(``workflows.invitation``)."""

from __future__ import annotations

from ..models.base import new_id
from ..models.identity import age_on
from ..models.indexes import person_key
from ..models.log import Log
from ..models.org import Account, AccountKind, AppRoot
from ..security import GUARDIAN, SUBJECT_LOGIN_AGE, family_roles


def sign_in(root: AppRoot, fnr: str) -> Account | None:
    """The person's account, made or brought up to date from their roles; None if they have
    no role in any municipality (the caller journals the attempt)."""
    employee = _employee(root, fnr)
    account = _account(root, fnr, employee)
    if employee is not None:
        _keep(account, kind=AccountKind.EMPLOYEE, municipality=employee.unit.municipality.id,
              employee_id=employee.id, display_name=employee.name)
        return account
    family = _family_log(root, fnr, account)
    if family is None:
        return account if _has_asked(root, account) else None
    role = family_roles(account, family)
    kind = AccountKind.GUARDIAN if GUARDIAN in role else AccountKind.SUBJECT
    _keep(account, kind=kind, municipality=family.municipality.id, employee_id=None)
    return account


def _real_municipalities(root: AppRoot):
    """R43: an ID-porten login never lands in a practice municipality, whatever number was
    typed there."""
    return (m for m in root.values() if m.practice_of is None)


def _employee(root: AppRoot, fnr: str):
    for municipality in _real_municipalities(root):
        employee = municipality.employee(municipality.employee_by_fnr.get(fnr))
        if employee is not None and employee.active:
            return employee
    return None


def _account(root: AppRoot, fnr: str, employee) -> Account:
    """The account found by number, else the employee's local account (which then learns
    the number), else a new one, kept in the root only once it has a role."""
    username = (root.accounts_by_fnr.get(person_key(fnr))
                or (employee.username if employee else None))
    account = root.accounts.get(username or "")
    if account is None:
        account = Account(f"id-{new_id()}", "", AccountKind.GUARDIAN, "", "")
    if account.fnr != fnr:
        account.fnr = fnr
    return account


def _family_log(root: AppRoot, fnr: str, account: Account) -> Log | None:
    for municipality in _real_municipalities(root):
        for log_id in municipality.index.ids("account", person_key(fnr)):
            log = municipality.logs.get(log_id)
            if log is not None and log.state != "draft" and family_roles(account, log):
                return log
    return None


def _has_asked(root: AppRoot, account: Account) -> bool:
    """R41: a family who asked a unit for a log keeps their login to follow the answer."""
    return any(account.username in m.log_requests_by_asker for m in root.values())


def sign_in_to_ask(root: AppRoot, fnr: str, municipality: str) -> Account | None:
    """R41: a person who logs in to ask ``municipality`` for a log: their account as
    ``sign_in`` finds it, or else a new family account there; None under 16, who may
    not ask (a guardian or the school asks for them)."""
    account = sign_in(root, fnr)
    if account is not None:
        return account
    if age_on(fnr) < SUBJECT_LOGIN_AGE:  # R9: a youth asks for themselves from 16
        return None
    if getattr(root.get(municipality), "practice_of", None) is not None:
        return None
    account = _account(root, fnr, None)
    _keep(account, kind=AccountKind.GUARDIAN, municipality=municipality, employee_id=None)
    return account


def _keep(account: Account, **values) -> None:
    """Writes only what changed: a returning person's login writes nothing here."""
    for name, value in values.items():
        if getattr(account, name) != value:
            setattr(account, name, value)


def register(root: AppRoot, account: Account) -> None:
    """An account made at login enters the root with its number (after its roles are known)."""
    if root.accounts.get(account.username) is not account:
        root.accounts[account.username] = account
    key = person_key(account.fnr) if account.fnr else None
    if key and root.accounts_by_fnr.get(key) != account.username:
        root.accounts_by_fnr[key] = account.username
