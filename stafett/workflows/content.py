"""What is written in a log, through one door (R2, R8, R13, R24-R31).

Each operation checks that the actor may do it and that the rules allow it, changes the
log, and announces the change (``events.LogChanged``); subscribers keep the indexes and
the log's activity in step. Views call these and never write in a log themselves. State
changes with a lifecycle (logs, measures, consents, transfers) go through ``fire``.
"""

from __future__ import annotations

from ..events import LogChanged, notify
from ..models.base import DomainError, utcnow
from ..models.concern import Concern, Goal, Measure
from ..models.log import Guardian, Level, Log, Subject, SubjectKind
from ..models.notes import AuthorRole, Glimpse, LogNote, Meeting, PrivateNote
from ..models.search import CHILD_HAS_LOG, logs_of_child, who_holds
from ..security import GUARDIAN, HOLDER, SUBJECT, Permission, permits, principals_for
from .engine import TransitionForbidden

P = Permission


def require(actor, context, permission: Permission) -> None:
    if not permits(actor, context, permission):
        raise TransitionForbidden("transition_forbidden", trigger=str(permission))


def announce(log: Log, what: str, obj, actor, request=None) -> None:
    notify(LogChanged(log, what, obj, actor, request))


# -- the draft: subject, guardians, level (R9, R13, R14, R44) --------------------------------
def open_draft(municipality, holder, data: dict, actor, request=None) -> Log:
    """A new draft held by ``holder`` (an employee who may hold, R1), with its family and an
    optional first meeting (R29)."""
    from . import create_log

    subject = Subject(data["subject_name"], data["fnr"], data["kind"],
                      username=data.get("subject_username") or None)
    log = Log(subject, holder.id, holder.unit_id, data["level"])
    _apply_family(log, data)
    if data.get("meeting_date") is not None:
        log.meetings.add(Meeting(data["meeting_date"], data.get("meeting_agenda", "")))
    return create_log(municipality, log, actor, request=request)


def edit_subject_and_family(log: Log, data: dict, actor, request=None) -> None:
    """The holder corrects the child's facts and the guardians. A guardian whose standing
    consent carries the log stays on it (R9, R10)."""
    require(actor, log, P.EDIT)
    for other in logs_of_child(log.municipality, data["fnr"], besides=log.id):
        raise DomainError(CHILD_HAS_LOG, rule="R45", **who_holds(other))
    consented = {party for c in log.consents.values() if c.state == "given"
                 for party in c.given_by}
    if (set(log.guardians.keys()) - _kept_guardians(data)) & consented:
        raise DomainError("lc_guardian_has_consent", rule="R9")
    subject = log.subject
    subject.name, subject.fnr = data["subject_name"], data["fnr"]
    subject.kind = SubjectKind(data["kind"])
    log.level = Level(data["level"])
    _apply_family(log, data)
    announce(log, "family_changed", log, actor, request)


def _kept_guardians(data: dict) -> set[str]:
    return {g["guardian_id"] for g in data["guardians"] if g["guardian_id"]}


def _apply_family(log: Log, data: dict) -> None:
    """Update guardians in place (consents refer to them by id), add new, remove dropped."""
    log.guardians_live_together = data["guardians_live_together"]
    numbers = [g["guardian_fnr"] for g in data["guardians"] if g.get("guardian_fnr")]
    if len(numbers) != len(set(numbers)) or data.get("fnr") in numbers:
        raise DomainError("lc_guardian_fnr_twice", rule="R5")
    kept = _kept_guardians(data)
    for guardian_id in list(log.guardians.keys()):
        if guardian_id not in kept:
            log.guardians.remove(guardian_id)
    for item in data["guardians"]:
        guardian = log.guardians.get(item["guardian_id"] or "")
        if guardian is None:
            guardian = log.guardians.add(Guardian(item["name"]))
        guardian.name, guardian.email, guardian.phone = item["name"], item["email"], item["phone"]
        guardian.fnr = item.get("guardian_fnr") or None
        guardian.lives_with_child = item["lives_with_child"]
        guardian.username = item.get("username", guardian.username) or None
        guardian.protected = item.get("protected", False)


# -- concerns and goals (R24, R28) ----------------------------------------------------------
def add_concern(log: Log, data: dict, actor, request=None) -> Concern:
    """R24/R28: the concern and its goal are stored the moment they are written."""
    require(actor, log, P.EDIT)
    concern = log.concerns.add(Concern(data["text"], data["category"],
                                       getattr(actor, "employee_id", None)))
    _apply_concern(concern, data)
    announce(log, "concern_added", concern, actor, request)
    return concern


def edit_concern(concern: Concern, data: dict, actor, request=None) -> None:
    require(actor, concern, P.EDIT)
    _apply_concern(concern, data)
    announce(concern.__parent__.__parent__, "concern_changed", concern, actor, request)


def close_concern(concern: Concern, actor, request=None) -> None:
    """R24: a concern is closed when its goal is met; closing twice changes nothing."""
    require(actor, concern, P.EDIT)
    if concern.closed is None:
        concern.close()
        announce(concern.__parent__.__parent__, "concern_closed", concern, actor, request)


def goal_revision(goal) -> str:
    return goal.created.isoformat() if goal is not None else ""


def _apply_concern(concern: Concern, data: dict) -> None:
    concern.text = data["text"]
    concern.category = data["category"]
    concern.maintaining_factors = data.get("maintaining_factors", "")
    _save_goal(concern, data.get("goal", ""), data.get("sub_goals", ""),
               data.get("goal_base", ""))


def _save_goal(concern: Concern, text: str, sub_goals_text: str, base: str) -> None:
    """One goal at a time (R24). An edit replaces the goal the user started from once (the
    old one kept in ``former_goals``); later saves of the same edit, also autosaves, update
    that new goal in place."""
    sub_goals = tuple(line.strip() for line in sub_goals_text.splitlines() if line.strip())
    goal = concern.goal
    if goal is not None and (goal.text, goal.sub_goals) == (text, sub_goals):
        return
    if not text and goal is None:
        return
    continuing = (goal is not None and concern.former_goals
                  and goal_revision(concern.former_goals[-1]) == base
                  and goal_revision(goal) != base)
    if continuing:
        goal.text, goal.sub_goals = text, sub_goals
    else:
        concern.set_goal(Goal(text, sub_goals))


def correct_measure_text(measure: Measure, text: str, actor, request=None) -> None:
    """R27: within 8 hours of its creation; after that the text is fixed."""
    require(actor, measure, P.EDIT)
    measure.correct_text(text)
    announce(measure.concern.__parent__.__parent__, "measure_corrected", measure, actor,
             request)


# -- meetings (R29) -------------------------------------------------------------------------
def add_meeting(log: Log, data: dict, actor, request=None) -> Meeting:
    """R29: a meeting, possibly before any concern (R13)."""
    require(actor, log, P.EDIT)
    meeting = log.meetings.add(Meeting(data["date"]))
    _apply_meeting(meeting, data, log)
    announce(log, "meeting_added", meeting, actor, request)
    return meeting


def edit_meeting(meeting: Meeting, data: dict, actor, request=None) -> None:
    log = meeting.__parent__.__parent__
    require(actor, log, P.EDIT)
    _apply_meeting(meeting, data, log)
    announce(log, "meeting_changed", meeting, actor, request)


def _apply_meeting(meeting: Meeting, data: dict, log: Log) -> None:
    meeting.date = data["date"]
    meeting.start_time = data.get("start_time")
    meeting.place = data.get("place", "")
    meeting.agenda = data["agenda"]
    ticked = tuple(data.get("attendees", ()))
    others = tuple(name for name in _lines(data["participants"]) if name not in ticked)
    meeting.participants = ticked + others
    meeting.minute_taker = data["minute_taker"]
    meeting.summary = data["summary"]
    meeting.concern_ids = tuple(c for c in data["concern_ids"] if c in log.concerns)


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


# -- glimpses (R30) and notes (R8, R31) -------------------------------------------------------
def add_glimpse(log: Log, text: str, actor, request=None) -> Glimpse:
    """R30: the holder, actors, guardians and the subject write glimpses. Nothing but the
    glimpse itself is written: concurrent writers in one log never conflict."""
    require(actor, log, P.CONTRIBUTE)
    glimpse = Glimpse(text, actor.username, author_role(actor, log))
    log.glimpses.add(glimpse)
    announce(log, "glimpse_added", glimpse, actor, request)
    return glimpse


def edit_glimpse(glimpse: Glimpse, text: str, actor, request=None) -> None:
    """R30: the author, and only the author, edits a glimpse."""
    require(actor, glimpse, P.EDIT_OWN)
    glimpse.text, glimpse.edited = text, utcnow()
    announce(glimpse.__parent__.__parent__, "glimpse_changed", glimpse, actor, request)


def author_role(actor, log: Log) -> AuthorRole:
    roles = principals_for(actor, log)
    for principal, role in ((HOLDER, AuthorRole.HOLDER), (GUARDIAN, AuthorRole.GUARDIAN),
                            (SUBJECT, AuthorRole.SUBJECT)):
        if principal in roles:
            return role
    return AuthorRole.ACTOR


def add_note(log: Log, data: dict, attachment, actor, request=None) -> LogNote:
    """R31: the holder's note, on a concern of this log or the whole log, with a PDF."""
    require(actor, log, P.EDIT)
    concern_id = data["concern_id"] if data["concern_id"] in log.concerns else None
    note = log.notes.add(LogNote(data["text"], actor.username, concern_id, data["visibility"]))
    note.attachment = attachment
    announce(log, "note_added", note, actor, request)
    return note


def add_private_note(log: Log, text: str, actor, request=None) -> PrivateNote:
    """R8: for its author only; leaders and administrators never see it."""
    require(actor, log, P.CONTRIBUTE)
    note = log.private_notes.add(PrivateNote(text, actor.username))
    announce(log, "private_note_added", note, actor, request)
    return note


def edit_private_note(note: PrivateNote, text: str, actor, request=None) -> None:
    require(actor, note, P.EDIT_OWN)
    note.text, note.edited = text, utcnow()
    announce(note.__parent__.__parent__, "private_note_changed", note, actor, request)

