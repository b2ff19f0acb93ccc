"""What the family and the child bring to the log, through one door (R27, R40).

- The child's voice with a meeting and, when it is about one, a concern: the holder records
  what the child said, in the meeting or in a talk before or after it; the youth (or a
  child with their own login) writes it in their own words.
- Before a meeting, guardians and the youth note their view of each measure the meeting is
  to evaluate. The evaluation is still made in the meeting, the family's word last.
- After a meeting, they answer the guides' question of what could have been different.

Each person keeps one verdict per measure and one answer per meeting; saving again changes
it. The reading helpers at the end say which meeting is next and what falls due in it.
"""

from __future__ import annotations

import datetime as dt

from ..models.base import DomainError, today, utcnow
from ..models.concern import Measure
from ..models.family import ChildVoice, FamilyVerdict, MeetingFeedback, VoiceWay
from ..models.log import Log
from ..models.notes import Meeting
from ..security import HOLDER, Permission, principals_for
from .content import announce, author_role, require

P = Permission


# -- the child's voice (R40) ------------------------------------------------------------------
def record_child_voice(log: Log, data: dict, actor, request=None) -> ChildVoice:
    """The holder records how the child was heard; anyone else with the right to speak here
    is the subject, writing in their own words."""
    require(actor, log, P.SPEAK)
    meeting = log.meetings.get(data["meeting_id"] or "")
    if meeting is None:
        raise DomainError("voice_needs_meeting", rule="R40")
    concern_id = data.get("concern_id") or None
    if concern_id is not None and concern_id not in log.concerns:
        raise DomainError("voice_unknown_concern", rule="R40")
    holder = HOLDER in principals_for(actor, log)
    way = VoiceWay(data["way"]) if holder else VoiceWay.OWN_WORDS
    voice = log.voices.add(ChildVoice(data["text"], meeting.id, concern_id, way,
                                      actor.username, author_role(actor, log)))
    announce(log, "child_voice_added", voice, actor, request)
    return voice


def edit_child_voice(voice: ChildVoice, text: str, actor, request=None) -> None:
    require(actor, voice, P.EDIT_OWN)
    voice.text, voice.edited = text, utcnow()
    announce(voice.__parent__.__parent__, "child_voice_changed", voice, actor, request)


def voices_of(log: Log, meeting_id: str | None = None, concern_id: str | None = None,
              own_words_only: bool = False) -> list[ChildVoice]:
    """The child's voice, oldest first, narrowed to a meeting and a concern when given."""
    found = [v for v in log.voices.values()
             if (meeting_id is None or v.meeting_id == meeting_id)
             and (concern_id is None or v.concern_id == concern_id)
             and (not own_words_only or v.way == VoiceWay.OWN_WORDS)]
    return sorted(found, key=lambda v: v.created)


# -- before a meeting (R27) ---------------------------------------------------------------------
def note_family_verdicts(log: Log, entries: list[dict], actor, request=None) -> int:
    """``entries``: {measure_id, verdict (or None), comment}. Only measures that await their
    evaluation; an entry with neither verdict nor comment takes back what was noted.
    Returns how many views the person has noted now."""
    require(actor, log, P.FAMILY_INPUT)
    awaiting = {m.id: m for m in awaiting_evaluation(log)}
    mine = own_verdicts(log, actor.username)
    role = author_role(actor, log)
    for entry in entries:
        measure = awaiting.get(entry["measure_id"])
        if measure is None:
            raise DomainError("family_verdict_not_due", rule="R27")
        _note_one(log, measure, entry.get("verdict") or None, entry.get("comment", ""),
                  mine.get(measure.id), actor, role)
    announce(log, "family_verdict_noted", log, actor, request)
    return len(own_verdicts(log, actor.username))


def _note_one(log, measure, verdict, comment, noted, actor, role) -> None:
    if not verdict and not comment:
        if noted is not None:
            log.family_verdicts.remove(noted.id)
        return
    if noted is None:
        log.family_verdicts.add(FamilyVerdict(measure.id, verdict, comment, actor.username,
                                              role))
    elif (noted.verdict, noted.comment) != (verdict, comment):
        noted.verdict, noted.comment, noted.edited = verdict, comment, utcnow()


def own_verdicts(log: Log, username: str) -> dict[str, FamilyVerdict]:
    return {v.measure_id: v for v in log.family_verdicts.values() if v.author == username}


def verdicts_on(log: Log, measure: Measure) -> list[FamilyVerdict]:
    """What the family noted before the meeting on this measure (the holder's view)."""
    return sorted((v for v in log.family_verdicts.values() if v.measure_id == measure.id),
                  key=lambda v: v.created)


# -- after a meeting ------------------------------------------------------------------------------
def give_meeting_feedback(meeting: Meeting, text: str, actor, request=None) -> MeetingFeedback:
    """"Er det noe i dette møtet du tenker kunne vært annerledes?" — once the meeting is
    held; answering again changes the person's answer."""
    log = meeting.__parent__.__parent__
    require(actor, log, P.FAMILY_INPUT)
    if meeting.date > today():
        raise DomainError("feedback_before_meeting", rule="R27")
    feedback = own_feedback(log, meeting.id, actor.username)
    if feedback is None:
        feedback = log.meeting_feedback.add(MeetingFeedback(
            meeting.id, text, actor.username, author_role(actor, log)))
    elif feedback.text != text:
        feedback.text, feedback.edited = text, utcnow()
    announce(log, "meeting_feedback_given", feedback, actor, request)
    return feedback


def own_feedback(log: Log, meeting_id: str, username: str) -> MeetingFeedback | None:
    return next((f for f in log.meeting_feedback.values()
                 if f.meeting_id == meeting_id and f.author == username), None)


def feedback_on(log: Log, meeting_id: str) -> list[MeetingFeedback]:
    return sorted((f for f in log.meeting_feedback.values() if f.meeting_id == meeting_id),
                  key=lambda f: f.created)


# -- which meeting, which measures ----------------------------------------------------------------
def next_meeting(log: Log, day: dt.date | None = None) -> Meeting | None:
    day = day or today()
    coming = [m for m in log.meetings.values() if m.date >= day]
    return min(coming, key=lambda m: m.date) if coming else None


def todays_meeting(log: Log, day: dt.date | None = None) -> Meeting | None:
    """The meeting being held: the one dated today (the latest entered, if several)."""
    day = day or today()
    held_today = [m for m in log.meetings.values() if m.date == day]
    return max(held_today, key=lambda m: m.created) if held_today else None


def last_meeting_held(log: Log, day: dt.date | None = None) -> Meeting | None:
    day = day or today()
    held = [m for m in log.meetings.values() if m.date <= day]
    return max(held, key=lambda m: m.date) if held else None


def awaiting_evaluation(log: Log) -> list[Measure]:
    """Active measures not yet evaluated, the earliest deadline first."""
    measures = [m for m in log.active_measures() if m.evaluation is None]
    return sorted(measures, key=lambda m: (m.deadline, m.created))


def due_at(log: Log, meeting: Meeting | None) -> list[Measure]:
    """The measures a meeting is to evaluate: those whose deadline falls on or before it."""
    if meeting is None:
        return []
    return [m for m in awaiting_evaluation(log) if m.deadline <= meeting.date]

