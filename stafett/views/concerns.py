"""Concerns, goals and measures in the browser (R24-R28): only the holder writes (R2)."""

from __future__ import annotations

import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config, view_defaults

from ..forms import field_errors
from ..forms.log_content import (
    ConcernSchema,
    CorrectMeasureSchema,
    EvaluationSchema,
    MeasureSchema,
)
from ..i18n import _
from ..messages import message_for
from ..models.base import DomainError, today, utcnow
from ..models.concern import TEXT_CORRECTION_WINDOW, Concern, Evaluation, Goal, Measure
from ..models.log import Level, Log
from ..security import Permission
from ..workflows import WorkflowError, add_measure, fire
from .log_content import (
    FORM_PAGE,
    concern_item,
    content_form,
    form_page,
    hints_for,
    log_of,
    refuse_field,
    saved,
)

SAVE = _("ct_save", default="Save")
MEASURE_FIELD_OF_ERROR = {
    "measure_one_party": "actor",
    "measure_deadline_before_start": "deadline",
    "measure_actor_may_not_act": "actor",
    "measure_actor_outside_unit": "actor",
    "measure_actor_has_active_measure": "actor",
    "measure_text_fixed": "text",
}


# -- concerns and goals -------------------------------------------------------------------
def _concern_hints(request, data: dict) -> list[dict]:
    schema = ConcernSchema()
    return hints_for(request, {
        schema["text"].title: (data.get("text", ""), "text"),
        schema["goal"].title: (data.get("goal", ""), "goal"),
        schema["sub_goals"].title: (data.get("sub_goals", ""), "goal"),
    })


def _goal_rev(goal) -> str:
    return goal.created.isoformat() if goal is not None else ""


def save_goal(concern: Concern, text: str, sub_goals_text: str, base: str) -> None:
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
                  and _goal_rev(concern.former_goals[-1]) == base and _goal_rev(goal) != base)
    if continuing:
        goal.text, goal.sub_goals = text, sub_goals
    else:
        concern.set_goal(Goal(text, sub_goals))


def apply_concern(concern: Concern, data: dict) -> None:
    concern.text = data["text"]
    concern.category = data["category"]
    concern.maintaining_factors = data.get("maintaining_factors", "")
    save_goal(concern, data.get("goal", ""), data.get("sub_goals", ""),
              data.get("goal_base", ""))


@view_config(context=Log, name="add-concern", renderer=FORM_PAGE, permission=Permission.EDIT)
def add_concern(request):
    """R24/R28: the concern and its goal are stored the moment the form is sent."""
    log = request.context
    form = content_form(ConcernSchema(), request, "concern-form",
                        _("ct_save_concern", default="Save concern"))
    page = dict(title=_("ct_add_concern", default="New concern"), log=log,
                back_url=request.resource_url(log))
    if request.method != "POST":
        return form_page(request, form.render(), **page)
    try:
        data = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        return form_page(request, failure.render(), errors=field_errors(failure.field),
                         **page)
    concern = log.concerns.add(Concern(data["text"], data["category"],
                                       request.identity.employee_id))
    apply_concern(concern, data)
    log.touch()
    return saved(request, concern, "concern-form",
                 _("ct_concern_saved", default="The concern is saved. Add the measures."))


@view_config(context=Concern, renderer="stafett:templates/log/content/concern.pt",
             permission=Permission.VIEW)
def concern_page(request):
    concern = request.context
    log = log_of(concern)
    may_edit = request.has_permission(Permission.EDIT, concern)
    return {"log": log, "item": concern_item(request, log, concern), "may_edit": may_edit,
            "hints": _page_hints(request, concern) if may_edit else [],
            "meetings": log.meetings, "former_goals": concern.former_goals}


def _page_hints(request, concern: Concern) -> list[dict]:
    """Writing help after a save (R32): saving is never blocked, the page shows the hints
    for the texts the holder can still change (measures only within their 8 hours)."""
    goal = concern.goal
    hints = _concern_hints(request, {"text": concern.text, "goal": goal.text if goal else "",
                                     "sub_goals": "\n".join(goal.sub_goals) if goal else ""})
    title = MeasureSchema()["text"].title
    for measure in concern.active_measures():
        if utcnow() - measure.created <= TEXT_CORRECTION_WINDOW:
            hints += hints_for(request, {title: (measure.text, "text")})
    return hints


@view_config(context=Concern, name="edit", renderer=FORM_PAGE, permission=Permission.EDIT)
def edit_concern(request):
    concern = request.context
    log = log_of(concern)
    form = content_form(ConcernSchema(), request, f"concern-{concern.id}", SAVE)
    form.action = request.resource_url(concern, "edit")
    form.widget.attributes["data-autosave-url"] = request.resource_url(concern, "autosave")
    page = dict(title=_("ct_edit_concern", default="Change the concern and goal"), log=log,
                back_url=request.resource_url(concern))
    if request.method != "POST":
        goal = concern.goal
        return form_page(request, form.render({
            "text": concern.text, "category": str(concern.category),
            "goal": goal.text if goal else "",
            "sub_goals": "\n".join(goal.sub_goals) if goal else "",
            "maintaining_factors": concern.maintaining_factors,
            "goal_base": _goal_rev(goal)}), **page)
    try:
        data = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        return form_page(request, failure.render(), errors=field_errors(failure.field),
                         **page)
    apply_concern(concern, data)
    log.touch()
    return saved(request, concern, f"concern-{concern.id}",
                 _("ct_concern_saved_short", default="The concern is saved."))


@view_config(context=Concern, name="autosave", request_method="POST", renderer="json",
             permission=Permission.EDIT)
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
    apply_concern(concern, data)
    log_of(concern).touch()
    return {"saved": True, "hints": _concern_hints(request, data)}


@view_config(context=Concern, name="close", request_method="POST", permission=Permission.EDIT)
def close_concern(request):
    """R24: a concern is closed when its goal is met."""
    concern = request.context
    if concern.closed is None:
        concern.close()
        log_of(concern).touch()
    request.session.flash(request.translate(_("ct_concern_closed",
                                              default="The concern is closed.")))
    return HTTPSeeOther(location=request.resource_url(concern))


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


def _measure_form(request, log, formid, button) -> deform.Form:
    return content_form(MeasureSchema(), request, formid, button,
                        actor_choices=actor_choices(log))


def _text(request, error: DomainError) -> str:
    return request.translate(message_for(error))


def _refused(request, form, page, error: DomainError):
    field = MEASURE_FIELD_OF_ERROR.get(error.msg)
    if field is None:
        return form_page(request, form.render(), errors=[(None, _text(request, error))],
                         **page)
    html, errors = refuse_field(request, form, field, error)
    return form_page(request, html, errors=errors, **page)


@view_config(context=Concern, name="add-measure", renderer=FORM_PAGE,
             permission=Permission.EDIT)
def add_measure_view(request):
    """R25: one responsible party, an arena, a start and an evaluation deadline."""
    concern = request.context
    log = log_of(concern)
    form = _measure_form(request, log, f"measure-{concern.id}",
                         _("ct_save_measure", default="Save measure"))
    page = dict(title=_("ct_add_measure", default="New measure"), log=log,
                back_url=request.resource_url(concern), intro=concern.text)
    if request.method != "POST":
        start = today()
        return form_page(request, form.render({"start": start, "party": "actor"}), **page)
    try:
        data = form.validate(request.POST.items())
        measure = add_measure(concern, measure_from(data), request.identity, request=request)
    except deform.ValidationFailure as failure:
        return form_page(request, failure.render(), errors=field_errors(failure.field),
                         **page)
    except DomainError as error:
        return _refused(request, form, page, error)
    return saved(request, concern, f"measure-{concern.id}",
                 _("ct_measure_saved", default="The measure is saved."), anchor=measure.id)


@view_defaults(context=Measure, renderer=FORM_PAGE, permission=Permission.EDIT)
class MeasureViews:
    def __init__(self, context, request):
        self.measure, self.request = context, request
        self.concern = context.concern
        self.log = log_of(context)

    def page(self, title) -> dict:
        return dict(title=title, log=self.log, intro=self.measure.text,
                    back_url=self.request.resource_url(self.concern))

    @view_config(name="correct")
    def correct(self):
        """R27: the text can be corrected within 8 hours of creation, then it is fixed."""
        request = self.request
        formid = f"correct-{self.measure.id}"
        form = content_form(CorrectMeasureSchema(), request, formid, SAVE)
        page = self.page(_("ct_correct_measure", default="Correct the measure's text"))
        if request.method != "POST":
            return form_page(request, form.render({"text": self.measure.text}), **page)
        try:
            data = form.validate(request.POST.items())
            self.measure.correct_text(data["text"])
        except deform.ValidationFailure as failure:
            return form_page(request, failure.render(),
                             errors=field_errors(failure.field), **page)
        except DomainError as error:
            return _refused(request, form, page, error)
        self.log.touch()
        return saved(request, self.concern, formid,
                     _("ct_measure_corrected", default="The text is corrected."),
                     anchor=self.measure.id)

    @view_config(name="evaluate")
    def evaluate(self):
        """R27: once, in a meeting, with the family's verdict last."""
        request = self.request
        formid = f"evaluate-{self.measure.id}"
        meetings = sorted(self.log.meetings.values(), key=lambda m: m.date, reverse=True)
        form = content_form(EvaluationSchema(), request, formid,
                            _("ct_save_evaluation", default="Save evaluation"),
                            meeting_choices=[(m.id, f"{request.fmt.date(m.date)} "
                                                    f"{m.agenda[:60]}") for m in meetings])
        page = self.page(_("ct_evaluate_measure", default="Evaluate the measure"))
        if request.method != "POST":
            errors = [] if meetings else [request.translate(_(
                "ct_evaluation_no_meeting",
                default="A measure is evaluated in a meeting: add the meeting first."))]
            return form_page(request, form.render(), errors=errors, **page)
        try:
            data = form.validate(request.POST.items())
            evaluation = Evaluation(data["meeting"], data["service_view"],
                                    data["family_verdict"], data["decision"],
                                    data["family_comment"], request.identity.employee_id)
            fire(self.measure, "evaluate", request.identity, evaluation=evaluation,
                 request=request)
        except deform.ValidationFailure as failure:
            return form_page(request, failure.render(),
                             errors=field_errors(failure.field), **page)
        except WorkflowError as error:
            field = "meeting" if error.msg == "measure_evaluation_needs_meeting" else None
            if field is None:
                return form_page(request, form.render(),
                                 errors=[(None, _text(request, error))], **page)
            html, errors = refuse_field(request, form, field, error)
            return form_page(request, html, errors=errors, **page)
        return saved(request, self.concern, formid,
                     _("ct_evaluation_saved", default="The evaluation is saved."),
                     anchor=self.measure.id)

    @view_config(name="misregister")
    def misregister(self):
        """R27: mark misregistered and enter the corrected measure in one step."""
        request = self.request
        formid = f"misregister-{self.measure.id}"
        form = _measure_form(request, self.log, formid,
                             _("ct_save_replacement", default="Replace the measure"))
        page = self.page(_("ct_misregister_measure",
                           default="Misregistered: enter the corrected measure"))
        old = self.measure
        if request.method != "POST":
            return form_page(request, form.render({
                "text": old.text, "arena": str(old.arena), "party": str(old.party),
                "actor": old.actor_id or "", "start": today(), "deadline": old.deadline}),
                **page)
        try:
            data = form.validate(request.POST.items())
            replacement = measure_from(data)
            fire(old, "misregister", request.identity, replacement=replacement,
                 request=request)
        except deform.ValidationFailure as failure:
            return form_page(request, failure.render(),
                             errors=field_errors(failure.field), **page)
        except DomainError as error:
            return _refused(request, form, page, error)
        return saved(request, self.concern, formid,
                     _("ct_measure_replaced", default="The measure is marked misregistered "
                                                      "and replaced."),
                     anchor=replacement.id)
