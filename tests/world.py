"""A small municipality for unit tests, built in memory without password hashing."""

from __future__ import annotations

import datetime as dt

from stafett.models import (
    Account,
    AccountKind,
    Concern,
    Consent,
    ConsentScope,
    Employee,
    Guardian,
    Log,
    Measure,
    Meeting,
    Municipality,
    ServiceType,
    Subject,
    SubjectKind,
    Unit,
)
from stafett.models.base import today
from stafett.models.consent import required_parties
from stafett.scripts.demo import make_fnr, years_ago
from stafett.workflows import add_measure, create_log, fire, give_consent

TODAY = today


class World:
    """School (holder, second holder, leader, actor), kindergarten (holder, leader), PPT
    (actor, leader); accounts for each; helpers to make logs in any state."""

    def __init__(self, root, slug: str = "kommune"):
        self.root = root
        self.serial = 0
        self.m = root.add(Municipality(f"{slug.title()} kommune"), slug)
        self.school = self.m.add_unit(Unit("Skolen", ServiceType.SCHOOL, children=100))
        self.kinder = self.m.add_unit(Unit("Barnehagen", ServiceType.KINDERGARTEN))
        self.ppt = self.m.add_unit(Unit("PPT", ServiceType.PPT))
        self.holder = self.employee(self.school, "holder", may_hold=True)
        self.holder2 = self.employee(self.school, "holder2", may_hold=True)
        self.leader = self.employee(self.school, "leader", may_hold=True, is_leader=True)
        self.actor = self.employee(self.school, "actor")
        self.actor2 = self.employee(self.school, "actor2")
        self.kinder_holder = self.employee(self.kinder, "kholder", may_hold=True)
        self.kinder_leader = self.employee(self.kinder, "kleader", may_hold=True, is_leader=True)
        self.ppt_actor = self.employee(self.ppt, "pptactor")
        self.ppt_leader = self.employee(self.ppt, "pptleader", may_hold=True, is_leader=True)
        self.guardian = self.family("guardian", AccountKind.GUARDIAN)
        self.guardian2 = self.family("guardian2", AccountKind.GUARDIAN)
        self.youth = self.family("youth", AccountKind.SUBJECT)
        self.stranger = self.family("stranger", AccountKind.GUARDIAN)

    def fnr(self, born: dt.date) -> str:
        self.serial += 1
        return make_fnr(born, self.serial)

    def employee(self, unit, username, **flags) -> Account:
        emp = unit.add_employee(Employee(username.title(), self.fnr(years_ago(40)),
                                         f"{username}@example.org", username=username, **flags))
        return self._account(username, AccountKind.EMPLOYEE, emp.id)

    def family(self, username, kind) -> Account:
        return self._account(username, kind, None)

    def _account(self, username, kind, employee_id) -> Account:
        account = Account(username, "not-a-hash", kind, self.m.id, username.title(), employee_id)
        self.root.accounts[username] = account
        return account

    def emp(self, account: Account) -> Employee:
        return self.m.employee(account.employee_id)

    # -- logs --------------------------------------------------------------------------
    def draft(self, age: int = 9, guardians=("guardian",), level: int = 2, holder=None,
              unit=None, kind=SubjectKind.CHILD, subject_username=None, name="Test Barn",
              fnr=None) -> Log:
        holder = holder or self.holder
        unit = unit or self.emp(holder).unit
        subject = Subject(name, fnr or self.fnr(years_ago(age)), kind, username=subject_username)
        log = create_log(self.m, Log(subject, holder.employee_id, unit.id, level), holder)
        for username in guardians:
            log.guardians.add(Guardian(username.title(), f"{username}@example.org",
                                       username=username))
        self.m.index.reindex(log)
        return log

    def consent(self, log, actor=None, scope=ConsentScope.CREATE, parties=None, days_ago=1,
                **kw) -> Consent:
        if parties is None:
            rule, required = required_parties(log)
            parties = sorted(required) if rule != "one_guardian" else sorted(required)[:1]
        date = TODAY() - dt.timedelta(days=days_ago)
        return give_consent(log, Consent(parties, date, scope, **kw), actor or self.holder)

    def active(self, **kw) -> Log:
        log = self.draft(**kw)
        self.consent(log)
        fire(log, "activate", self.holder if "holder" not in kw else kw["holder"])
        return log

    def concern(self, log, text="Barnet strever med lesing.", category="learning") -> Concern:
        return log.concerns.add(Concern(text, category, log.holder_id))

    def measure(self, concern, actor: Account | None = None, arena="service", party="actor",
                by=None, text="Lese sammen hver dag.") -> Measure:
        start = TODAY()
        measure = Measure(text, party, arena, start, start + dt.timedelta(weeks=4),
                          actor.employee_id if actor is not None else None)
        return add_measure(concern, measure, by or self.holder)

    def meeting(self, log) -> Meeting:
        return log.meetings.add(Meeting(TODAY(), "Agenda"))
