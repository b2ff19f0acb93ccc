"""The tenant and its organisation: app root, municipality, units, employees, accounts (R1)."""

from __future__ import annotations

import enum

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree, OOTreeSet
from persistent import Persistent

from .archive_outbox import ArchiveOutbox
from .base import Container, DomainError, Resource, attach, new_id, utcnow
from .identity import validate_fnr


class ServiceType(enum.StrEnum):
    SCHOOL = "school"
    KINDERGARTEN = "kindergarten"
    HEALTH_STATION = "health_station"
    PPT = "ppt"
    CHILD_WELFARE = "child_welfare"
    NAV = "nav"
    OTHER = "other"


class AppRoot(Container):
    """The database root: municipalities by slug, every login account by username, the
    accounts of people who log in with ID-porten by a digest of their fødselsnummer
    (``indexes.person_key``), and open invitations."""

    __acl__ = [("Allow", "system.Authenticated", ("home",))]
    nightly = None  # the last night's run (models/nightly.py); a class default for old roots

    def __init__(self) -> None:
        super().__init__()
        self.accounts = OOBTree()
        self.accounts_by_fnr = OOBTree()
        self.invitations = OOBTree()  # sha256 of the link's token -> Invitation
        self.generation = 0


class Municipality(Resource):
    """A tenant. Fixed children: ``units`` and ``logs``; lookups: employees by id, indexes.

    ``practice_of`` names the real municipality whose staff rehearse in this one (R43): a
    practice municipality holds fictive families only and sends no mail. A class default,
    so municipalities stored before it existed read as real ones."""

    practice_of = None
    practice = None  # a real municipality's practice municipality, by its slug

    def __init__(self, name: str, number: str = "") -> None:
        from .indexes import LogIndex
        from .journal import Journal

        self.name = name
        self.number = number
        self.units = attach(self, "units", Container())
        self.logs = attach(self, "logs", Container())
        self.employees = OOBTree()
        self.employee_by_fnr = OOBTree()  # R1: one employee per fødselsnummer
        self.superusers = OOTreeSet()
        self.index = LogIndex()
        self.journal = Journal()
        self.tombstones = OOBTree()
        # (log id, time) -> ArchivedPdf: the sending unit's copy at a change of service
        # (R20, R35); it stays here when the log moves on.
        self.archive_copies = OOBTree()
        self.pending_archives = OOBTree()  # name -> ArchivedPdf still waiting for its PDF
        self.copies_by_unit = OOBTree()  # models.log.unit_copy_key -> every ArchivedPdf
        self.archive_outbox = ArchiveOutbox()  # copies on their way to the municipal archive
        self.log_requests_by_asker = OOBTree()  # username -> OOTreeSet of (unit, request)

    # The superuser runs units and leaders (R1), never a unit's children: a unit's console
    # (its logs, consents, passive logs) is for the unit's own leader only. Anyone logged
    # in may ask a unit for a log (R41); the request's rules decide the rest.
    # Searching for a child (R45) is for those who hold logs, lead a unit or run the
    # municipality; each finds only the logs they may see.
    __acl__ = [("Allow", "role:superuser", ("admin_municipality", "audit", "search")),
               ("Allow", "role:may_hold", ("create_log", "search")),
               ("Allow", "role:leads_a_unit", ("search",)),
               ("Allow", "system.Authenticated", ("ask_for_log",)),
               # Only a practice municipality's users hold these two roles (R43).
               ("Allow", "role:trainee", ("practise",)),
               ("Allow", "role:practice_leader", ("reset_practice",))]

    def log_requests_of(self, username: str):
        """The requests for a log this account has sent to the municipality's units."""
        for unit_id, request_id in self.log_requests_by_asker.get(username, ()):
            unit = self.units.get(unit_id)
            found = unit.log_requests.get(request_id) if unit is not None else None
            if found is not None:
                yield found

    def __getitem__(self, name: str):
        if name in ("units", "logs"):
            return getattr(self, name)
        raise KeyError(name)

    def add_unit(self, unit: Unit) -> Unit:
        return self.units.add(unit)

    def employee(self, employee_id: str | None) -> Employee | None:
        return self.employees.get(employee_id) if employee_id else None

    def check_fnr_free(self, fnr: str, employee_id: str | None = None) -> None:
        """R1: a fødselsnummer belongs to one employee of the municipality."""
        holder = self.employee_by_fnr.get(fnr)
        if holder is not None and holder != employee_id:
            raise DomainError("adm_fnr_taken", rule="R1")

    def register_employee(self, employee: Employee, old_fnr: str | None = None) -> None:
        self.check_fnr_free(employee.fnr, employee.id)
        if old_fnr and old_fnr != employee.fnr:
            self.employee_by_fnr.pop(old_fnr, None)
        self.employees[employee.id] = employee
        self.employee_by_fnr[employee.fnr] = employee.id

    def unit_leaders(self, unit_id: str) -> list[Employee]:
        unit = self.units.get(unit_id)
        return [e for e in unit.employees.values() if e.is_leader and e.active] if unit else []


class Unit(Resource):
    def __init__(self, name: str, service: ServiceType, org_number: str = "", children: int = 0):
        self.name = name
        self.service = ServiceType(service)
        self.org_number = org_number
        self.children = children
        self.employees = attach(self, "employees", Container())
        self.add_request_queue()

    # R23: a log from another Stafett is taken in by the leader, naming its holder, or by
    # one of the unit's staff who may hold it, as its holder.
    __acl__ = [("Allow", "role:leader", ("admin_unit", "audit", "import_log")),
               ("Allow", "role:unit_holder", ("import_log",))]

    def __getitem__(self, name: str):
        if name == "employees":
            return self.employees
        if name == "requests":
            return self.log_requests
        raise KeyError(name)

    def add_request_queue(self) -> None:
        """Families' requests for a log (R41), traversable as ``requests``; the waiting ones
        also in a queue, oldest first, with their count."""
        self.log_requests = attach(self, "requests", Container())
        self.waiting_requests = OOBTree()  # (created, request id) -> request id
        self.requests_waiting = Length()

    def queue_request(self, log_request) -> None:
        self.waiting_requests[log_request.waiting_key] = log_request.id
        self.requests_waiting.change(1)
        asked = self.municipality.log_requests_by_asker
        if log_request.asker not in asked:
            asked[log_request.asker] = OOTreeSet()
        asked[log_request.asker].insert((self.id, log_request.id))

    def unqueue_request(self, log_request) -> None:
        if self.waiting_requests.pop(log_request.waiting_key, None) is not None:
            self.requests_waiting.change(-1)

    def waiting_log_requests(self, most: int | None = None) -> list:
        """The oldest ``most`` waiting requests, from the queue: no walk of the container."""
        found = []
        for request_id in self.waiting_requests.values():
            if most is not None and len(found) >= most:
                break
            found.append(self.log_requests[request_id])
        return found

    @property
    def municipality(self) -> Municipality:
        return self.__parent__.__parent__

    def add_employee(self, employee: Employee) -> Employee:
        self.municipality.check_fnr_free(employee.fnr)
        self.employees.add(employee)
        self.municipality.register_employee(employee)
        return employee


class Employee(Resource):
    """An employee of a unit; flags decide what they may be in a log (R1)."""

    def __init__(self, name: str, fnr: str, email: str = "", phone: str = "", *,
                 may_act: bool = True, may_hold: bool = False, is_leader: bool = False,
                 username: str | None = None):
        self.name = name
        self.fnr = validate_fnr(fnr)
        self.email = email
        self.phone = phone
        self.may_act = may_act
        self.may_hold = may_hold
        self.is_leader = is_leader
        self.active = True
        self.username = username

    @property
    def unit(self) -> Unit:
        return self.__parent__.__parent__

    @property
    def unit_id(self) -> str:
        return self.unit.id


class AccountKind(enum.StrEnum):
    EMPLOYEE = "employee"
    GUARDIAN = "guardian"
    SUBJECT = "subject"


class Account(Resource):
    """A login: through ID-porten (``fnr`` set, no password) or local (username, password
    and for children under 15 a one-time code, R39). Holds no log content.

    One-time codes (users under 15, R39): ``otp_secret`` is the active secret, the one a
    login checks; ``otp_pending`` a new one waiting for its first code (enrolment, a new
    phone), which replaces the active one only once confirmed; ``otp_last_step`` the time
    step of the last code accepted, so a code is used once only. ``enrolled_log`` is the
    id of the log whose holder or guardian set the login up: only that log may change it.
    Class defaults, so accounts stored before these existed read as not enrolled."""

    fnr = None
    otp_pending = None
    otp_last_step = None
    enrolled_log = None
    # Notifications (R37, ``services.notify_choices``): kind -> channel, and the person's
    # own address and mobile number (None: those registered in the log or by the employer).
    notify_choices = None
    notify_email = None
    notify_phone = None

    def __init__(self, username: str, password_hash: str, kind: AccountKind,
                 municipality: str, display_name: str, employee_id: str | None = None):
        self.uid = new_id()  # what the journal records instead of the username
        self.username = username
        self.password_hash = password_hash
        self.kind = AccountKind(kind)
        self.municipality = municipality
        self.display_name = display_name
        self.employee_id = employee_id
        self.active = True
        self.locale = None
        self.otp_secret = None
        self.created = utcnow()


class Invitation(Persistent):
    """An e-mailed one-time link that binds an ID-porten login to a guardian entry whose
    fødselsnummer the holder does not know (R5). Only the token's hash is stored."""

    def __init__(self, municipality: str, log_id: str, guardian: str, expires,
                 invited_by: str | None):
        self.municipality, self.log_id, self.guardian = municipality, log_id, guardian
        self.expires, self.invited_by = expires, invited_by
