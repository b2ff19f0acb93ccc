"""A family's request for a log (R41): new -> requested -> assigned | declined | withdrawn.

The asker sends it (``send_request``); the unit's leader names a holder, which opens a
draft log held by them with the family in it (``assign``), or declines with a reason shown
to the family (``decline``); the asker may withdraw it while it waits (``withdraw``). Every
answer ends the request's hold on the child's data (``LogRequest.forget_the_family``)."""

from __future__ import annotations

from ..models.base import utcnow
from ..models.identity import age_on
from ..models.log import Level, SubjectKind
from ..models.log_request import AskedFor, LogRequest
from ..security import SUBJECT_LOGIN_AGE
from ..security import Permission as P
from ..services import notify
from .content import open_draft
from .engine import Step, TransitionSpec, Workflow, create, refuse, register

ADULT_AGE = 18


# -- guards (each names the rule it enforces) --------------------------------------------
def asker_may_ask(step: Step) -> None:
    """R9, R41: a youth asks for themselves from 16; a guardian asking for a child is an
    adult, and the child is under 18 and someone else."""
    ask = step.obj
    asker_age = age_on(ask.asker_fnr)
    if ask.asked_for == AskedFor.SELF:
        if asker_age < SUBJECT_LOGIN_AGE:
            refuse("req_too_young_for_self", "R41")
        return
    if asker_age < ADULT_AGE:
        refuse("req_guardian_not_adult", "R41")
    if ask.subject_fnr == ask.asker_fnr:
        refuse("req_child_is_asker", "R41")
    if age_on(ask.subject_fnr) >= ADULT_AGE:
        refuse("req_child_is_adult", "R41")


def holder_in_the_unit(step: Step) -> None:
    """R1: the holder is an active employee of the asked unit who may hold logs."""
    unit = step.obj.unit
    holder = unit.employees.get(step.params.get("holder_id") or "")
    if holder is None or not holder.active or not holder.may_hold:
        refuse("req_choose_holder", "R41")


def has_reason(step: Step) -> None:
    if not step.reason.strip():
        refuse("req_decline_needs_reason", "R41")


# -- effects ------------------------------------------------------------------------------
def queue(step: Step) -> None:
    step.obj.unit.queue_request(step.obj)


def unqueue(step: Step) -> None:
    step.obj.unit.unqueue_request(step.obj)


def open_the_log(step: Step) -> None:
    """A draft held by the named holder, with the asker as guardian (or, for a youth, the
    youth as subject); the leader opens it on the holder's behalf (R6, R13)."""
    ask, unit = step.obj, step.obj.unit
    holder = unit.employees[step.params["holder_id"]]
    log = open_draft(unit.municipality, holder, _draft_data(ask), step.actor,
                     request=step.request)
    ask.log_id, ask.holder_id = log.id, holder.id


def _draft_data(ask: LogRequest) -> dict:
    guardians = [] if ask.asked_for == AskedFor.SELF else [{
        "guardian_id": "", "name": ask.asker_name, "email": ask.email, "phone": ask.phone,
        "guardian_fnr": ask.asker_fnr, "lives_with_child": True, "protected": False}]
    kind = SubjectKind.YOUTH if ask.asked_for == AskedFor.SELF else SubjectKind.CHILD
    return {"subject_name": ask.subject_name, "fnr": ask.subject_fnr, "kind": kind,
            "level": Level.ONE, "guardians": guardians, "guardians_live_together": True}


def record_answer(step: Step) -> None:
    step.obj.answered = utcnow()
    if step.obj.state == "declined":
        step.obj.reason = step.reason.strip()


def tell_the_family(step: Step) -> None:
    notify.log_request_answered(step.obj, step.request)


def forget_the_family(step: Step) -> None:
    step.obj.forget_the_family()


LOG_REQUEST_WORKFLOW = register(LogRequest, Workflow(
    "log_request",
    states=["new", "requested", "assigned", "declined", "withdrawn"],
    transitions=[
        TransitionSpec("send", "new", "requested", P.ASK_FOR_LOG, guards=(asker_may_ask,),
                       effects=(queue,)),
        TransitionSpec("assign", "requested", "assigned", P.ANSWER_REQUEST,
                       guards=(holder_in_the_unit,),
                       effects=(unqueue, open_the_log, record_answer, tell_the_family,
                                forget_the_family)),
        TransitionSpec("decline", "requested", "declined", P.ANSWER_REQUEST,
                       guards=(has_reason,),
                       effects=(unqueue, record_answer, tell_the_family, forget_the_family)),
        TransitionSpec("withdraw", "requested", "withdrawn", P.WITHDRAW_REQUEST,
                       effects=(unqueue, record_answer, forget_the_family)),
    ],
))


def send_request(unit, data: dict, account, request=None) -> LogRequest:
    """R41: the request as the asker filled it in; their own number comes from their
    ID-porten login, never from the form. A first request names the account too."""
    if not account.fnr:
        refuse("req_needs_idporten", "R41")
    for_self = data["asked_for"] == AskedFor.SELF
    ask = LogRequest(account.username, account.fnr, data["asker_name"], data["asked_for"],
                     data["asker_name"] if for_self else data["subject_name"],
                     account.fnr if for_self else data["subject_fnr"],
                     email=data["email"], phone=data["phone"], message=data["message"])
    create(unit.log_requests, ask, "send", account, request=request)
    if not account.display_name:
        account.display_name = data["asker_name"]
    return ask
