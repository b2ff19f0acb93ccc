"""What the family and the child bring to the log (R27, R40): the child's own voice with a
meeting and a concern, the family's verdict on a measure before the meeting that evaluates
it, and the family's answer after a meeting."""

from __future__ import annotations

import enum

from .base import utcnow
from .concern import Verdict
from .notes import Authored, AuthorRole


class VoiceWay(enum.StrEnum):
    """How the child was heard (R40): in the meeting, or in a talk before or after it when
    the child did not attend; or the youth wrote it in their own words."""

    IN_MEETING = "in_meeting"
    TALK_BEFORE = "talk_before"
    TALK_AFTER = "talk_after"
    OWN_WORDS = "own_words"


class ChildVoice(Authored):
    """What the child said or wished, with a meeting and, when it is about one, a concern."""

    def __init__(self, text: str, meeting_id: str, concern_id: str | None, way: VoiceWay,
                 author: str, author_role: AuthorRole):
        self.text = text
        self.meeting_id = meeting_id
        self.concern_id = concern_id
        self.way = VoiceWay(way)
        self.author = author
        self.author_role = AuthorRole(author_role)
        self.created = utcnow()
        self.edited = None


class FamilyVerdict(Authored):
    """A guardian's or the youth's view of a measure before the meeting that evaluates it.
    The evaluation itself is made in the meeting, the family's word last (R27)."""

    def __init__(self, measure_id: str, verdict: Verdict | None, comment: str, author: str,
                 author_role: AuthorRole):
        self.measure_id = measure_id
        self.verdict = Verdict(verdict) if verdict else None
        self.comment = comment
        self.author = author
        self.author_role = AuthorRole(author_role)
        self.created = utcnow()
        self.edited = None


class MeetingFeedback(Authored):
    """The family's answer to "Er det noe i dette møtet du tenker kunne vært annerledes?"."""

    def __init__(self, meeting_id: str, text: str, author: str, author_role: AuthorRole):
        self.meeting_id = meeting_id
        self.text = text
        self.author = author
        self.author_role = AuthorRole(author_role)
        self.created = utcnow()
        self.edited = None
