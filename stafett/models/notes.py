"""Meetings, glimpses (lysglimt), log notes and private notes (R8, R29-R31)."""

from __future__ import annotations

import datetime as dt
import enum

from .base import Resource, utcnow


class Meeting(Resource):
    """A collaboration meeting, possible before any concern exists (R13, R29)."""

    start_time = None  # dt.time on the Oslo clock, when known (the invitation's hour)
    place = ""

    def __init__(self, date: dt.date, agenda: str = "", participants=(),
                 minute_taker: str = "", summary: str = "", concern_ids=()):
        self.date = date
        self.agenda = agenda
        self.participants = tuple(participants)
        self.minute_taker = minute_taker
        self.summary = summary
        self.concern_ids = tuple(concern_ids)
        self.created = utcnow()


class AuthorRole(enum.StrEnum):
    HOLDER = "holder"
    ACTOR = "actor"
    GUARDIAN = "guardian"
    SUBJECT = "subject"


class Authored(Resource):
    """Something one person wrote and only that person edits."""

    @property
    def __acl__(self):
        from .acl import authored_acl

        return authored_acl(self)


class Glimpse(Authored):
    """A short positive update; any participant writes, the author edits (R30)."""

    def __init__(self, text: str, author: str, author_role: AuthorRole):
        self.text = text
        self.author = author  # username
        self.author_role = AuthorRole(author_role)
        self.created = utcnow()
        self.edited = None


class NoteVisibility(enum.StrEnum):
    FAMILY = "family"  # default (R31)
    PARTICIPANTS = "participants"
    HOLDER = "holder"


class LogNote(Resource):
    """A holder's note, optionally on a concern, optionally with a PDF (R31)."""

    def __init__(self, text: str, author: str, concern_id: str | None = None,
                 visibility: NoteVisibility = NoteVisibility.FAMILY):
        self.text = text
        self.author = author
        self.concern_id = concern_id
        self.visibility = NoteVisibility(visibility)
        self.attachment = None
        self.created = utcnow()


class PrivateNote(Authored):
    """Visible to its author only, never to leaders or administrators (R8)."""

    def __init__(self, text: str, author: str):
        self.text = text
        self.author = author
        self.created = utcnow()
        self.edited = None
