"""Fictive families for the demo and for a practice municipality (R43).

Everything is created through the same workflows the web app uses, so the data obeys every
rule: logs in every state, concerns, measures, an evaluation, glimpses and a pending
transfer.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets

from stdnum.no import fodselsnummer

from ..models import (
    Account,
    AccountKind,
    Arena,
    Category,
    Concern,
    Consent,
    ConsentScope,
    Decision,
    Employee,
    Evaluation,
    Guardian,
    Measure,
    Municipality,
    Party,
    ServiceType,
    SubjectKind,
    Transfer,
    TransferKind,
    Unit,
    Verdict,
)
from ..models.base import today
from ..models.indexes import person_key
from ..models.log import Log
from ..services.passwords import hash_password
from ..services.people import register
from . import add_measure, fire, give_consent, propose_transfer
from .content import add_concern, add_glimpse, add_meeting, open_draft
from .family import note_family_verdicts, record_child_voice
from .log_request import send_request

DEMO_SLUG = "demo"
DEMO_PASSWORD = "stafett-demo"


def make_fnr(born: dt.date, serial: int = 0) -> str:
    """The ``serial``-th valid fødselsnummer for a birth date (demo and tests only): distinct
    serials give distinct numbers, whatever the date."""
    valid = (number for number in _candidates(born) if fodselsnummer.is_valid(number))
    found = next(itertools.islice(valid, serial, None), None)
    if found is None:
        raise ValueError(f"no fødselsnummer number {serial} for {born}")
    return found


def _candidates(born: dt.date):
    """Every number of the birth date's century range of individual numbers."""
    first = 500 if born.year >= 2000 else 0
    for individual in range(first, first + 500):
        base = f"{born:%d%m%y}{individual:03d}"
        k1 = fodselsnummer.calc_check_digit1(base)
        yield base + k1 + fodselsnummer.calc_check_digit2(base + k1)


def years_ago(years: int, days: int = 40) -> dt.date:
    """A birth date that makes someone ``years`` old today, on any day of the year (a
    29 February today falls back to the 28th in a year without one)."""
    day = today()
    try:
        anniversary = day.replace(year=day.year - years)
    except ValueError:
        anniversary = day.replace(year=day.year - years, day=28)
    return anniversary - dt.timedelta(days=days)


class DemoBuilder:
    """Fills a municipality with fictive units, staff and families; ``accounts`` lists
    (username, what they are).

    The demo municipality's accounts log in with the demo password and are found by
    fødselsnummer too. A practice municipality's (R43) have ``prefix`` before their
    usernames, no password anyone knows (staff step in from their own login), and are never
    found by fødselsnummer, so no real person's ID-porten login can land on them; its
    numbers start at another ``serial`` than the demo's."""

    def __init__(self, root, password: str | None = DEMO_PASSWORD, slug: str = DEMO_SLUG,
                 prefix: str = "", serial: int = 0):
        self.root = root
        self.password_hash = hash_password(password or secrets.token_urlsafe(32))
        self.practice = password is None
        self.slug, self.prefix = slug, prefix
        self.accounts: list[tuple[str, str]] = []
        self.serial = serial

    def user(self, username: str) -> str:
        return self.prefix + username

    def fnr(self, born: dt.date) -> str:
        self.serial += 1
        return make_fnr(born, self.serial)

    def account(self, username, kind, display, employee_id=None, about="") -> Account:
        """A practice employee's account outlives a reset (its login stays live); the
        employee it stands for is the new one."""
        username = self.user(username)
        account = self.root.accounts.get(username)
        if account is None or account.municipality != self.slug:
            account = Account(username, self.password_hash, kind, self.slug, display,
                              employee_id)
            self.root.accounts[username] = account
        account.employee_id, account.display_name = employee_id, display
        self.accounts.append((username, about))
        return account

    def employee(self, unit, username, name, about, **flags) -> tuple[Employee, Account]:
        emp = unit.add_employee(Employee(name, self.fnr(years_ago(40)),
                                         f"{username}@demo.kommune.no", "+47 400 00 000",
                                         username=self.user(username), **flags))
        account = self.account(username, AccountKind.EMPLOYEE, name, emp.id, about)
        account.fnr = emp.fnr
        if not self.practice:
            register(self.root, account)  # ID-porten finds the same account by the number
        return emp, account

    def build(self) -> Municipality:
        return self.fill(self.root.add(Municipality("Demo kommune", "9999"), self.slug))

    def fill(self, m: Municipality) -> Municipality:
        """The fictive units, staff and families, in an empty municipality."""
        school = m.add_unit(Unit("Solbakken skole", ServiceType.SCHOOL, "999000001", children=320))
        kinder = m.add_unit(Unit("Lillevik barnehage", ServiceType.KINDERGARTEN, "999000002",
                                 children=80))
        health = m.add_unit(Unit("Helsestasjonen", ServiceType.HEALTH_STATION, "999000003",
                                 children=900))
        ppt = m.add_unit(Unit("PPT", ServiceType.PPT, "999000004"))
        admin, _ = self.employee(ppt, "superbruker", "Siri Superbruker", "superuser",
                                 may_act=False)
        m.superusers.insert(admin.id)
        self.employee(school, "rektor", "Randi Rektor", "unit leader, Solbakken skole",
                      is_leader=True, may_hold=True)
        _, self.holder = self.employee(school, "larer", "Lars Lærer",
                                       "holder, Solbakken skole", may_hold=True)
        self.teacher2, _ = self.employee(school, "kontaktlarer", "Kari Kontaktlærer",
                                         "holder and actor, Solbakken skole", may_hold=True)
        self.assistant, self.assistant_acc = self.employee(
            school, "assistent", "Ali Assistent", "actor, Solbakken skole")
        self.employee(kinder, "styrer", "Stine Styrer", "unit leader, Lillevik barnehage",
                      is_leader=True, may_hold=True)
        _, self.kinder_holder = self.employee(kinder, "pedleder", "Per Pedagogisk leder",
                                              "holder, Lillevik barnehage", may_hold=True)
        self.nurse, _ = self.employee(health, "helsesykepleier", "Hanne Helsesykepleier",
                                      "holder and actor, Helsestasjonen", may_hold=True)
        self.employee(health, "leder-hs", "Helge Leder", "unit leader, Helsestasjonen",
                      is_leader=True, may_hold=True)
        self.employee(ppt, "ppt", "Pia Rådgiver", "actor, PPT")
        self.employee(ppt, "leder-ppt", "Paul Leder", "unit leader, PPT", is_leader=True,
                      may_hold=True)
        self.m = m
        self._logs()
        return m

    # -- logs -------------------------------------------------------------------------
    def new_log(self, holder_acc, unit, name, born, guardians, level=1, kind=SubjectKind.CHILD,
                subject_username=None, unknown=()) -> Log:
        """``guardians``: (name, username); a guardian's fødselsnummer is known unless the
        username is in ``unknown`` (such a guardian is invited by e-mail, R5)."""
        for g_name, username in guardians:
            if self.user(username) not in self.root.accounts:
                self.account(username, AccountKind.GUARDIAN, g_name, about="guardian")
        family = [{"guardian_id": "", "name": g_name, "email": f"{username}@example.org",
                   "phone": "+47 900 00 000", "lives_with_child": True,
                   "username": self.user(username),
                   "guardian_fnr": None if username in unknown else self.fnr(years_ago(38))}
                  for g_name, username in guardians]
        return open_draft(self.m, self.m.employee(holder_acc.employee_id), {
            "subject_name": name, "fnr": self.fnr(born), "kind": kind,
            "subject_username": subject_username and self.user(subject_username),
            "level": level,
            "guardians_live_together": True, "guardians": family}, holder_acc)

    def consent(self, log, actor, scope=ConsentScope.CREATE, days_ago=30, **kw) -> Consent:
        parties = [g for g in log.guardians.keys()][:1] or ["subject"]
        if log.subject.kind == "pregnant" or log.subject.age() >= 16:
            parties = ["subject"]
        date = today() - dt.timedelta(days=days_ago)
        return give_consent(log, Consent(parties, date, scope, **kw), actor)

    def concern(self, log, actor, text, category, goal) -> Concern:
        return add_concern(log, {"text": text, "category": category, "goal": goal}, actor)

    def measure(self, concern, actor, text, arena, party=Party.ACTOR, actor_id=None, weeks=6):
        start = today() - dt.timedelta(days=14)
        return add_measure(concern, Measure(text, party, arena, start,
                                            start + dt.timedelta(weeks=weeks), actor_id), actor)

    def _logs(self) -> None:
        school = next(u for u in self.m.units.values() if u.service == ServiceType.SCHOOL)
        kinder = next(u for u in self.m.units.values() if u.service == ServiceType.KINDERGARTEN)
        health = next(u for u in self.m.units.values() if u.service == ServiceType.HEALTH_STATION)
        holder = self.holder

        # An active level-2 log with concerns, measures in every arena, an evaluation, glimpses.
        emma = self.new_log(holder, school, "Emma Nordmann", years_ago(9),
                            [("Ola Nordmann", "forelder"), ("Kari Nordmann", "forelder2")],
                            level=2)
        self.consent(emma, holder, expires=today() + dt.timedelta(days=20))
        meeting = add_meeting(emma, {
            "date": today() - dt.timedelta(days=7), "agenda": "Oppstart og avtaler",
            "participants": "Lars Lærer\nOla Nordmann", "minute_taker": "Lars Lærer",
            "summary": "Vi ble enige om tre tiltak.", "concern_ids": ()}, holder)
        fire(emma, "activate", holder)
        reading = self.concern(emma, holder, "Emma strever med å lese tekster på trinnet sitt.",
                               Category.LEARNING, "Emma leser 20 minutter hver dag.")
        self.measure(reading, holder, "Ali leser sammen med Emma 15 minutter hver skoledag.",
                     Arena.SERVICE, actor_id=self.assistant.id)
        self.measure(reading, holder, "Foreldrene leser med Emma hver kveld før leggetid.",
                     Arena.HOME, party=Party.HOME)
        friends = self.concern(emma, holder, "Emma er ofte alene i friminuttene.",
                               Category.SOCIAL, "Emma leker med minst én venn i storefri.")
        done = self.measure(friends, holder, "Kari organiserer lekegrupper i storefri.",
                            Arena.SERVICE, actor_id=self.teacher2.id)
        fire(done, "evaluate", holder, evaluation=Evaluation(
            meeting.id, "Emma deltar i lekegruppene.", Verdict.WORKED, Decision.CONTINUE,
            "Emma forteller om nye venner hjemme."))
        self.measure(friends, holder, "Emma velger en lek hun vil lære bort.", Arena.CHILD,
                     party=Party.SUBJECT)
        aloud = self.measure(reading, holder, "Emma leser en side høyt for læreren hver fredag.",
                             Arena.CHILD, party=Party.SUBJECT)
        fire(aloud, "evaluate", holder, evaluation=Evaluation(
            meeting.id, "Emma leste tre fredager på rad.", Verdict.WORKED, Decision.CONTINUE))
        add_glimpse(emma, "Emma leste en hel side høyt i dag!", self.assistant_acc)
        add_glimpse(emma, "Emma var stolt da hun kom hjem.",
                    self.root.accounts[self.user("forelder")])
        self._family_side(emma, meeting, reading, holder)

        # A draft, still being prepared.
        self.new_log(holder, school, "Noah Hansen", years_ago(11), [("Nina Hansen", "nina")])

        # An active log with a transfer to the health station waiting for consent.
        jonas = self.new_log(holder, school, "Jonas Berg", years_ago(13),
                             [("Bjørn Berg", "bjorn")], level=2, unknown=("bjorn",))
        self.consent(jonas, holder)
        fire(jonas, "activate", holder)
        self.concern(jonas, holder, "Jonas har høyt fravær på mandager.", Category.ATTENDANCE,
                     "Jonas møter på skolen hver mandag.")
        reason = "Jonas følges nå opp av helsestasjonen."
        propose_transfer(jonas, Transfer(TransferKind.UNIT, reason, holder.uid,
                                         holder.employee_id, to_employee_id=self.nurse.id),
                         holder)

        # A passive log (closed, archived) and a reopened one.
        lea = self.new_log(self.kinder_holder, kinder, "Lea Olsen", years_ago(5),
                           [("Linn Olsen", "linn")])
        self.consent(lea, self.kinder_holder, days_ago=200)
        fire(lea, "activate", self.kinder_holder)
        # The school's assistant is also Lea's father: one login, both roles.
        lea.guardians.add(Guardian(self.assistant.name, "far.olsen@example.org",
                                   fnr=self.assistant.fnr))
        self.concern(lea, self.kinder_holder, "Lea sier få ord i samlingsstund.",
                     Category.LANGUAGE, "Lea sier en setning i samlingsstund hver dag.")
        fire(lea, "close", self.kinder_holder, reason="goals_met")

        # A youth of 16 consents for herself; a pregnant woman likewise.
        sara = self.new_log_for_self(health, "Sara Lund", years_ago(16), SubjectKind.YOUTH,
                                     "sara")
        self._youth_log(sara, self.root.accounts[self.user("helsesykepleier")])
        self.new_log_for_self(health, "Maria Sørensen", years_ago(24), SubjectKind.PREGNANT,
                              None)

        # A mother has asked the kindergarten for a log; its leader has yet to answer (R41).
        siri = self.account("siri", AccountKind.GUARDIAN, "Siri Bakken",
                            about="guardian who asked for a log")
        siri.fnr = self.fnr(years_ago(34))
        if not self.practice:
            self.root.accounts_by_fnr[person_key(siri.fnr)] = siri.username
        send_request(kinder, {"asked_for": "child", "asker_name": "Siri Bakken",
                              "subject_name": "Ida Bakken", "subject_fnr": self.fnr(years_ago(4)),
                              "email": "siri@example.org", "phone": "",
                              "message": "Ida snakker lite i barnehagen."}, siri)

        # A deleted log: only its tombstone remains.
        gone = self.new_log(holder, school, "Tidligere Elev", years_ago(10), [])
        fire(gone, "discard", holder, reason="created_by_mistake")

    def _family_side(self, emma, meeting, reading, holder) -> None:
        """The child's voice, the next meeting, and what the family noted (R27, R40)."""
        record_child_voice(emma, {"meeting_id": meeting.id, "concern_id": reading.id,
                                  "way": "talk_before", "text": "Jeg vil lese bøker om dyr."},
                           holder)
        add_meeting(emma, {
            "date": today() + dt.timedelta(days=28), "agenda": "Evaluering av tiltakene",
            "participants": "Lars Lærer\nOla Nordmann\nKari Nordmann",
            "minute_taker": "Lars Lærer", "summary": "", "concern_ids": ()}, holder)
        home = next(m for m in reading.active_measures() if m.arena == Arena.HOME)
        note_family_verdicts(emma, [{"measure_id": home.id, "verdict": "partly",
                                     "comment": "Vi rekker det ikke alle kvelder."}],
                             self.root.accounts[self.user("forelder")])

    def _youth_log(self, sara, nurse_acc) -> None:
        """Sara's own log: what she and the health station agreed (R9, R40)."""
        met = add_meeting(sara, {
            "date": today() - dt.timedelta(days=10), "agenda": "Søvn og skole",
            "participants": "Hanne Helsesykepleier\nSara Lund",
            "minute_taker": "Hanne Helsesykepleier", "summary": "Vi lagde en plan for søvn.",
            "concern_ids": ()}, nurse_acc)
        sleep = self.concern(sara, nurse_acc, "Sara sover lite og er sliten på skolen.",
                             Category.PHYSICAL_HEALTH, "Sara sover minst åtte timer de "
                                                       "fleste netter.")
        nurse = self.m.employee(nurse_acc.employee_id)
        self.measure(sleep, nurse_acc, "Helsesykepleieren har en samtale med Sara annenhver "
                                       "uke.", Arena.SERVICE, actor_id=nurse.id)
        self.measure(sleep, nurse_acc, "Sara legger bort mobilen klokka 22.", Arena.CHILD,
                     party=Party.SUBJECT)
        record_child_voice(sara, {"meeting_id": met.id, "concern_id": sleep.id,
                                  "way": "in_meeting", "text": "Jeg vil prøve selv først."},
                           nurse_acc)

    def new_log_for_self(self, unit, name, born, kind, username) -> Log:
        nurse_acc = self.root.accounts[self.user("helsesykepleier")]
        log = self.new_log(nurse_acc, unit, name, born, [], level=1, kind=kind,
                           subject_username=username)
        if username:
            self.account(username, AccountKind.SUBJECT, name.split()[0], about="youth (16)")
        self.consent(log, nurse_acc)
        fire(log, "activate", nurse_acc)
        return log
