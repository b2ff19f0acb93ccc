"""Concerns, goals, measures and evaluations (R24-R27)."""

from __future__ import annotations

import datetime as dt
import enum

from .base import Container, DomainError, Resource, attach, utcnow

TEXT_CORRECTION_WINDOW = dt.timedelta(hours=8)


class Category(enum.StrEnum):
    LEARNING = "learning"
    LANGUAGE = "language"
    SOCIAL = "social"
    BEHAVIOUR = "behaviour"
    MENTAL_HEALTH = "mental_health"
    PHYSICAL_HEALTH = "physical_health"
    ATTENDANCE = "attendance"
    FAMILY = "family"
    SCHOOL_ENVIRONMENT = "school_environment"  # opplæringslova §9a, now chapter 12
    PREGNANCY = "pregnancy"
    OTHER = "other"


class Arena(enum.StrEnum):
    SERVICE = "service"
    HOME = "home"
    CHILD = "child"


class Party(enum.StrEnum):
    ACTOR = "actor"
    HOME = "home"
    SUBJECT = "subject"


class Verdict(enum.StrEnum):
    WORKED = "worked"
    PARTLY = "partly"
    DID_NOT_WORK = "did_not_work"


class Decision(enum.StrEnum):
    CONTINUE = "continue"
    CHANGE = "change"
    END = "end"


class Goal(Resource):
    """The present-tense, measurable target of a concern, with optional sub-goals (R24)."""

    def __init__(self, text: str, sub_goals=()):
        self.text = text
        self.sub_goals = tuple(sub_goals)
        self.created = utcnow()


class Concern(Resource):
    """One bounded challenge worded as a sentence (R24). Holds one goal at a time."""

    def __init__(self, text: str, category: Category, author_id: str | None = None):
        self.text = text
        self.category = Category(category)
        self.author_id = author_id
        self.maintaining_factors = ""
        self.goal = None
        self.former_goals = ()
        self.closed = None
        self.created = utcnow()
        self.measures = attach(self, "measures", Container())

    @property
    def __acl__(self):
        from .acl import concern_acl

        return concern_acl(self)

    def __getitem__(self, name: str):
        if name == "measures":
            return self.measures
        raise KeyError(name)

    def set_goal(self, goal: Goal) -> None:
        if self.goal is not None:
            self.former_goals = self.former_goals + (self.goal,)
        self.goal = attach(self, "goal", goal)

    def active_measures(self):
        return (m for m in self.measures.values() if m.state == "active")

    def missing_arenas(self) -> list[Arena]:
        """R26: which of service, home and child have no active measure yet."""
        covered = {m.arena for m in self.active_measures()}
        return [arena for arena in Arena if arena not in covered]

    def close(self) -> None:
        self.closed = utcnow()


class Measure(Resource):
    """A short concrete action with exactly one responsible party and a deadline (R25, R27)."""

    state = "new"

    def __init__(self, text: str, party: Party, arena: Arena, start: dt.date,
                 deadline: dt.date, actor_id: str | None = None):
        party, arena = Party(party), Arena(arena)
        if arena == Arena.HOME:  # a home measure is the guardians' responsibility (R25)
            party = Party.HOME
        if (party == Party.ACTOR) != bool(actor_id):
            raise DomainError("measure_one_party", rule="R25")
        if deadline < start:
            raise DomainError("measure_deadline_before_start", rule="R25")
        self.text = text
        self.party = party
        self.arena = arena
        self.actor_id = actor_id if party == Party.ACTOR else None
        self.start = start
        self.deadline = deadline
        self.created = utcnow()
        self.text_changed = None
        self.evaluation = None
        self.replaces = None
        self.replaced_by = None

    @property
    def concern(self) -> Concern:
        return self.__parent__.__parent__

    def correct_text(self, text: str, now: dt.datetime | None = None) -> None:
        """R27: the text may be corrected within 8 hours of creation, then it is fixed."""
        now = now or utcnow()
        if self.state != "active" or now - self.created > TEXT_CORRECTION_WINDOW:
            raise DomainError("measure_text_fixed", rule="R27")
        self.text = text
        self.text_changed = now


class Evaluation(Resource):
    """The once-only verdict on a measure, made in a meeting, the family's verdict last (R27)."""

    def __init__(self, meeting_id: str, service_view: str, family_verdict: Verdict,
                 decision: Decision, family_comment: str = "", evaluated_by: str | None = None):
        self.meeting_id = meeting_id
        self.service_view = service_view
        self.family_verdict = Verdict(family_verdict)
        self.decision = Decision(decision)
        self.family_comment = family_comment
        self.evaluated_by = evaluated_by
        self.created = utcnow()
