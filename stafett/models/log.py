"""The stafettlogg: subject, guardians and the containers of everything written in it."""

from __future__ import annotations

import datetime as dt
import enum
import re

from BTrees.OOBTree import OOBTree
from persistent import Persistent

from .base import Container, Resource, Timeline, attach, find_parent, new_id, utcnow
from .identity import age_on, birth_date, validate_fnr


class SubjectKind(enum.StrEnum):
    CHILD = "child"
    YOUTH = "youth"
    PREGNANT = "pregnant"


class Subject(Resource):
    """The person the log follows (barnet / ungdommen / den gravide)."""

    def __init__(self, name: str, fnr: str, kind: SubjectKind = SubjectKind.CHILD,
                 username: str | None = None):
        self.name = name
        self.fnr = validate_fnr(fnr)
        self.kind = SubjectKind(kind)
        self.username = username

    @property
    def birth_date(self):
        return birth_date(self.fnr)

    def age(self, day=None) -> int:
        return age_on(self.fnr, day)


class Guardian(Resource):
    """A parent or other with parental responsibility; ``lives_with_child`` drives R9.
    ``protected`` (fortrolig adresse, R44): the contact details reach the holder only."""

    protected = False
    fnr = None  # known to the holder, or bound by the guardian's invitation (R5)
    invitation = None  # the hash of an open invitation's token (workflows.invitation)

    def __init__(self, name: str, email: str = "", phone: str = "", *,
                 lives_with_child: bool = True, username: str | None = None,
                 protected: bool = False, fnr: str | None = None):
        self.name = name
        self.fnr = validate_fnr(fnr) if fnr else None
        self.email = email
        self.phone = phone
        self.lives_with_child = lives_with_child
        self.username = username
        self.protected = protected


class Activity(Persistent):
    """When anything last happened in the log. Writers that commit at the same time each
    keep their own stamp and the later one wins (``_p_resolveConflict``), so concurrent
    glimpses in one log never conflict on the log itself (DESIGN: Hot spots)."""

    def __init__(self, at) -> None:
        self.at = at

    def record(self, at) -> None:
        if at > self.at:
            self.at = at

    def _p_resolveConflict(self, old: dict, committed: dict, new: dict) -> dict:
        return committed if committed["at"] >= new["at"] else new


class Level(enum.IntEnum):
    """BTI levels 1-3: level 1 stays inside the holder's own unit (R7)."""

    ONE = 1
    TWO = 2
    THREE = 3


LOG_CHILDREN = ("guardians", "consents", "grants", "concerns", "meetings", "glimpses",
                "notes", "private_notes", "transfers", "voices", "family_verdicts",
                "meeting_feedback")


class Log(Resource):
    """One stafettlogg. Only the state string of its workflow lives here (DESIGN: Workflows)."""

    state = "new"
    # R35: when the year before the next yearly archive copy began (activation, reopening or
    # the last yearly copy); None while the log does not run.
    yearly_from = None
    individual_plan = None  # models.plan.IndividualPlan, once handed over to one (R38)

    def __init__(self, subject: Subject, holder_id: str, unit_id: str, level: int = 1):
        self.subject = attach(self, "subject", subject)
        self.holder_id = holder_id
        self.unit_id = unit_id
        self.level = Level(level)
        self.guardians_live_together = True
        self.created = utcnow()
        self.activity = Activity(self.created)
        self.closed_at = None
        self.archives = OOBTree()  # time -> ArchivedPdf (R15, R17, R35)
        self.history = OOBTree()  # (time, id) -> transition record incl. free-text note (R18)
        # OutgoingMessage (R37), in lanes: every glimpse may send news, and concurrent
        # writers must not meet in one tree (models.base.Timeline).
        self.outbox = attach(self, "outbox", Timeline())
        for name in LOG_CHILDREN:
            kind = Timeline if name == "glimpses" else Container
            setattr(self, name, attach(self, name, kind()))

    @property
    def __acl__(self):
        from .acl import log_acl

        return log_acl(self)

    def __getitem__(self, name: str):
        if name in LOG_CHILDREN:
            return getattr(self, name)
        raise KeyError(name)

    @property
    def municipality(self):
        from .org import Municipality

        return find_parent(self, Municipality)

    @property
    def holder(self):
        return self.municipality.employee(self.holder_id)

    @property
    def unit(self):
        return self.municipality.units.get(self.unit_id)

    @property
    def is_editable(self) -> bool:
        return self.state in ("draft", "active", "reopened")

    @property
    def last_activity(self):
        return self.activity.at

    @property
    def is_stored(self) -> bool:
        container = self.__parent__
        return container is not None and container.get(self.id) is self

    def add_history(self, record: dict) -> None:
        self.history[(record["at"], new_id())] = record

    def active_measures(self):
        for concern in self.concerns.values():
            yield from concern.active_measures()

    def actor_ids(self) -> set[str]:
        return {m.actor_id for m in self.active_measures() if m.actor_id}

    def staff_ids(self) -> list[str]:
        """The employees taking part: the holder, everyone who has been responsible for a
        measure, and those granted read access."""
        actors = {m.actor_id for c in self.concerns.values() for m in c.measures.values()
                  if m.actor_id}
        granted = sorted(g.employee_id for g in self.grants.values() if g.withdrawn is None)
        return list(dict.fromkeys([self.holder_id, *sorted(actors), *granted]))

    def has_archive(self) -> bool:
        return len(self.archives) > 0

    def latest_archive(self):
        return self.archives[self.archives.maxKey()] if self.has_archive() else None


ARCHIVE_NAME_TIME = "%Y%m%d%H%M%S%f"  # an archive copy's name ends with when it was made
_ARCHIVE_NAME = re.compile(r"archive-[A-Za-z0-9_-]+-(\d{20})")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def unit_copy_key(unit_id: str | None, created: dt.datetime, name: str) -> tuple:
    """A copy's key in its municipality's ``copies_by_unit``: the unit's copies together,
    the newest first."""
    return (unit_id or "", -((created - _EPOCH) // dt.timedelta(microseconds=1)), name)


def unit_copy_key_of_name(unit_id: str, name: str) -> tuple | None:
    """The key of the copy named ``name`` (``archive-<log>-<time>``), or None if it is no
    such name."""
    match = _ARCHIVE_NAME.fullmatch(name or "")
    if match is None:
        return None
    try:
        created = dt.datetime.strptime(match[1], ARCHIVE_NAME_TIME).replace(tzinfo=dt.UTC)
    except ValueError:
        return None
    return unit_copy_key(unit_id, created, name)


class ArchivedPdf(Resource):
    """An archive copy of the whole log (R35) as it stood in ``unit_id``. It is written as
    HTML when the log changes (fast, in that transaction) and made a PDF after the commit
    (``services.archive``); its bytes live in their own persistent object (``blob``)."""

    log_id = unit_id = html = None  # copies made before these were recorded
    delivered_at = None  # when the municipal archive got it (services/archive_delivery.py)

    def __init__(self, reason: str, blob=None, log_id: str | None = None,
                 unit_id: str | None = None, html: str | None = None) -> None:
        self.reason = reason
        self.blob = blob
        self.html = html
        self.log_id = log_id
        self.unit_id = unit_id
        self.created = utcnow()

    @property
    def produced(self) -> bool:
        return self.blob is not None

    @property
    def unit_key(self) -> tuple:
        return unit_copy_key(self.unit_id, self.created, self.__name__)

    @property
    def filename(self) -> str:
        """A readable name: the log, the reason and the day (Oslo) the copy was made."""
        from .base import OSLO

        day = self.created.astimezone(OSLO)
        return f"stafettlogg-{self.log_id}-{self.reason}-{day:%Y-%m-%d}.pdf"

    @property
    def size(self) -> int | None:
        return self.blob.size if self.blob is not None else None


class Tombstone(Resource):
    """What remains of a deleted log (R17): ids, dates, actor and reason, no personal content."""

    def __init__(self, log_id: str, unit_id: str, created, deleted_by: str, reason: str,
                 from_state: str):
        self.log_id = log_id
        self.unit_id = unit_id
        self.created = created
        self.deleted = utcnow()
        self.deleted_by = deleted_by
        self.reason = reason
        self.from_state = from_state
