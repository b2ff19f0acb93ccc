"""The practice municipality (kursløsning, R43): fictive families where staff rehearse and
draft before a real meeting.

It lives in the same database as the real municipality it serves, closed off from it
(``security._crosses_practice``); it sends no mail (``services.notify``). Its staff and
families are the demo's fictive ones; the real municipality's staff step in as one of them
(``views.practice``). A leader of it puts it back to the starting point: everything written
there is purged (R17) and the fictive families are built anew.
"""

from __future__ import annotations

from ..models.base import DomainError
from ..models.org import AccountKind, Municipality
from ..services.archive import produce_pending
from ..services.purge import erase_log
from .fictive import DemoBuilder

PRACTICE_NAME = "Kurskommune (øving)"
PRACTICE_SERIAL = 200  # fictive numbers apart from the demo's


def practice_slug(real_slug: str) -> str:
    return f"{real_slug}-kurs"


def account_prefix(slug: str) -> str:
    """Every fictive login of a practice municipality starts with this."""
    return f"{slug}."


def open_practice(root, real: Municipality) -> Municipality:
    """The real municipality's practice municipality, made and filled the first time."""
    if real.practice_of is not None:
        raise DomainError("practice_of_practice", rule="R43")
    if real.practice is not None and real.practice in root:
        return root[real.practice]
    slug = practice_slug(real.id)
    if slug in root:
        raise DomainError("adm_slug_invalid_or_taken", rule="R43")
    practice = _fill(root, slug, real.id)
    real.practice = slug
    practice.journal.append("practice_opened", actor=None)
    return practice


def reset_practice(practice: Municipality, actor) -> Municipality:
    """Back to the fictive starting point: every log, request, employee and login made
    there is gone; the fictive staff keep their logins (a session stays live)."""
    if practice.practice_of is None:
        raise DomainError("practice_only", rule="R43")
    root, slug = practice.__parent__, practice.id
    for log in list(practice.logs.values()):
        for guardian in log.guardians.values():
            root.invitations.pop(guardian.invitation or "", None)
        erase_log(log, getattr(actor, "uid", None), "practice_reset")
    _drop_accounts(root, practice)
    root.remove(slug)
    fresh = _fill(root, slug, practice.practice_of)
    fresh.journal.append("practice_reset", actor=getattr(actor, "uid", None))
    return fresh


def _fill(root, slug: str, real_slug: str) -> Municipality:
    practice = Municipality(PRACTICE_NAME)
    practice.practice_of = real_slug
    root.add(practice, slug)
    DemoBuilder(root, None, slug, account_prefix(slug), PRACTICE_SERIAL).fill(practice)
    produce_pending(practice)
    return practice


def _drop_accounts(root, practice: Municipality) -> None:
    """Logins made in the practice municipality: the families' (by the fictive prefix)
    and any an employee was given there; the fictive staff's stay for the new build."""
    prefix = account_prefix(practice.id)
    for username in list(root.accounts.keys(prefix, prefix + "\uffff")):
        if root.accounts[username].kind != AccountKind.EMPLOYEE:
            del root.accounts[username]
    for employee in practice.employees.values():
        account = root.accounts.get(employee.username or "")
        if (account is not None and account.municipality == practice.id
                and not employee.username.startswith(prefix)):
            del root.accounts[employee.username]
