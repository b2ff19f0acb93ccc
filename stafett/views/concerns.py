"""Concerns, goals and measures in the browser (R24-R28): only the holder writes (R2)."""

from __future__ import annotations

import colander
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from ..forms.log_content import (
    ConcernSchema,
    CorrectMeasureSchema,
    EvaluationSchema,
    MeasureSchema,
)
from ..i18n import _
from ..models.base import today, utcnow
from ..models.concern import TEXT_CORRECTION_WINDOW, Concern, Evaluation, Measure
from ..models.log import Level, Log
from ..security import Permission
from ..workflows import add_measure, family, fire
from ..workflows.content import (
    add_concern,
    close_concern,
    correct_measure_text,
    edit_concern,
    goal_revision,
)
from . import in_meeting_mode, log_home
from .formview import FORM_PAGE, FormView
from .log_content import concern_item, family_views, hints_for, log_of

P = Permission


# -- concerns and goals -------------------------------------------------------------------
def concern_hints(request, data: dict) -> list[dict]:
    schema = ConcernSchema()
    return hints_for(request, {
        schema["text"].title: (data.get("text", ""), "text"),
        schema["goal"].title: (data.get("goal", ""), "goal"),
        schema["sub_goals"].title: (data.get("sub_goals", ""), "goal"),
    })


@view_config(context=Log, name="add-concern", renderer=FORM_PAGE, permission=P.EDIT)
class AddConcern(FormView):
    """R24/R28: the concern and its goal are stored the moment the form is sent."""

    schema_factory = ConcernSchema
    formid = "concern-form"
    title = _("ct_add_concern", default="New concern")
    button = _("ct_save_concern", default="Save concern")

    def success(self, data):
        concern = add_concern(self.log, data, self.request.identity, request=self.request)
        return self.done(concern, _("ct_concern_saved",
                                    default="The concern is saved. Add the measures."))


@view_config(context=Concern, name="edit", renderer=FORM_PAGE, permission=P.EDIT)
class EditConcern(FormView):
    schema_factory = ConcernSchema
    title = _("ct_edit_concern", default="Change the concern and goal")

    @property
    def formid(self) -> str:
        return f"concern-{self.context.id}"

    def form(self):
        form = super().form()
        form.action = self.request.resource_url(self.context, "edit")
        form.widget.attributes["data-autosave-url"] = self.request.resource_url(
            self.context, "autosave")
        return form

    def back_url(self) -> str:
        return self.request.resource_url(self.context)

    def appstruct(self) -> dict:
        concern, goal = self.context, self.context.goal
        return {"text": concern.text, "category": str(concern.category),
                "goal": goal.text if goal else "",
                "sub_goals": "\n".join(goal.sub_goals) if goal else "",
                "maintaining_factors": concern.maintaining_factors,
                "goal_base": goal_revision(goal)}

    def success(self, data):
        edit_concern(self.context, data, self.request.identity, request=self.request)
        return self.done(self.context, _("ct_concern_saved_short",
                                         default="The concern is saved."))


@view_config(context=Concern, renderer="stafett:templates/log/content/concern.pt",
             permission=P.VIEW)
def concern_page(request):
    concern = request.context
    log = log_of(concern)
    may_edit = request.has_permission(P.EDIT, concern)
    return {"log": log, "item": concern_item(request, log, concern), "may_edit": may_edit,
            "back_url": log_home(request, log),
            "hints": _page_hints(request, concern) if may_edit else [],
            "meetings": log.meetings, "former_goals": concern.former_goals}


def _page_hints(request, concern: Concern) -> list[dict]:
    """Writing help after a save (R32): saving is never blocked, the page shows the hints
    for the texts the holder can still change (measures only within their 8 hours)."""
    goal = concern.goal
    hints = concern_hints(request, {"text": concern.text, "goal": goal.text if goal else "",
                                    "sub_goals": "\n".join(goal.sub_goals) if goal else ""})
    title = MeasureSchema()["text"].title
    for measure in concern.active_measures():
        if utcnow() - measure.created <= TEXT_CORRECTION_WINDOW:
            hints += hints_for(request, {title: (measure.text, "text")})
    return hints


@view_config(context=Concern, name="autosave", request_method="POST", renderer="json",
             permission=P.EDIT)
def autosave_concern(request):
    """R28: the concern and goal are saved while the holder types (static/autosave.js)."""
    concern = request.context
    schema = ConcernSchema().bind(request=request)
    try:
        data = schema.deserialize({k: request.POST.get(k, "") for k in
                                   ("text", "category", "goal", "sub_goals",
                                    "maintaining_factors", "goal_base")})
    except colander.Invalid as invalid:
        request.response.status = 422
        return {"saved": False, "errors": invalid.asdict(translate=request.translate)}
    edit_concern(concern, data, request.identity, request=request)
    return {"saved": True, "hints": concern_hints(request, data)}


@view_config(context=Concern, name="close", request_method="POST", permission=P.EDIT)
def close(request):
    """R24: a concern is closed when its goal is met."""
    close_concern(request.context, request.identity, request=request)
    request.notice(request.translate(_("ct_concern_closed",
                                       default="The concern is closed.")))
    return HTTPSeeOther(location=request.resource_url(request.context))


# -- measures -----------------------------------------------------------------------------
def actor_choices(log: Log) -> list[tuple[str, str]]:
    """R7: on level 1 only the holder's own unit; on levels 2-3 every unit. R1: may act."""
    municipality = log.municipality
    employees = [e for e in municipality.employees.values() if e.active and e.may_act]
    if log.level == Level.ONE:
        return [(e.id, e.name) for e in employees if e.unit_id == log.unit_id]
    return sorted(((e.id, f"{e.name} ({e.unit.name})") for e in employees),
                  key=lambda choice: choice[1])


def measure_from(data: dict) -> Measure:
    """Raises DomainError (R25) when the parties or dates do not add up."""
    return Measure(data["text"], data["party"], data["arena"], data["start"], data["deadline"],
                   data["actor"] or None)


MEASURE_FIELDS = {
    "measure_one_party": "actor",
    "measure_deadline_before_start": "deadline",
    "measure_actor_may_not_act": "actor",
    "measure_actor_outside_unit": "actor",
    "measure_actor_has_active_measure": "actor",
    "measure_actor_unit_needs_consent": "actor",
    "measure_text_fixed": "text",
    "measure_evaluation_needs_meeting": "meeting",
}


class MeasureForm(FormView):
    """The forms on a concern's measures: back to the concern, its text as the intro."""

    field_of_refusal = MEASURE_FIELDS

    @property
    def concern(self) -> Concern:
        return self.context if isinstance(self.context, Concern) else self.context.concern

    @property
    def intro(self) -> str:
        return self.context.text

    def back_url(self) -> str:
        return self.request.resource_url(self.concern)

    def bind(self) -> dict:
        choices = actor_choices(self.log)
        if in_meeting_mode(self.request, self.log):  # R34: no name from outside the log
            taking_part = set(self.log.staff_ids())
            choices = [(id_, name) for id_, name in choices if id_ in taking_part]
        return dict(super().bind(), actor_choices=choices)


@view_config(context=Concern, name="add-measure", renderer=FORM_PAGE, permission=P.EDIT)
class AddMeasure(MeasureForm):
    """R25: one responsible party, an arena, a start and an evaluation deadline."""

    schema_factory = MeasureSchema
    title = _("ct_add_measure", default="New measure")
    button = _("ct_save_measure", default="Save measure")

    @property
    def formid(self) -> str:
        return f"measure-{self.context.id}"

    def appstruct(self) -> dict:
        return {"start": today(), "party": "actor"}

    def success(self, data):
        measure = add_measure(self.context, measure_from(data), self.request.identity,
                              request=self.request)
        return self.done(self.context, _("ct_measure_saved", default="The measure is saved."),
                         anchor=measure.id)


@view_config(context=Measure, name="correct", renderer=FORM_PAGE, permission=P.EDIT)
class CorrectMeasure(MeasureForm):
    """R27: the text can be corrected within 8 hours of creation, then it is fixed."""

    schema_factory = CorrectMeasureSchema
    title = _("ct_correct_measure", default="Correct the measure's text")

    @property
    def formid(self) -> str:
        return f"correct-{self.context.id}"

    def appstruct(self) -> dict:
        return {"text": self.context.text}

    def success(self, data):
        correct_measure_text(self.context, data["text"], self.request.identity,
                             request=self.request)
        return self.done(self.concern, _("ct_measure_corrected",
                                         default="The text is corrected."),
                         anchor=self.context.id)


@view_config(context=Measure, name="evaluate", renderer=FORM_PAGE, permission=P.EDIT)
class EvaluateMeasure(MeasureForm):
    """R27: once, in a meeting, with the family's verdict last."""

    schema_factory = EvaluationSchema
    title = _("ct_evaluate_measure", default="Evaluate the measure")
    button = _("ct_save_evaluation", default="Save evaluation")

    @property
    def formid(self) -> str:
        return f"evaluate-{self.context.id}"

    def meetings(self) -> list:
        return sorted(self.log.meetings.values(), key=lambda m: m.date, reverse=True)

    @property
    def intro(self) -> str:
        """The measure, and what the family noted on it before the meeting (R27)."""
        t = self.request.translate
        noted = [" ".join(filter(None, (f"{v['who']}:", t(v["verdict"]) if v["verdict"]
                                        else "", f"«{v['comment']}»" if v["comment"] else "")))
                 for v in family_views(self.request, self.log, self.context)]
        if not noted:
            return self.context.text
        heading = t(_("ct_family_views_before", default="The family before the meeting"))
        return f"{self.context.text} — {heading}: {'; '.join(noted)}"

    def appstruct(self) -> dict:
        """The family's verdict is theirs to give in the meeting; when what they noted
        before agrees, it is filled in for them to confirm."""
        verdicts = {str(v.verdict) for v in family.verdicts_on(self.log, self.context)
                    if v.verdict}
        held = family.todays_meeting(self.log) or family.last_meeting_held(self.log)
        values = {"meeting": held.id} if held else {}
        return dict(values, family_verdict=verdicts.pop()) if len(verdicts) == 1 else values

    def bind(self) -> dict:
        fmt = self.request.fmt
        return dict(super().bind(), meeting_choices=[
            (m.id, f"{fmt.date(m.date)} {m.agenda[:60]}") for m in self.meetings()])

    def page(self, form_html: str, errors=(), error=None) -> dict:
        if not self.meetings() and error is None and not errors:
            error = self.request.translate(_(
                "ct_evaluation_no_meeting",
                default="A measure is evaluated in a meeting: add the meeting first."))
        return super().page(form_html, errors, error)

    def success(self, data):
        evaluation = Evaluation(data["meeting"], data["service_view"], data["family_verdict"],
                                data["decision"], data["family_comment"],
                                self.request.identity.employee_id)
        fire(self.context, "evaluate", self.request.identity, evaluation=evaluation,
             request=self.request)
        return self.done(self.concern, _("ct_evaluation_saved",
                                         default="The evaluation is saved."),
                         anchor=self.context.id)


@view_config(context=Measure, name="misregister", renderer=FORM_PAGE, permission=P.EDIT)
class MisregisterMeasure(MeasureForm):
    """R27: mark misregistered and enter the corrected measure in one step."""

    schema_factory = MeasureSchema
    title = _("ct_misregister_measure", default="Misregistered: enter the corrected measure")
    button = _("ct_save_replacement", default="Replace the measure")

    @property
    def formid(self) -> str:
        return f"misregister-{self.context.id}"

    def appstruct(self) -> dict:
        old = self.context
        return {"text": old.text, "arena": str(old.arena), "party": str(old.party),
                "actor": old.actor_id or "", "start": today(), "deadline": old.deadline}

    def success(self, data):
        replacement = measure_from(data)
        fire(self.context, "misregister", self.request.identity, replacement=replacement,
             request=self.request)
        return self.done(self.concern, _("ct_measure_replaced", default=(
            "The measure is marked misregistered and replaced.")), anchor=replacement.id)
