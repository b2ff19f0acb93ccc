"""Meetings (R29), glimpses (R30), log notes with PDF (R31) and private notes (R8)."""

from __future__ import annotations

import deform
from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound
from pyramid.view import view_config

from ..forms import field_errors
from ..forms.log_content import (
    ARENA_LABELS,
    GlimpseSchema,
    LogNoteSchema,
    MeetingSchema,
    PrivateNoteSchema,
)
from ..forms.log_lifecycle import uploaded_bytes
from ..i18n import _
from ..models.base import DomainError, utcnow
from ..models.files import pdf_upload
from ..models.log import Log
from ..models.notes import Glimpse, LogNote, Meeting, PrivateNote
from ..security import Permission
from ..services import archive
from .downloads import file_response
from .log_content import (
    FORM_PAGE,
    author_role,
    content_form,
    form_page,
    log_of,
    note_visible,
    refuse_field,
    responsible,
    saved,
)

SAVE = _("ct_save", default="Save")


def _simple_form(request, schema, formid, *, title, log, create, appstruct=None,
                 redirect_to=None, flash, button=SAVE, **bind):
    """GET renders, POST validates and calls ``create(data)``; failures keep the text."""
    form = content_form(schema, request, formid, button, **bind)
    page = dict(title=title, log=log, back_url=request.resource_url(log))
    if request.method != "POST":
        return form_page(request, form.render(appstruct or {}), **page)
    try:
        data = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        return form_page(request, failure.render(), errors=field_errors(failure.field),
                         **page)
    create(data)
    log.touch()
    return saved(request, redirect_to or log, formid, flash)


# -- meetings -------------------------------------------------------------------------------
def _concern_choices(log: Log) -> list[tuple[str, str]]:
    concerns = sorted(log.concerns.values(), key=lambda c: c.created)
    return [(c.id, c.text[:80]) for c in concerns]


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _apply_meeting(meeting: Meeting, data: dict, log: Log) -> None:
    meeting.date = data["date"]
    meeting.agenda = data["agenda"]
    meeting.participants = _lines(data["participants"])
    meeting.minute_taker = data["minute_taker"]
    meeting.summary = data["summary"]
    meeting.concern_ids = tuple(c for c in data["concern_ids"] if c in log.concerns)


@view_config(context=Log, name="add-meeting", renderer=FORM_PAGE, permission=Permission.EDIT)
def add_meeting(request):
    """R29: a meeting, possibly before any concern (R13)."""
    log = request.context

    def create(data):
        _apply_meeting(log.meetings.add(Meeting(data["date"])), data, log)

    return _simple_form(request, MeetingSchema(), "meeting-form", log=log, create=create,
                        title=_("ct_add_meeting", default="New meeting"),
                        flash=_("ct_meeting_saved", default="The meeting is saved."),
                        concern_choices=_concern_choices(log))


@view_config(context=Meeting, name="edit", renderer=FORM_PAGE, permission=Permission.EDIT)
def edit_meeting(request):
    meeting = request.context
    log = log_of(meeting)
    current = {"date": meeting.date, "agenda": meeting.agenda,
               "participants": "\n".join(meeting.participants),
               "minute_taker": meeting.minute_taker, "summary": meeting.summary,
               "concern_ids": set(meeting.concern_ids)}
    return _simple_form(request, MeetingSchema(), f"meeting-{meeting.id}", log=log,
                        appstruct=current, create=lambda data: _apply_meeting(meeting, data, log),
                        title=_("ct_edit_meeting", default="Change the meeting"),
                        flash=_("ct_meeting_saved", default="The meeting is saved."),
                        concern_choices=_concern_choices(log))


# -- glimpses ---------------------------------------------------------------------------------
@view_config(context=Log, name="add-glimpse", renderer=FORM_PAGE,
             permission=Permission.CONTRIBUTE)
def add_glimpse(request):
    """R30: the holder, actors, guardians and the subject write glimpses."""
    log = request.context
    role = author_role(request, log)

    def create(data):
        log.glimpses.add(Glimpse(data["text"], request.identity.username, role))

    return _simple_form(request, GlimpseSchema(), "glimpse-form", log=log, create=create,
                        title=_("ct_add_glimpse", default="New glimpse"),
                        flash=_("ct_glimpse_saved", default="The glimpse is saved."))


@view_config(context=Glimpse, name="edit", renderer=FORM_PAGE, permission=Permission.EDIT_OWN)
def edit_glimpse(request):
    """R30: the author, and only the author, edits a glimpse."""
    glimpse = request.context

    def update(data):
        glimpse.text, glimpse.edited = data["text"], utcnow()

    return _simple_form(request, GlimpseSchema(), f"glimpse-{glimpse.id}", log=log_of(glimpse),
                        appstruct={"text": glimpse.text}, create=update,
                        title=_("ct_edit_glimpse", default="Change the glimpse"),
                        flash=_("ct_glimpse_saved", default="The glimpse is saved."))


@view_config(context=Meeting, name="pdf", permission=Permission.VIEW)
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
    html = archive.render_html("meeting_measures.pt", request.locale_name, log=log,
                               meeting=meeting, rows=rows)
    return file_response(archive.render_pdf(html), f"tiltak-{meeting.date}.pdf",
                         "application/pdf")


# -- log notes --------------------------------------------------------------------------------
@view_config(context=Log, name="add-note", renderer=FORM_PAGE, permission=Permission.EDIT)
def add_note(request):
    """R31: the holder's note, on a concern or the whole log, with an optional PDF."""
    log = request.context
    formid = "note-form"
    form = content_form(LogNoteSchema(), request, formid,
                        _("ct_save_note", default="Save note"),
                        concern_choices=_concern_choices(log))
    page = dict(title=_("ct_add_note", default="New log note"), log=log,
                back_url=request.resource_url(log))
    if request.method != "POST":
        return form_page(request, form.render(), **page)
    try:
        data = form.validate(request.POST.items())
        upload = data["attachment"]
        stored = pdf_upload(uploaded_bytes(upload), upload["filename"]) if upload else None
    except deform.ValidationFailure as failure:
        return form_page(request, failure.render(), errors=field_errors(failure.field),
                         **page)
    except DomainError as error:
        html, errors = refuse_field(request, form, "attachment", error)
        return form_page(request, html, errors=errors, **page)
    concern_id = data["concern_id"] if data["concern_id"] in log.concerns else None
    note = log.notes.add(LogNote(data["text"], request.identity.username, concern_id,
                                 data["visibility"]))
    note.attachment = stored
    log.touch()
    return saved(request, log, formid, _("ct_note_saved", default="The note is saved."))


@view_config(context=LogNote, name="attachment", permission=Permission.VIEW)
def note_attachment(request):
    note = request.context
    if not note_visible(request, note):
        raise HTTPForbidden()
    if note.attachment is None:
        raise HTTPNotFound()
    stored = note.attachment
    return file_response(stored.data, "notat.pdf", stored.content_type)


# -- private notes ----------------------------------------------------------------------------
@view_config(context=Log, name="add-private-note", renderer=FORM_PAGE,
             permission=Permission.CONTRIBUTE)
def add_private_note(request):
    """R8: for its author only; leaders and administrators never see it."""
    log = request.context

    def create(data):
        log.private_notes.add(PrivateNote(data["text"], request.identity.username))

    return _simple_form(request, PrivateNoteSchema(), "private-note-form", log=log,
                        create=create,
                        title=_("ct_add_private_note", default="New private note"),
                        flash=_("ct_private_note_saved", default="The private note is saved."))


@view_config(context=PrivateNote, name="edit", renderer=FORM_PAGE,
             permission=Permission.EDIT_OWN)
def edit_private_note(request):
    note = request.context

    def update(data):
        note.text, note.edited = data["text"], utcnow()

    return _simple_form(request, PrivateNoteSchema(), f"private-note-{note.id}",
                        log=log_of(note), appstruct={"text": note.text}, create=update,
                        title=_("ct_edit_private_note", default="Change the private note"),
                        flash=_("ct_private_note_saved", default="The private note is saved."))
