"""Schemas for what the family and the child bring (R27, R40): the child's voice, the
family's view of each measure before a meeting, and the answer after a meeting."""

from __future__ import annotations

import colander
import deform

from ..i18n import _
from ..models.family import VoiceWay
from .log_content import (
    REQUIRED,
    VERDICT_LABELS,
    _choices,
    _deferred_concern_select,
    _deferred_meeting_widget,
    _text,
)
from .validators import deferred_one_of, one_of, strip, text

WAY_LABELS = {
    VoiceWay.IN_MEETING: _("fam_way_in_meeting", default="The child said it in the meeting"),
    VoiceWay.TALK_BEFORE: _("fam_way_talk_before",
                            default="In a talk with the child before the meeting"),
    VoiceWay.TALK_AFTER: _("fam_way_talk_after",
                           default="In a talk with the child after the meeting"),
    VoiceWay.OWN_WORDS: _("fam_way_own_words", default="In the child's own words"),
}
FEEDBACK_QUESTION = _("fam_feedback_question",
                      default="Is there anything about this meeting you think could have "
                              "been different?")


@colander.deferred
def _deferred_concern_choice(node, kw):
    return one_of([""] + [value for value, _label in kw.get("concern_choices", ())])


def _meeting_node() -> colander.SchemaNode:
    return colander.SchemaNode(
        colander.String(), title=_("fam_voice_meeting", default="Meeting"),
        missing_msg=REQUIRED, widget=_deferred_meeting_widget,
        validator=deferred_one_of("meeting_choices"))


def _concern_node() -> colander.SchemaNode:
    return colander.SchemaNode(
        colander.String(), title=_("fam_voice_concern", default="About"), missing="",
        widget=_deferred_concern_select, validator=_deferred_concern_choice)


class VoiceSchema(colander.Schema):
    """R40: what the child said or wished, with a meeting and perhaps a concern."""

    meeting_id = _meeting_node()
    concern_id = _concern_node()
    way = colander.SchemaNode(
        colander.String(), title=_("fam_voice_way", default="How the child was heard"),
        missing_msg=REQUIRED, validator=one_of(str(w) for w in WAY_LABELS),
        widget=deform.widget.RadioChoiceWidget(values=_choices(WAY_LABELS)))
    text = _text(_("fam_voice_text", default="What the child said or wished"), rows=4,
                 writing_help="text", description=_(
                     "fam_voice_help", default="In the child's own words where you can: "
                                               "«Jeg vil sitte ved vinduet.»"))


class OwnVoiceSchema(colander.Schema):
    """The youth, or a child with their own login, writes in their own words."""

    meeting_id = _meeting_node()
    concern_id = _concern_node()
    text = _text(_("fam_own_voice_text", default="What you want to say"), rows=5)


def verdicts_schema(measures: list[tuple[str, str, str]]) -> colander.Schema:
    """For each measure the meeting is to evaluate (id, text, who and when): how it went
    (``v-<id>``) and what to add (``c-<id>``). Flat, not one mapping per measure, so each
    measure's radio buttons form their own group in the browser."""
    schema = colander.Schema()
    values = [("", _("fam_no_view", default="I will say it in the meeting"))] \
        + _choices(VERDICT_LABELS)
    for measure_id, measure_text, who_and_when in measures:
        schema.add(colander.SchemaNode(
            colander.String(), name=f"v-{measure_id}", title=measure_text,
            description=who_and_when, missing="",
            validator=one_of([v for v, _label in values]),
            widget=deform.widget.RadioChoiceWidget(values=values)))
        schema.add(colander.SchemaNode(
            colander.String(), name=f"c-{measure_id}",
            title=_("fam_comment", default="What you want to add"), missing="",
            preparer=strip, validator=text(1000),
            widget=deform.widget.TextAreaWidget(attributes={"rows": "2"})))
    return schema


class FeedbackSchema(colander.Schema):
    """After the meeting: the guides' question, in the family's words."""

    text = _text(FEEDBACK_QUESTION, rows=5)
