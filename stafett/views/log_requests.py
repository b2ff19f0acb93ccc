"""A family asks a unit for a log (R41): the municipality's public page and form, the
request's own page, the asker's withdrawal, and the unit leader's answers (a holder named,
or declined with a reason) from the console's "Requests" tab. Every change goes through
``workflows.log_request``; reads of a waiting request's child are journaled."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from .. import audit
from ..forms.admin import SERVICE_NAMES
from ..forms.log_request import log_request_schema
from ..forms.validators import posted_text
from ..i18n import _
from ..models.base import DomainError
from ..models.log_request import LogRequest
from ..models.org import Municipality, ServiceType, Unit
from ..models.search import logs_of_child, who_holds
from ..security import Permission, request_principals
from ..workflows import fire, send_request
from .admin import flash_error
from .formview import FormView
from .read_journal import journal_read

P = Permission
ASKABLE_SERVICES = (ServiceType.KINDERGARTEN, ServiceType.SCHOOL, ServiceType.HEALTH_STATION,
                    ServiceType.OTHER)
REQUESTS_SHOWN = 50  # the oldest waiting; the next appear as these are answered


def askable_units(municipality: Municipality) -> list[Unit]:
    """Units a family asks for a log (R41): services that meet children and families, with
    a leader to answer."""
    return sorted((u for u in municipality.units.values()
                   if u.service in ASKABLE_SERVICES and municipality.unit_leaders(u.id)),
                  key=lambda u: u.name)


STATE_TEXTS = {
    "requested": _("req_state_requested", default="Sent to ${unit}. The leader there chooses "
                                                  "who will hold the log and contacts you."),
    "assigned": _("req_state_assigned", default="${holder} has been given the log and will "
                                                "contact you to agree on consent and a first "
                                                "meeting."),
    "declined": _("req_state_declined", default="Declined: ${reason}"),
    "withdrawn": _("req_state_withdrawn", default="You withdrew the request."),
}


def state_text(ask: LogRequest):
    """What happens next, in plain words for the family (R32, R41)."""
    unit = ask.unit
    holder = unit.employees.get(ask.holder_id or "")
    mapping = {"unit": unit.name, "reason": ask.reason,
               "holder": holder.name if holder is not None else unit.name}
    return _(STATE_TEXTS[ask.state], mapping=mapping)


def journal_request_read(request, log_request: LogRequest) -> None:
    """A waiting request names a child: its reader is journaled like a log's (Normen)."""
    if log_request.subject_fnr:
        audit.record_request_read(request, log_request,
                                  request_principals(request, log_request))


# -- the municipality's public page and the form -------------------------------------------
@view_config(context=Municipality, name="ask-for-log", request_method="GET",
             renderer="stafett:templates/requests/ask.pt", permission=NO_PERMISSION_REQUIRED)
@view_config(context=Municipality, name="ask-for-log", request_method="POST",
             renderer="stafett:templates/requests/ask.pt", permission=P.ASK_FOR_LOG)
class AskForLog(FormView):
    """What a stafettlogg is, the units one may ask, and, once logged in with ID-porten,
    the form."""

    schema_factory = staticmethod(log_request_schema)
    formid = "ask"
    button_name = "send"
    button = _("req_send", default="Send the request")
    autosave = False  # a child's number is not kept in a browser that may be shared
    field_of_refusal = {"req_too_young_for_self": "asked_for",
                        "req_guardian_not_adult": "asked_for",
                        "req_child_is_asker": "subject_fnr",
                        "req_child_is_adult": "subject_fnr"}

    def bind(self) -> dict:
        return {"units": [(u.id, u.name) for u in askable_units(self.context)]}

    def appstruct(self) -> dict:
        account = self.request.identity
        return {"asker_name": account.display_name} if account is not None else {}

    def may_ask(self) -> bool:
        account = self.request.identity
        return account is not None and bool(account.fnr)

    def __call__(self):
        if not self.may_ask():
            return self.page("")
        return super().__call__()

    def page(self, form_html: str, errors=(), error=None) -> dict:
        municipality, request = self.context, self.request
        return {"municipality": municipality, "units": askable_units(municipality),
                "services": SERVICE_NAMES, "form": form_html, "errors": list(errors),
                "error": error, "may_ask": self.may_ask(),
                "idporten": request.registry.idporten is not None,
                "login_url": request.resource_url(request.root, "idporten-login",
                                                  query={"ask": municipality.id})}

    def success(self, data):
        unit = self.context.units[data["unit"]]
        ask = send_request(unit, data, self.request.identity, request=self.request)
        self.request.notice(self.request.translate(_(
            "req_sent", default="The request is sent to ${unit}.",
            mapping={"unit": unit.name})))
        return HTTPSeeOther(location=self.request.resource_url(ask))


# -- the request itself --------------------------------------------------------------------
@view_config(context=LogRequest, renderer="stafett:templates/requests/request.pt",
             permission=P.VIEW_REQUEST)
def request_page(request):
    """Where the request stands, for the asker and the unit's leader."""
    ask = request.context
    journal_request_read(request, ask)
    return {"ask": ask, "unit": ask.unit, "state_text": state_text,
            "may_withdraw": ask.is_waiting and request.has_permission(P.WITHDRAW_REQUEST, ask),
            "may_answer": ask.is_waiting and request.has_permission(P.ANSWER_REQUEST, ask),
            "holders": holders_of(ask.unit)}


@view_config(context=LogRequest, name="withdraw", request_method="POST",
             permission=P.WITHDRAW_REQUEST)
def withdraw(request):
    return _answer(request, "withdraw", _("req_withdrawn", default="The request is withdrawn."),
                   request.application_url + "/")


@view_config(context=LogRequest, name="assign", request_method="POST",
             permission=P.ANSWER_REQUEST)
def assign(request):
    """The leader names the holder; a draft log is opened for them with the family in it."""
    return _answer(request, "assign", _("req_assigned", default="The log is opened as a draft "
                                                                "for the holder."),
                   console_url(request), holder_id=request.POST.get("holder", ""))


@view_config(context=LogRequest, name="decline", request_method="POST",
             permission=P.ANSWER_REQUEST)
def decline(request):
    try:
        reason = posted_text(request.POST, "reason", max_length=500)
    except DomainError as refused:
        flash_error(request, refused)
        return HTTPSeeOther(location=console_url(request))
    return _answer(request, "decline", _("req_declined", default="The request is declined, "
                                                                 "and the family is told."),
                   console_url(request), reason=reason)


def _answer(request, trigger: str, done, back: str, **params) -> HTTPSeeOther:
    """Fire the transition; a refusal changes nothing and is told on the page returned to."""
    try:
        fire(request.context, trigger, request.identity, request=request, **params)
        request.notice(request.translate(done))
    except DomainError as refused:
        flash_error(request, refused)
    return HTTPSeeOther(location=back)


def console_url(request) -> str:
    return request.resource_url(request.context.unit, "console-requests")


def holders_of(unit: Unit) -> list:
    return sorted((e for e in unit.employees.values() if e.active and e.may_hold),
                  key=lambda e: e.name)


# -- the leader's console tab ----------------------------------------------------------------
@view_config(context=Unit, name="console-requests",
             renderer="stafett:templates/admin/requests.pt", permission=P.ADMIN_UNIT)
def console_requests(request):
    unit = request.context
    waiting = unit.waiting_log_requests(REQUESTS_SHOWN)
    for ask in waiting:
        journal_request_read(request, ask)
    return {"unit": unit, "tab": "requests", "waiting": waiting,
            "count": unit.requests_waiting(), "holders": holders_of(unit),
            "existing": {ask.id: found for ask in waiting
                         if (found := existing_log(request, unit.municipality, ask))}}


def existing_log(request, municipality, ask: LogRequest) -> dict | None:
    """R45: the child asked for already has a log. The leader is pointed to it (a link if
    they may see it, else who holds it and where) instead of opening a second one."""
    for log in logs_of_child(municipality, ask.subject_fnr) if ask.subject_fnr else ():
        journal_read(request, log)
        return dict(who_holds(log), url=request.resource_url(log) if
                    request.has_permission(P.VIEW_HEADER, log) else None)
    return None

