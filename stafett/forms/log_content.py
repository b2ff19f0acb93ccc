"""Schemas for what is written in a log: concerns and goals (R24), measures (R25, R27),
evaluations (R27), meetings (R29), glimpses (R30), log notes and private notes (R8, R31).

Choices that depend on the log (actors, meetings, concerns) are bound as ``choices``-style
keywords by the view; required fields carry a message naming what to fill in.
"""

from __future__ import annotations

import colander
import deform

from ..i18n import _
from ..messages import (
    CATEGORY_NAMES,
    DECISION_NAMES,
    PARTY_NAMES,
    VERDICT_NAMES,
)
from ..models.concern import Arena, Party
from ..models.notes import NoteVisibility
from .log_lifecycle import uploaded_file
from .uploads import upload_widget
from .validators import (
    TEXT_MAX,
    Date,
    deferred_one_of,
    line,
    one_of,
    only,
    strip,
    text,
)

REQUIRED = _("ct_required", default="Fill in this field.")
GLIMPSE_MAX = 500

ARENA_LABELS = {
    Arena.SERVICE: _("ct_arena_service", default="In the service"),
    Arena.HOME: _("ct_arena_home", default="At home"),
    Arena.CHILD: _("ct_arena_child", default="The child's own"),
}
# The names a person sees live in ``messages`` (the PDFs use them too).
CATEGORY_LABELS, PARTY_LABELS = CATEGORY_NAMES, PARTY_NAMES
VERDICT_LABELS, DECISION_LABELS = VERDICT_NAMES, DECISION_NAMES
VISIBILITY_LABELS = {
    NoteVisibility.FAMILY: _("ct_visibility_family",
                             default="Everyone who reads the log, the family included"),
    NoteVisibility.PARTICIPANTS: _("ct_visibility_participants",
                                   default="The employees who read the log, not the family"),
    NoteVisibility.HOLDER: _("ct_visibility_holder", default="Only the holder"),
}


def _choices(labels: dict) -> list[tuple[str, object]]:
    return [(str(key), label) for key, label in labels.items()]


def _text(title, *, writing_help: str | None = None, rows: int = 3, max_length: int = TEXT_MAX,
          missing=colander.required, description=None) -> colander.SchemaNode:
    attributes = {"rows": str(rows)}
    if writing_help:
        attributes["data-writing-help"] = writing_help
    return colander.SchemaNode(
        colander.String(), title=title, missing=missing, missing_msg=REQUIRED,
        description=description, preparer=strip, validator=text(max_length),
        widget=deform.widget.TextAreaWidget(attributes=attributes))


def _line(title, missing=colander.required) -> colander.SchemaNode:
    return colander.SchemaNode(colander.String(), title=title, missing=missing,
                               missing_msg=REQUIRED, preparer=strip, validator=line())


def _date(title) -> colander.SchemaNode:
    return colander.SchemaNode(
        Date(), title=title, missing_msg=REQUIRED,
        widget=deform.widget.TextInputWidget(attributes={"type": "date"}))


def _select(title, values, missing=colander.required, **widget_kw) -> colander.SchemaNode:
    return colander.SchemaNode(colander.String(), title=title, missing=missing,
                               missing_msg=REQUIRED, validator=one_of(v for v, _l in values),
                               widget=deform.widget.SelectWidget(values=values, **widget_kw))


def _choice(title, labels: dict, missing=colander.required) -> colander.SchemaNode:
    """One of a few fixed values: a plain select, with an empty choice when required."""
    values = _choices(labels)
    if missing is colander.required:
        values = [("", _("ct_choose", default="– choose –"))] + values
    return colander.SchemaNode(colander.String(), title=title, missing=missing,
                               missing_msg=REQUIRED,
                               validator=one_of(str(k) for k in labels),
                               widget=deform.widget.SelectWidget(values=values))


@colander.deferred
def _deferred_actor_widget(node, kw):
    return deform.widget.SelectWidget(values=[("", _("ct_no_actor", default="– none –"))]
                                      + list(kw.get("actor_choices", ())))


@colander.deferred
def _deferred_meeting_widget(node, kw):
    return deform.widget.SelectWidget(values=list(kw.get("meeting_choices", ())))


@colander.deferred
def _deferred_concern_checkboxes(node, kw):
    return deform.widget.CheckboxChoiceWidget(values=list(kw.get("concern_choices", ())))


@colander.deferred
def _deferred_only_concerns(node, kw):
    return only(value for value, _label in kw.get("concern_choices", ()))


@colander.deferred
def _deferred_concern_select(node, kw):
    return deform.widget.SelectWidget(values=[("", _("ct_whole_log", default="The whole log"))]
                                      + list(kw.get("concern_choices", ())))


class ConcernSchema(colander.Schema):
    """R24: a descriptive sentence, a category, one goal with sub-goals, maintaining factors."""

    text = _text(_("ct_concern", default="Concern"), writing_help="text", description=_(
        "ct_concern_help", default="One descriptive sentence about one bounded challenge, "
                                   "recognisable for everyone."))
    category = _select(_("ct_category", default="Category"), _choices(CATEGORY_LABELS))
    goal = _text(_("ct_goal", default="Goal"), writing_help="goal", missing="", description=_(
        "ct_goal_help", default="Present tense, with time and place and how it looks: "
                                "«I matematikktimene rekker Emma opp hånda minst én gang per "
                                "time.»"))
    sub_goals = _text(_("ct_sub_goals", default="Sub-goals (one per line)"),
                      writing_help="goal", missing="")
    maintaining_factors = _text(_("ct_maintaining_factors", default="Maintaining factors"),
                                writing_help="text", missing="")
    goal_base = colander.SchemaNode(colander.String(), missing="", validator=line(64),
                                    widget=deform.widget.HiddenWidget())


def responsible_from_arena(value):
    """R25: the arena decides what it can (a home measure is the guardians'), and an
    employee left chosen in a hidden field is dropped unless an employee is responsible."""
    if not isinstance(value, dict):
        return value
    if value.get("arena") == Arena.HOME:
        value["party"] = str(Party.HOME)
    if value.get("party") != Party.ACTOR:
        value["actor"] = ""
    return value


def one_responsible(form, value) -> None:
    """R25: one responsible party, and an employee named when an employee is responsible."""
    invalid = colander.Invalid(form)
    if not value["party"]:
        invalid.add(colander.Invalid(form["party"], REQUIRED), form.children.index(form["party"]))
    elif value["party"] == Party.ACTOR and not value["actor"]:
        invalid.add(colander.Invalid(form["actor"], _("ct_choose_actor", default=(
            "Choose the employee who is responsible."))), form.children.index(form["actor"]))
    if invalid.children:
        raise invalid


class MeasureSchema(colander.Schema):
    """R25: text, one responsible party, arena, start and evaluation deadline."""

    preparer = staticmethod(responsible_from_arena)
    validator = staticmethod(one_responsible)

    text = _text(_("ct_measure", default="Measure"), writing_help="text", rows=2, description=_(
        "ct_measure_help", default="Short and concrete: who does what, when and where."))
    arena = _choice(_("ct_arena", default="Arena"), ARENA_LABELS)
    party = _choice(_("ct_party", default="Responsible"), PARTY_LABELS, missing="")
    actor = colander.SchemaNode(colander.String(), title=_("ct_actor",
                                                           default="Responsible employee"),
                                missing="", widget=_deferred_actor_widget,
                                # the rule says why an employee cannot be chosen (R7, R25)
                                validator=line(64))
    start = _date(_("ct_start", default="Start"))
    deadline = _date(_("ct_deadline", default="Evaluation deadline"))


class CorrectMeasureSchema(colander.Schema):
    """R27: the text of a measure, within 8 hours of its creation."""

    text = _text(_("ct_measure", default="Measure"), writing_help="text", rows=2)


class EvaluationSchema(colander.Schema):
    """R27: once, in a meeting; the service speaks first and the family has the last word."""

    meeting = colander.SchemaNode(colander.String(), title=_("ct_meeting", default="Meeting"),
                                  missing_msg=REQUIRED, widget=_deferred_meeting_widget,
                                  validator=deferred_one_of("meeting_choices"))
    service_view = _text(_("ct_service_view", default="The service's view"), writing_help="text")
    decision = _choice(_("ct_decision", default="Decision"), DECISION_LABELS)
    family_verdict = _choice(_("ct_family_verdict", default="The family's verdict"),
                            VERDICT_LABELS)
    family_comment = _text(_("ct_family_comment", default="The family's comment"), missing="")


@colander.deferred
def _deferred_attendee_checkboxes(node, kw):
    return deform.widget.CheckboxChoiceWidget(values=list(kw.get("attendee_choices", ())))


@colander.deferred
def _deferred_only_attendees(node, kw):
    return only(value for value, _label in kw.get("attendee_choices", ()))


class MeetingSchema(colander.Schema):
    """R29: date, agenda, participants (ticked among the log's people, or written), minute-taker,
    summary, linked concerns."""

    date = _date(_("ct_meeting_date", default="Date"))
    start_time = colander.SchemaNode(
        colander.Time(), title=_("ct_meeting_time", default="Time"), missing=None,
        widget=deform.widget.TextInputWidget(attributes={"type": "time"}))
    place = _line(_("ct_meeting_place", default="Place"), missing="")
    agenda = _text(_("ct_agenda", default="Agenda"), missing="")
    attendees = colander.SchemaNode(colander.Set(), title=_("ct_attendees", default="Present"),
                                    missing=(), widget=_deferred_attendee_checkboxes,
                                    validator=_deferred_only_attendees)
    participants = _text(_("ct_other_participants",
                           default="Others present (one per line)"), rows=2, missing="")
    minute_taker = _line(_("ct_minute_taker", default="Minute-taker"), missing="")
    summary = _text(_("ct_summary", default="Summary"), writing_help="text", missing="", rows=5)
    concern_ids = colander.SchemaNode(colander.Set(), title=_("ct_linked_concerns",
                                                              default="Concerns discussed"),
                                      missing=(), widget=_deferred_concern_checkboxes,
                                      validator=_deferred_only_concerns)


class GlimpseSchema(colander.Schema):
    """R30: a short positive update."""

    text = _text(_("ct_glimpse", default="Glimpse"), rows=2, max_length=GLIMPSE_MAX,
                 description=_("ct_glimpse_help",
                               default="A short, positive update for the child and family."))


class LogNoteSchema(colander.Schema):
    """R31: a holder's note, on a concern or the whole log, with an optional PDF."""

    text = _text(_("ct_note", default="Note"), writing_help="text", rows=4)
    concern_id = colander.SchemaNode(colander.String(), title=_("ct_note_concern",
                                                                default="About"),
                                     missing="", widget=_deferred_concern_select,
                                     validator=deferred_one_of("concern_choices"))
    visibility = _choice(_("ct_visibility", default="Who may read it"), VISIBILITY_LABELS,
                        missing=str(NoteVisibility.FAMILY))
    attachment = colander.SchemaNode(
        deform.FileData(), title=_("ct_attachment", default="PDF attachment"), missing=None,
        validator=uploaded_file,
        widget=upload_widget)


class PrivateNoteSchema(colander.Schema):
    """R8: visible to its author only."""

    text = _text(_("ct_private_note", default="Private note"), rows=4, description=_(
        "ct_private_note_help", default="Only you can read this note, never your leader."))
