"""Who may do what: principals from the user and the resource's lineage, ACLs from state.

Permissions live in one enum; principals are computed per request and per context
(holder of this log, actor on this concern, guardian, leader of this unit, reader granted
by consent), never stored by hand (DESIGN: Security).
"""

from __future__ import annotations

from pyramid.authorization import ACLHelper, Authenticated, Everyone
from pyramid.csrf import SessionCSRFStoragePolicy

from .models.base import find_parent, today
from .models.concern import Concern
from .models.log import Log
from .models.org import Account, AccountKind, Municipality, Unit
from .permissions import (  # noqa: F401 - the scheme, by the names its users know
    ACTOR,
    CONCERN_ACTOR,
    CONCERN_READER,
    DENY_ALL,
    FAMILY,
    GUARDIAN,
    HOLDER,
    LEADER,
    LEADS_A_UNIT,
    MAY_HOLD,
    PARTIAL_READER,
    PRACTICE_LEADER,
    READER,
    RECEIVER,
    SUBJECT,
    SUPERUSER,
    SYSTEM_PRINCIPAL,
    TRAINEE,
    UNIT_HOLDER,
    P,
    Permission,
)


def principals_for(account: Account | None, context) -> set[str]:
    """Everyone's roles here: a person may be staff and family at once (a teacher who is a
    parent), so the family roles on a log are added whatever the account's kind."""
    if account is None:
        return {Everyone}
    if account.username == SYSTEM_PRINCIPAL:
        return {Everyone, Authenticated, SYSTEM_PRINCIPAL}
    principals = {Everyone, Authenticated, f"user:{account.username}"}
    municipality = find_parent(context, Municipality)
    if municipality is None:
        return principals
    if _crosses_practice(account, municipality):
        return _across_practice(account, municipality)
    log = find_parent(context, Log)
    if log is not None:
        principals |= family_roles(account, log)
    if account.kind != AccountKind.EMPLOYEE:
        return principals
    home = _home_municipality(account, municipality)
    employee = home.employee(account.employee_id) if home is not None else None
    if employee is None or not employee.active:
        return principals
    if home is not municipality:  # another municipality's log: only as a transfer's receiver
        if log is not None and any(_receives(t, employee) for t in log.transfers.values()):
            principals.add(RECEIVER)
        return principals
    return principals | _employee_roles(employee, municipality, context, log)


def _crosses_practice(account: Account, municipality) -> bool:
    """R43: a practice municipality and the others are closed to each other, whatever a
    fictive fødselsnummer or a transfer would open."""
    if account.municipality == municipality.id:
        return False
    home = _home_municipality(account, municipality)
    return municipality.practice_of is not None or getattr(home, "practice_of", None) is not None


def _across_practice(account: Account, municipality) -> set[str]:
    """Nothing, not even what any logged-in user may do there, but for the real
    municipality's active staff the door into its practice municipality."""
    if municipality.practice_of == account.municipality and account.kind == AccountKind.EMPLOYEE:
        home = _home_municipality(account, municipality)
        employee = home.employee(account.employee_id) if home is not None else None
        if employee is not None and employee.active:
            return {Everyone, TRAINEE}
    return {Everyone}


def _home_municipality(account: Account, context_municipality):
    if context_municipality.id == account.municipality:
        return context_municipality
    root = context_municipality.__parent__
    return root.get(account.municipality) if root is not None else None


def _employee_roles(employee, municipality, context, log) -> set[str]:
    roles = {MAY_HOLD} if employee.may_hold else set()
    if employee.is_leader:
        roles.add(LEADS_A_UNIT)
    if employee.id in municipality.superusers:
        roles.add(SUPERUSER)
    if municipality.practice_of is not None:
        roles.add(TRAINEE)
        if employee.is_leader or SUPERUSER in roles:
            roles.add(PRACTICE_LEADER)
    unit = find_parent(context, Unit)
    if unit is not None and employee.unit_id == unit.id:
        if employee.is_leader:
            roles.add(LEADER)
        if employee.may_hold:
            roles.add(UNIT_HOLDER)
    if log is None:
        return roles
    if log.holder_id == employee.id:
        roles.add(HOLDER)
    if employee.is_leader and employee.unit_id == log.unit_id:
        roles.add(LEADER)
    if any(_receives(t, employee) for t in log.transfers.values()):
        roles.add(RECEIVER)
    concern = find_parent(context, Concern)
    if _has_any_measure(log, employee.id):
        roles.add(ACTOR)
        if concern is not None and _has_measure(concern, employee.id):
            roles.add(CONCERN_ACTOR)
    for grant in log.grants.values():
        if grant.employee_id != employee.id or not _grant_stands(log, grant):
            continue
        roles.add(READER if grant.whole_log else PARTIAL_READER)
        if concern is not None and grant.covers(concern.id):
            roles.add(CONCERN_READER)
    return roles


def _grant_stands(log: Log, grant) -> bool:
    """R4: a grant counts while it is not withdrawn and the consent it rests on stands (not
    withdrawn, not past its expiry even before the nightly job marks it expired)."""
    consent = log.consents.get(grant.consent_id or "")
    return grant.active and consent is not None and consent.is_valid_on(today())


def _receives(transfer, employee) -> bool:
    if not transfer.is_open:
        return False
    if transfer.to_municipality and transfer.to_municipality != employee.unit.municipality.id:
        return False
    if transfer.to_employee_id:
        return transfer.to_employee_id == employee.id
    return employee.is_leader and employee.unit_id == transfer.to_unit_id


def _has_measure(concern: Concern, employee_id: str) -> bool:
    return any(m.actor_id == employee_id and m.state != "misregistered"
               for m in concern.measures.values())


def _has_any_measure(log: Log, employee_id: str) -> bool:
    return any(_has_measure(c, employee_id) for c in log.concerns.values())


def family_roles(account: Account, log: Log) -> set[str]:
    """R5: a guardian on the log, by local username or by fødselsnummer (ID-porten); R9:
    the subject, by local username (a child enrolled by the holder, R39) or by
    fødselsnummer from 16."""
    fnr = account.fnr
    roles = set()
    if any(g.username == account.username or (fnr and g.fnr == fnr)
           for g in log.guardians.values()):
        roles.add(GUARDIAN)
    subject = log.subject
    if subject.username == account.username or (
            fnr and subject.fnr == fnr and subject.age() >= SUBJECT_LOGIN_AGE):
        roles.add(SUBJECT)
    return roles


SUBJECT_LOGIN_AGE = 16  # R9: from 16 the youth logs in with ID-porten and sees their log


def sees_contact_details(account: Account | None, principals: set[str], guardian) -> bool:
    """R44: a guardian's e-mail and phone. The holder sees them; the guardian sees their
    own; protected details (fortrolig adresse) reach nobody else; the family does not see
    each other's details when the guardians live apart; other readers of the log do."""
    if HOLDER in principals:
        return True
    if account is not None and guardian.username and guardian.username == account.username:
        return True
    if guardian.protected:
        return False
    log = find_parent(guardian, Log)
    family = bool(principals & set(FAMILY))
    return not (family and log is not None and not log.guardians_live_together)


def permits(account: Account | None, context, permission: Permission) -> bool:
    return bool(ACLHelper().permits(context, principals_for(account, context), permission))


class SystemAccount:
    """The actor of scheduled jobs (consent expiry); never a login."""

    username = SYSTEM_PRINCIPAL
    kind = "system"
    municipality = None
    employee_id = None


SYSTEM = SystemAccount()


class StafettSecurityPolicy:
    """Pyramid 2 security policy: identity from the session, permits via the ACLs above.

    The signed session cookie names the account and a login session; the login session must
    still be live in ``request.registry.login_sessions`` (not logged out, not past its
    absolute end), so a copied cookie stops working at logout."""

    def identity(self, request) -> Account | None:
        username = request.session.get(SESSION_USER)
        if not username:
            return None
        account = request.app_root.accounts.get(username)
        if not account_is_usable(account, request):
            return None
        live = request.registry.login_sessions.is_live(request.session.get(SESSION_LOGIN),
                                                       account.uid)
        return account if live else None

    def authenticated_userid(self, request) -> str | None:
        account = request.identity
        return account.username if account is not None else None

    def permits(self, request, context, permission):
        """Answered once per request, context and permission: a log page asks whether the
        user may view or edit the same log many times."""
        cache = request.__dict__.setdefault("_stafett_permits", {})
        key = (id(context), permission)
        if key not in cache:
            cache[key] = (context, ACLHelper().permits(
                context, request_principals(request, context), permission))
        return cache[key][1]

    def remember(self, request, userid, *, provider_sid=None, id_token=None, **kw):
        """A new session at login: nothing of the session before it carries over but the
        chosen language, and the cookie gets a new login token (ASVS 3.2.1)."""
        account = request.app_root.accounts[userid]
        locale = request.session.get("locale")
        request.session.invalidate()
        if locale:
            request.session["locale"] = locale
        request.session[SESSION_USER] = userid
        request.session[SESSION_LOGIN] = request.registry.login_sessions.start(
            account.uid, provider_sid=provider_sid, id_token=id_token)
        request.session.new_csrf_token()
        return []

    def forget(self, request, **kw):
        request.registry.login_sessions.end(request.session.get(SESSION_LOGIN))
        request.session.invalidate()
        return []


SESSION_USER, SESSION_LOGIN = "user", "login"


ROLE_SCOPES = (Concern, Log, Unit, Municipality)


def role_scope(context):
    """The nearest concern, log, unit or municipality above ``context`` (or itself): the
    user's principals there are the same as for ``context``, since ``principals_for``
    reads nothing else of it. A log page's glimpses, notes and meetings share their log's."""
    resource = context
    while resource is not None:
        if isinstance(resource, ROLE_SCOPES):
            return resource
        resource = getattr(resource, "__parent__", None)
    return context


def request_principals(request, context) -> set[str]:
    """The principals of this request's user for ``context``, computed once per request
    and role scope (a log page asks about the same log and its parts many times). A
    change announced during the request clears them and the answers built on them
    (``forget_principals``); the scope is kept beside its id so the id is not reused
    while cached."""
    cache = request.__dict__.setdefault("_stafett_principals", {})
    scope = role_scope(context)
    key = id(scope)
    if key not in cache:
        cache[key] = (scope, principals_for(request.identity, scope))
    return cache[key][1]


def forget_principals(event) -> None:
    """A subscriber of every announced change: roles may have changed with it."""
    request = getattr(event, "request", None)
    if request is not None:
        request.__dict__.pop("_stafett_principals", None)
        request.__dict__.pop("_stafett_permits", None)


def account_is_usable(account: Account | None, request) -> bool:
    """An active account, and for employees an active employee (deactivation ends login)."""
    if account is None or not account.active:
        return False
    if account.kind != AccountKind.EMPLOYEE:
        return True
    municipality = request.app_root.get(account.municipality)
    employee = municipality.employee(account.employee_id) if municipality else None
    return employee is not None and employee.active


def includeme(config) -> None:
    from .events import LogChanged

    config.set_security_policy(StafettSecurityPolicy())
    config.add_subscriber(forget_principals, LogChanged)
    config.set_csrf_storage_policy(SessionCSRFStoragePolicy())
    config.set_default_csrf_options(require_csrf=True)
