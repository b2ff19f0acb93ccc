"""The child's own login under 15 (R39): username, password and a one-time code.

The holder or a guardian of the log sets it up (``enrol_subject``), confirms the phone's
code app with a first code (``confirm_code``) and, when a phone is lost or a password
forgotten, gives a new one (``new_phone``, ``new_password``). A new code secret waits as
``otp_pending`` and replaces the active one only once a code from the new phone is
confirmed, so a half-done change never locks the child out. A new account stays inactive
(no login at all) until its first code is confirmed: a login without the code is never
possible. From 15 nothing here is allowed (R39 says under 15); a login already set up keeps
working. The journal gets ids only: never the username, the password or a name.
"""

from __future__ import annotations

from ..models.base import DomainError, today
from ..models.log import Log
from ..models.org import Account, AccountKind
from ..security import Permission
from ..services.passwords import hash_password, new_otp_secret, unused_step
from .content import announce, require
from .engine import actor_ref

P = Permission
AGE_LIMIT = 15  # R39: "for users under 15"


def subject_account(log: Log) -> Account | None:
    """The subject's login, if the log names one of the subject kind."""
    username = log.subject.username
    if not username:
        return None
    account = _root(log).accounts.get(username)
    return account if account is not None and account.kind == AccountKind.SUBJECT else None


def is_enrolled_here(log: Log, account: Account | None) -> bool:
    """Only the log that set a login up may change it: a holder who names an existing
    account in their log does not get to reset its password."""
    return account is not None and account.enrolled_log == log.id


def under_age_limit(log: Log, day=None) -> bool:
    return log.subject.age(day or today()) < AGE_LIMIT


def enrol_subject(log: Log, username: str, password: str, actor, request=None) -> Account:
    """A new login for the child, with a code secret waiting for its first code."""
    _check(log, actor)
    if subject_account(log) is not None:
        raise DomainError("enrol_already", rule="R39")
    root = _root(log)
    if username in root.accounts:
        raise DomainError("enrol_username_taken", rule="R39")
    first_name = (log.subject.name.split() or [""])[0]
    account = Account(username, hash_password(password), AccountKind.SUBJECT,
                      log.municipality.id, first_name)
    account.active = False  # until the first code is confirmed
    account.enrolled_log = log.id
    account.otp_pending = new_otp_secret()
    root.accounts[username] = account
    log.subject.username = username
    _record(log, "subject_enrolled", account, actor, request)
    return account


def new_phone(log: Log, actor, request=None) -> Account:
    """A new code secret, waiting; the old one works until the new one is confirmed."""
    account = _enrolled(log, actor)
    account.otp_pending = new_otp_secret()
    _record(log, "subject_reenrolled", account, actor, request, what="phone")
    return account


def new_password(log: Log, password: str, actor, request=None) -> Account:
    account = _enrolled(log, actor)
    account.password_hash = hash_password(password)
    _record(log, "subject_reenrolled", account, actor, request, what="password")
    return account


def confirm_code(log: Log, code: str, actor, request=None) -> Account:
    """A code from the new phone makes the waiting secret the active one. The step of
    that code counts as used, so the same code cannot then log in."""
    account = _enrolled(log, actor)
    if not account.otp_pending:
        raise DomainError("enrol_nothing_pending", rule="R39")
    step = unused_step(account.otp_pending, code, None)
    if step is None:
        raise DomainError("enrol_code_wrong", rule="R39")
    account.otp_secret, account.otp_pending = account.otp_pending, None
    account.otp_last_step = max(step, account.otp_last_step or step)
    account.active = True
    _record(log, "subject_otp_confirmed", account, actor, request)
    return account


def _check(log: Log, actor) -> None:
    require(actor, log, P.ENROL_SUBJECT)
    if not under_age_limit(log):
        raise DomainError("enrol_too_old", rule="R39")


def _enrolled(log: Log, actor) -> Account:
    _check(log, actor)
    account = subject_account(log)
    if account is None:
        raise DomainError("enrol_not_enrolled", rule="R39")
    if not is_enrolled_here(log, account):
        raise DomainError("enrol_other_log", rule="R39")
    return account


def _root(log: Log):
    return log.municipality.__parent__


def _record(log: Log, kind: str, account: Account, actor, request, **fields) -> None:
    log.municipality.journal.append(kind, log=log.id, object=account.uid,
                                    actor=actor_ref(actor), unit=log.unit_id,
                                    holder=log.holder_id, **fields)
    announce(log, kind, log.subject, actor, request)
