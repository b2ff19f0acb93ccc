"""The family's side of a log (R5, R27, R30, R32, R40).

- The family's page: guardians and the youth open a log on what is agreed now, the latest
  glimpses, the next meeting and what changed since their last visit; the whole log is one
  click away (``full``).
- The child's view: the child's own measures and their evaluations, successes first, large
  and simple, with no other person's name; shown by the holder (also in meeting mode) or on
  the child's own login.
- The child's voice, the family's view before a meeting and its answer after one: forms
  over ``workflows.family``.
"""

from __future__ import annotations

import datetime as dt

from pyramid.renderers import render_to_response
from pyramid.view import view_config

from ..forms.family import (
    FEEDBACK_QUESTION,
    FeedbackSchema,
    OwnVoiceSchema,
    VoiceSchema,
    verdicts_schema,
)
from ..i18n import _
from ..models.base import today
from ..models.concern import Arena, Party
from ..models.family import ChildVoice
from ..models.log import Log
from ..models.notes import Meeting
from ..security import (
    ACTOR,
    FAMILY,
    GUARDIAN,
    HOLDER,
    LEADER,
    PARTIAL_READER,
    READER,
    RECEIVER,
    SUBJECT,
    SUBJECT_LOGIN_AGE,
    Permission,
    request_principals,
)
from ..workflows import family
from . import in_meeting_mode, log_home
from .formview import FORM_PAGE, FormView
from .lifecycle_panel import lifecycle_panel
from .log_content import glimpse_page, glimpse_row, note_visible

P = Permission
FAMILY_PAGE = "stafett:templates/log/family.pt"
CHILD_PAGE = "stafett:templates/log/child.pt"
STAFF_ROLES = frozenset({HOLDER, LEADER, ACTOR, READER, PARTIAL_READER, RECEIVER})
LATEST_GLIMPSES = 5
CHANGES_SHOWN = 12
# Who does what, in the words of the one reading: a guardian, or the youth themselves.
ARENA_HEADINGS = {
    (Arena.SERVICE, False): ("fam_arena_service", "What ${unit} does"),
    (Arena.HOME, False): ("fam_arena_home", "What you do at home"),
    (Arena.CHILD, False): ("fam_arena_child", "What ${child} does"),
    (Arena.SERVICE, True): ("fam_arena_service", "What ${unit} does"),
    (Arena.HOME, True): ("fam_arena_home_guardians", "What your guardians do at home"),
    (Arena.CHILD, True): ("fam_arena_you", "What you do"),
}
RESPONSIBLE = {
    (Party.HOME, False): _("fam_resp_home", default="You at home"),
    (Party.HOME, True): _("fam_resp_guardians", default="Your guardians"),
    (Party.SUBJECT, True): _("fam_resp_you", default="You"),
}


# -- who reads the log as family, who as the child ------------------------------------------------
def reads_as_family(request, log: Log) -> bool:
    """A guardian or the subject with no staff role on this log (a teacher who is a parent
    reads their own child's log as family, and other logs as staff)."""
    roles = request_principals(request, log)
    return bool(roles & set(FAMILY)) and not roles & STAFF_ROLES


def reads_as_child(request, log: Log) -> bool:
    """The child's own login under 16 (R39) opens on the child's view."""
    roles = request_principals(request, log)
    return (SUBJECT in roles and GUARDIAN not in roles and not roles & STAFF_ROLES
            and log.subject.age() < SUBJECT_LOGIN_AGE)


def family_or_child_page(request, log: Log):
    """The family's or the child's page when this reader is one of them, else None."""
    if reads_as_child(request, log):
        return render_to_response(CHILD_PAGE, child_values(request, log), request=request)
    if reads_as_family(request, log):
        return render_to_response(FAMILY_PAGE, family_values(request, log), request=request)
    return None


# -- the family's page --------------------------------------------------------------------------
def family_values(request, log: Log) -> dict:
    day = today()
    coming = family.next_meeting(log, day)
    held = family.last_meeting_held(log, day)
    username = request.identity.username
    glimpses, _older = glimpse_page(request, log, None)
    due = family.due_at(log, coming)
    return {
        **lifecycle_panel(request, log),  # consents, guardians, the family's actions
        "notes": sorted((n for n in log.notes.values() if note_visible(request, n)),
                        key=lambda n: n.created, reverse=True),
        "log": log, "first_name": first_name(log),
        "holder": log.holder, "unit": log.unit,
        "you": reads_as_subject(request, log),
        "agreed": [agreed_item(request, log, c) for c in open_concerns(log)],
        "voices": [v for v in family.voices_of(log) if v.concern_id is None][-3:],
        "glimpses": [glimpse_row(request, g) for g in glimpses[:LATEST_GLIMPSES]],
        "next_meeting": coming, "due": len(due),
        "noted": len(set(family.own_verdicts(log, username)) & {m.id for m in due}),
        "may_prepare": bool(due) and request.has_permission(P.FAMILY_INPUT, log),
        "last_meeting": held,
        "may_answer": held is not None and request.has_permission(P.FAMILY_INPUT, log),
        "answered": held is not None
        and family.own_feedback(log, held.id, username) is not None,
        "feedback_question": FEEDBACK_QUESTION,
        "changes": changes_since(request, log, last_visit(request, log)),
        "may_speak": request.has_permission(P.SPEAK, log) and bool(log.meetings),
        "may_contribute": request.has_permission(P.CONTRIBUTE, log),
        "private_notes": sorted((n for n in log.private_notes.values() if n.author == username),
                                key=lambda n: n.created, reverse=True),
    }


def first_name(log: Log) -> str:
    return log.subject.name.split()[0] if log.subject.name else ""


def open_concerns(log: Log) -> list:
    return sorted((c for c in log.concerns.values() if c.closed is None),
                  key=lambda c: c.created)


def reads_as_subject(request, log: Log) -> bool:
    roles = request_principals(request, log)
    return SUBJECT in roles and GUARDIAN not in roles


def agreed_item(request, log: Log, concern) -> dict:
    """A concern as the family reads it: the goal, then who does what by when, per arena."""
    you = reads_as_subject(request, log)
    by_arena = {arena: [] for arena in Arena}
    for measure in sorted(concern.active_measures(), key=lambda m: m.created):
        by_arena[measure.arena].append({"text": measure.text,
                                        "who": family_responsible(request, log, measure),
                                        "deadline": measure.deadline})
    names = {"unit": log.unit.name if log.unit else "", "child": first_name(log)}
    arenas = [{"heading": _(ARENA_HEADINGS[a, you][0], default=ARENA_HEADINGS[a, you][1],
                            mapping=names), "measures": by_arena[a]}
              for a in Arena if by_arena[a]]
    return {"concern": concern, "goal": concern.goal, "arenas": arenas,
            "voices": family.voices_of(log, concern_id=concern.id)[-2:]}


def family_responsible(request, log: Log, measure) -> str:
    words = RESPONSIBLE.get((measure.party, reads_as_subject(request, log)))
    if words is not None:
        return request.translate(words)
    if measure.party == Party.SUBJECT:
        return first_name(log)
    employee = log.municipality.employee(measure.actor_id)
    return employee.name if employee is not None else ""


def last_visit(request, log: Log) -> dt.datetime | None:
    """When this person's visit before this one was (``stafett.visits``, not the object
    database: a GET writes nothing there)."""
    previous = request.registry.visits.visit(log.id, request.identity.uid)
    return dt.datetime.fromtimestamp(previous / 1e9, dt.UTC) if previous else None


CHANGE_LABELS = {
    "concern": _("fam_new_concern", default="New concern"),
    "measure": _("fam_new_measure", default="New measure"),
    "evaluation": _("fam_new_evaluation", default="A measure was evaluated"),
    "meeting": _("fam_new_meeting", default="New meeting"),
    "glimpse": _("fam_new_glimpse", default="New glimpse"),
    "note": _("fam_new_note", default="New note"),
    "voice": _("fam_new_voice", default="The child's voice"),
}


def changes_since(request, log: Log, since: dt.datetime | None) -> list[dict]:
    """What was written after ``since`` that this reader may see, newest first."""
    if since is None:
        return []
    found = []

    def add(kind, when, text, url):
        if when > since:
            found.append({"kind": CHANGE_LABELS[kind], "when": when, "text": text, "url": url})

    for concern in log.concerns.values():
        add("concern", concern.created, concern.text, request.resource_url(concern))
        for measure in concern.measures.values():
            add("measure", measure.created, measure.text, request.resource_url(concern))
            if measure.evaluation is not None:
                add("evaluation", measure.evaluation.created, measure.text,
                    request.resource_url(concern))
    for meeting in log.meetings.values():
        add("meeting", meeting.created, meeting.agenda,
            request.resource_url(log, "full", anchor=f"meeting-{meeting.id}"))
    for note in log.notes.values():
        if note_visible(request, note):
            add("note", note.created, note.text,
                request.resource_url(log, "full", anchor=f"note-{note.id}"))
    for voice in log.voices.values():
        add("voice", voice.created, voice.text, request.resource_url(log, "full"))
    for _key, glimpse in log.glimpses.newest():
        if glimpse.created <= since:
            break
        add("glimpse", glimpse.created, glimpse.text,
            request.resource_url(log, anchor=f"glimpse-{glimpse.id}"))
    return sorted(found, key=lambda c: c["when"], reverse=True)[:CHANGES_SHOWN]


# -- the child's view -----------------------------------------------------------------------------
CHILD_GROUPS = (
    ("worked", _("fam_child_worked", default="This has gone well")),
    ("partly", _("fam_child_partly", default="This is going partly well")),
    ("active", _("fam_child_active", default="This is what you are working on now")),
    ("did_not_work", _("fam_child_other_way", default="This we will try another way")),
)


def childs_own(measure) -> bool:
    return measure.arena == Arena.CHILD or measure.party == Party.SUBJECT


def child_group(measure) -> str | None:
    if measure.state == "active":
        return "active"
    if measure.state == "evaluated" and measure.evaluation is not None:
        return str(measure.evaluation.family_verdict)
    return None


def child_values(request, log: Log) -> dict:
    """The child's own measures, successes first; the goal each serves; what the child has
    said. Nothing else: no names but the child's, no notes, no other measures."""
    groups = {name: [] for name, _label in CHILD_GROUPS}
    for concern in sorted(log.concerns.values(), key=lambda c: c.created):
        for measure in sorted(concern.measures.values(), key=lambda m: m.created):
            group = child_group(measure) if childs_own(measure) else None
            if group is not None:
                groups[group].append({"text": measure.text, "deadline": measure.deadline,
                                      "goal": concern.goal.text if concern.goal else ""})
    meeting_mode = in_meeting_mode(request, log)
    return {"log": log, "first_name": first_name(log), "meeting_mode": meeting_mode,
            "groups": [{"name": name, "label": label, "measures": groups[name]}
                       for name, label in CHILD_GROUPS if groups[name]],
            "voices": family.voices_of(log)[-5:],
            "may_speak": request.has_permission(P.SPEAK, log) and bool(log.meetings)
            and not request.has_permission(P.EDIT, log),
            "back_url": log_home(request, log)}


@view_config(context=Log, name="child-view", renderer=CHILD_PAGE, permission=P.VIEW)
def child_view(request):
    return child_values(request, request.context)


# -- the child's voice (R40) ----------------------------------------------------------------------
class VoiceForm(FormView):
    def bind(self) -> dict:
        fmt = self.request.fmt
        meetings = sorted(self.log.meetings.values(), key=lambda m: m.date, reverse=True)
        concerns = [c for c in self.log.concerns.values()
                    if self.request.has_permission(P.VIEW, c)]
        return dict(super().bind(),
                    meeting_choices=[(m.id, f"{fmt.date(m.date)} {m.agenda[:60]}")
                                     for m in meetings],
                    concern_choices=[(c.id, c.text[:80]) for c in
                                     sorted(concerns, key=lambda c: c.created)])


@view_config(context=Log, name="add-voice", renderer=FORM_PAGE, permission=P.SPEAK)
class AddVoice(VoiceForm):
    """R40: the holder records what the child said or wished; the youth writes it."""

    formid = "voice-form"
    button = _("fam_save_voice", default="Save")

    @property
    def by_holder(self) -> bool:
        return HOLDER in request_principals(self.request, self.log)

    @property
    def title(self):
        return (_("fam_add_voice", default="The child's voice") if self.by_holder
                else _("fam_add_own_voice", default="Say it in your own words"))

    @property
    def intro(self):
        if self.by_holder:
            return _("fam_voice_intro", default="From age 7 the child has the right to be "
                                                "heard. When the child is not at the meeting, "
                                                "talk with the child before and after it.")
        return _("fam_own_voice_intro", default="What you write here is shown with the "
                                                "measures, and in the meeting's papers.")

    def schema(self):
        return VoiceSchema() if self.by_holder else OwnVoiceSchema()

    def appstruct(self) -> dict:
        coming = family.next_meeting(self.log) or family.last_meeting_held(self.log)
        meeting = self.request.GET.get("meeting") or (coming.id if coming else "")
        return {"meeting_id": meeting, "concern_id": self.request.GET.get("concern", ""),
                "way": "talk_before"}

    def page(self, form_html: str, errors=(), error=None) -> dict:
        if not self.log.meetings and error is None:
            error = self.request.translate(_(
                "fam_voice_no_meeting", default="The child's voice is recorded with a "
                                                "meeting: add the meeting first."))
        return super().page(form_html, errors, error)

    def success(self, data):
        family.record_child_voice(self.log, data, self.request.identity, request=self.request)
        return self.done(self.log, _("fam_voice_saved", default="Saved."))


@view_config(context=ChildVoice, name="edit", renderer=FORM_PAGE, permission=P.EDIT_OWN)
class EditVoice(FormView):
    schema_factory = OwnVoiceSchema
    title = _("fam_edit_voice", default="Change what was written")

    @property
    def formid(self) -> str:
        return f"voice-{self.context.id}"

    def schema(self):
        schema = OwnVoiceSchema()
        del schema["meeting_id"], schema["concern_id"]
        return schema

    def appstruct(self) -> dict:
        return {"text": self.context.text}

    def success(self, data):
        family.edit_child_voice(self.context, data["text"], self.request.identity,
                                request=self.request)
        return self.done(self.log, _("fam_voice_saved", default="Saved."))


# -- before and after a meeting (R27) -------------------------------------------------------------
@view_config(context=Log, name="before-meeting", renderer=FORM_PAGE,
             permission=P.FAMILY_INPUT)
class BeforeMeeting(FormView):
    """Guardians and the youth note how each measure due at the next meeting went. The
    evaluation is made in the meeting, the family's word last."""

    formid = "before-meeting"
    title = _("fam_before_meeting", default="Before the meeting")
    button = _("fam_save_views", default="Save for the meeting")
    autosave = False

    @property
    def meeting(self) -> Meeting | None:
        return family.next_meeting(self.log)

    @property
    def intro(self):
        meeting = self.meeting
        if meeting is None:
            return _("fam_no_next_meeting", default="No meeting is planned yet.")
        return _("fam_before_meeting_intro", default=(
            "The meeting on ${date} evaluates these measures. Note how you think each went; "
            "in the meeting you have the last word. Only the log holder reads this."),
            mapping={"date": self.request.fmt.date(meeting.date)})

    def due(self) -> list:
        return family.due_at(self.log, self.meeting)

    def schema(self):
        fmt, t = self.request.fmt, self.request.translate
        return verdicts_schema([
            (m.id, m.text, t(_("fam_who_by_when", default="${who}, evaluated by ${date}",
                                mapping={"who": family_responsible(self.request, self.log, m),
                                         "date": fmt.date(m.deadline)})))
            for m in self.due()])

    def appstruct(self) -> dict:
        mine = family.own_verdicts(self.log, self.request.identity.username)
        values = {}
        for m in self.due():
            if m.id in mine:
                values[f"v-{m.id}"] = str(mine[m.id].verdict or "")
                values[f"c-{m.id}"] = mine[m.id].comment
        return values

    def page(self, form_html: str, errors=(), error=None) -> dict:
        if not self.due() and error is None:
            form_html = ""
            error = self.request.translate(_("fam_nothing_due", default=(
                "No measure is due for evaluation at the next meeting.")))
        return super().page(form_html, errors, error)

    def success(self, data):
        entries = [{"measure_id": name[2:], "verdict": value, "comment": data[f"c-{name[2:]}"]}
                   for name, value in data.items() if name.startswith("v-")]
        family.note_family_verdicts(self.log, entries, self.request.identity,
                                    request=self.request)
        return self.done(self.log, _("fam_views_saved", default=(
            "Saved. The log holder sees what you noted before the meeting.")))


@view_config(context=Meeting, name="feedback", renderer=FORM_PAGE, permission=P.FAMILY_INPUT)
class MeetingFeedbackForm(FormView):
    """After the meeting, the guides' question; the holder reads the answers."""

    schema_factory = FeedbackSchema
    title = _("fam_after_meeting", default="After the meeting")
    button = _("fam_send_feedback", default="Send")

    @property
    def formid(self) -> str:
        return f"feedback-{self.context.id}"

    @property
    def intro(self):
        return _("fam_after_meeting_intro", default=(
            "The meeting on ${date}. Only the log holder reads your answer; the unit counts "
            "how many meetings get an answer, not what it says."),
            mapping={"date": self.request.fmt.date(self.context.date)})

    def appstruct(self) -> dict:
        mine = family.own_feedback(self.log, self.context.id, self.request.identity.username)
        return {"text": mine.text} if mine else {}

    def success(self, data):
        family.give_meeting_feedback(self.context, data["text"], self.request.identity,
                                     request=self.request)
        return self.done(self.log, _("fam_feedback_saved", default=(
            "Thank you. The log holder reads your answer.")))
