"""Meetings (R29), glimpses (R30), log notes with PDF (R31) and private notes (R8)."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound
from pyramid.view import view_config

from ..forms.family import WAY_LABELS
from ..forms.log_content import (
    ARENA_LABELS,
    DECISION_LABELS,
    VERDICT_LABELS,
    GlimpseSchema,
    LogNoteSchema,
    MeetingSchema,
    PrivateNoteSchema,
)
from ..forms.log_lifecycle import uploaded_bytes
from ..i18n import _
from ..models.base import today
from ..models.files import pdf_upload
from ..models.log import Log
from ..models.notes import Glimpse, LogNote, Meeting, PrivateNote
from ..security import Permission
from ..services import archive
from ..workflows import family
from ..workflows.content import (
    add_glimpse,
    add_meeting,
    add_note,
    add_private_note,
    edit_glimpse,
    edit_meeting,
    edit_private_note,
)
from .downloads import file_response
from .formview import FORM_PAGE, FormView
from .log_content import log_of, note_visible, responsible

P = Permission


def _concern_choices(log: Log) -> list[tuple[str, str]]:
    concerns = sorted(log.concerns.values(), key=lambda c: c.created)
    return [(c.id, c.text[:80]) for c in concerns]


# -- meetings -------------------------------------------------------------------------------
PERSON_ROLES = {
    "subject": _("ct_present_subject", default="the child or youth"),
    "guardian": _("ct_present_guardian", default="guardian"),
    "holder": _("ct_present_holder", default="log holder"),
    "actor": _("ct_present_actor", default="takes part in the log"),
}


def people_of(log: Log) -> list[tuple[str, str]]:
    """Everyone taking part in this log, (name, role), for ticking who came to a meeting:
    names from this log only, so the form is safe on the projector too (R34)."""
    employee = log.municipality.employee
    people = [(log.subject.name, "subject")]
    people += [(g.name, "guardian") for g in log.guardians.values()]
    people += [(e.name, "holder" if e.id == log.holder_id else "actor")
               for e in map(employee, log.staff_ids()) if e is not None]
    return list(dict.fromkeys(people))


class MeetingForm(FormView):
    schema_factory = MeetingSchema

    def bind(self) -> dict:
        translate = self.request.translate
        return dict(super().bind(), concern_choices=_concern_choices(self.log),
                    attendee_choices=[(name, f"{name} ({translate(PERSON_ROLES[role])})")
                                      for name, role in people_of(self.log)])

    def ordered(self, data: dict) -> dict:
        """The ticked names in the order the form offers them."""
        ticked = data["attendees"]
        return dict(data, attendees=[name for name, _role in people_of(self.log)
                                     if name in ticked])


@view_config(context=Log, name="add-meeting", renderer=FORM_PAGE, permission=P.EDIT)
class AddMeeting(MeetingForm):
    """R29: a meeting, possibly before any concern (R13)."""

    formid = "meeting-form"
    title = _("ct_add_meeting", default="New meeting")

    def appstruct(self) -> dict:
        return {"date": today()}

    def success(self, data):
        add_meeting(self.log, self.ordered(data), self.request.identity, request=self.request)
        return self.done(self.log, _("ct_meeting_saved", default="The meeting is saved."))


@view_config(context=Meeting, name="edit", renderer=FORM_PAGE, permission=P.EDIT)
class EditMeeting(MeetingForm):
    title = _("ct_edit_meeting", default="Change the meeting")

    @property
    def formid(self) -> str:
        return f"meeting-{self.context.id}"

    def appstruct(self) -> dict:
        meeting = self.context
        known = {name for name, _role in people_of(self.log)}
        return {"date": meeting.date, "start_time": meeting.start_time,
                "place": meeting.place, "agenda": meeting.agenda,
                "attendees": {name for name in meeting.participants if name in known},
                "participants": "\n".join(n for n in meeting.participants if n not in known),
                "minute_taker": meeting.minute_taker, "summary": meeting.summary,
                "concern_ids": set(meeting.concern_ids)}

    def success(self, data):
        edit_meeting(self.context, self.ordered(data), self.request.identity,
                     request=self.request)
        return self.done(self.log, _("ct_meeting_saved", default="The meeting is saved."))


@view_config(context=Meeting, name="pdf", permission=P.VIEW)
def meeting_measures_pdf(request):
    """R35: the measures agreed for this meeting's concerns (all concerns if none is linked),
    as a PDF to hand out or file."""
    meeting = request.context
    log = log_of(meeting)
    concerns = [log.concerns[c] for c in meeting.concern_ids if c in log.concerns] \
        or list(log.concerns.values())
    rows = [{"concern": concern.text, "text": m.text, "responsible": request.translate(
                responsible(log, m)), "arena": request.translate(ARENA_LABELS[m.arena]),
             "start": m.start, "deadline": m.deadline}
            for concern in concerns for m in concern.active_measures()]
    voices = [{"text": v.text, "way": request.translate(WAY_LABELS[v.way]),
               "concern": log.concerns[v.concern_id].text if v.concern_id in log.concerns
               else ""} for v in family.voices_of(log, meeting_id=meeting.id)]
    t = request.translate
    evaluated = [{"text": m.text, "service_view": m.evaluation.service_view,
                  "verdict": t(VERDICT_LABELS[m.evaluation.family_verdict]),
                  "comment": m.evaluation.family_comment,
                  "decision": t(DECISION_LABELS[m.evaluation.decision])}
                 for concern in log.concerns.values() for m in concern.measures.values()
                 if m.evaluation is not None and m.evaluation.meeting_id == meeting.id]
    html = archive.render_html("meeting_measures.pt", request.locale_name, log=log,
                               meeting=meeting, rows=rows, voices=voices, evaluated=evaluated)
    return file_response(archive.render_pdf(html), f"tiltak-{meeting.date}.pdf",
                         "application/pdf")


# -- glimpses ---------------------------------------------------------------------------------
@view_config(context=Log, name="add-glimpse", renderer=FORM_PAGE, permission=P.CONTRIBUTE)
class AddGlimpse(FormView):
    """R30: the holder, actors, guardians and the subject write glimpses."""

    schema_factory = GlimpseSchema
    formid = "glimpse-form"
    title = _("ct_add_glimpse", default="New glimpse")

    def success(self, data):
        add_glimpse(self.log, data["text"], self.request.identity, request=self.request)
        return self.done(self.log, _("ct_glimpse_saved", default="The glimpse is saved."))


@view_config(context=Glimpse, name="edit", renderer=FORM_PAGE, permission=P.EDIT_OWN)
class EditGlimpse(FormView):
    """R30: the author, and only the author, edits a glimpse."""

    schema_factory = GlimpseSchema
    title = _("ct_edit_glimpse", default="Change the glimpse")

    @property
    def formid(self) -> str:
        return f"glimpse-{self.context.id}"

    def appstruct(self) -> dict:
        return {"text": self.context.text}

    def success(self, data):
        edit_glimpse(self.context, data["text"], self.request.identity, request=self.request)
        return self.done(self.log, _("ct_glimpse_saved", default="The glimpse is saved."))


# -- log notes --------------------------------------------------------------------------------
@view_config(context=Log, name="add-note", renderer=FORM_PAGE, permission=P.EDIT)
class AddNote(FormView):
    """R31: the holder's note, on a concern or the whole log, with an optional PDF."""

    schema_factory = LogNoteSchema
    formid = "note-form"
    title = _("ct_add_note", default="New log note")
    button = _("ct_save_note", default="Save note")
    field_of_refusal = {msgid: "attachment" for msgid in (
        "upload_too_large", "upload_not_pdf", "upload_pdf_lzw", "upload_pdf_encrypted",
        "upload_pdf_unreadable", "upload_pdf_too_many_objects", "upload_pdf_too_many_pages",
        "upload_pdf_too_much_content")}

    def bind(self) -> dict:
        return dict(super().bind(), concern_choices=_concern_choices(self.log))

    def success(self, data):
        upload = data["attachment"]
        stored = pdf_upload(uploaded_bytes(upload), upload["filename"]) if upload else None
        add_note(self.log, data, stored, self.request.identity, request=self.request)
        return self.done(self.log, _("ct_note_saved", default="The note is saved."))


@view_config(context=LogNote, name="attachment", permission=P.VIEW)
def note_attachment(request):
    note = request.context
    if not note_visible(request, note):
        raise HTTPForbidden()
    if note.attachment is None:
        raise HTTPNotFound()
    stored = note.attachment
    return file_response(stored.data, "notat.pdf", stored.content_type)


# -- private notes ----------------------------------------------------------------------------
@view_config(context=Log, name="add-private-note", renderer=FORM_PAGE, permission=P.CONTRIBUTE)
class AddPrivateNote(FormView):
    """R8: for its author only; leaders and administrators never see it."""

    schema_factory = PrivateNoteSchema
    formid = "private-note-form"
    title = _("ct_add_private_note", default="New private note")

    def success(self, data):
        add_private_note(self.log, data["text"], self.request.identity, request=self.request)
        return self.done(self.log, _("ct_private_note_saved",
                                     default="The private note is saved."))


@view_config(context=PrivateNote, name="edit", renderer=FORM_PAGE, permission=P.EDIT_OWN)
class EditPrivateNote(FormView):
    schema_factory = PrivateNoteSchema
    title = _("ct_edit_private_note", default="Change the private note")

    @property
    def formid(self) -> str:
        return f"private-note-{self.context.id}"

    def appstruct(self) -> dict:
        return {"text": self.context.text}

    def success(self, data):
        edit_private_note(self.context, data["text"], self.request.identity,
                          request=self.request)
        return self.done(self.log, _("ct_private_note_saved",
                                     default="The private note is saved."))
