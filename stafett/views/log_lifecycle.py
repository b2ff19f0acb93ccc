"""The log's lifecycle in the browser: create, consent, activate, grants, close, transfer,
meeting mode (issue: the holder's web forms). ``lifecycle_panel`` feeds the log page.

Every form keeps what was typed when it fails validation or a rule refuses the change; a
refusal changes nothing (``fire`` rolls its own work back; views check before they write).
"""

from __future__ import annotations

from types import SimpleNamespace

import deform
from pyramid.events import NewRequest, subscriber
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from ..forms import field_errors, make_form
from ..forms.log_lifecycle import (
    AcceptSchema,
    CloseSchema,
    ConfirmSchema,
    ConsentSchema,
    DeclineSchema,
    GrantSchema,
    LogSchema,
    NarrowGrantSchema,
    TransferSchema,
    WithdrawConsentSchema,
    new_log_schema,
    transfer_consent_schema,
    uploaded_bytes,
)
from ..i18n import _
from ..messages import message_for
from ..models.base import DomainError
from ..models.consent import Consent, ConsentScope, ReadGrant
from ..models.files import pdf_upload
from ..models.log import Guardian, Level, Log, Subject, SubjectKind
from ..models.notes import Meeting
from ..models.org import Municipality
from ..models.transfer import Transfer
from ..security import Permission, principals_for, sees_contact_details
from ..workflows import create_log, fire, give_consent, propose_transfer, workflow_for
from ..workflows.grants import grant_read_access, narrow_grant, withdraw_grant
from .downloads import file_response

FORM_PAGE = "stafett:templates/log/lifecycle/form.pt"
MEETING_MODE_KEY = "meeting_mode_log"
SAVE = _("lc_save", default="Save")


class Refusal(Exception):
    """A refusal with a ready translatable message (rules checked in the view itself)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# -- the panel on the log page -------------------------------------------------------------
def lifecycle_panel(request, log) -> dict:
    """Values for templates/log/lifecycle.pt: what this user may see and do (R2-R6)."""
    account = request.identity
    full = request.has_permission(Permission.VIEW, log)
    consent_rights = request.has_permission(Permission.RECORD_CONSENT, log)
    holder = account is not None and account.employee_id == log.holder_id
    return {"lc": SimpleNamespace(
        error=None,
        full=full,
        holder=holder,
        actions=_log_actions(request, log),
        guardians=_guardians(request, log) if full else [],
        consents=_consents(request, log) if (full or consent_rights) else [],
        grants=_grants(request, log) if full else [],
        transfers=_transfers(request, log),
        outbox=list(reversed(list(log.outbox.values()))) if holder else [],
        employee=log.municipality.employee,
        unit_name=lambda unit_id: getattr(log.municipality.units.get(unit_id or ""), "name", ""),
        party_name=lambda party: _party_name(log, party),
    )}


def _log_actions(request, log) -> list[SimpleNamespace]:
    """The buttons and links this user may use on this log."""
    account, url = request.identity, request.resource_url
    available = set(workflow_for(log).available(log, account))
    can = request.has_permission
    running = log.state in ("active", "reopened")
    actions = []

    def add(name, label, method="get", view=None):
        actions.append(SimpleNamespace(name=name, label=label, method=method,
                                       url=url(log, view or name)))

    if can(Permission.EDIT, log):
        add("edit", _("lc_edit_log", default="Edit subject and guardians"))
    if can(Permission.RECORD_CONSENT, log):
        add("consent", _("lc_record_consent", default="Record consent"))
    if "activate" in available:
        add("activate", _("lc_activate", default="Activate the log"), "post")
    if running and can(Permission.EDIT, log):
        add("grant", _("lc_grant_access", default="Grant read access"))
    if running and can(Permission.TRANSFER, log) and not _open_transfer(log):
        add("transfer", _("lc_propose_transfer", default="Propose a transfer"))
    if "close" in available:
        add("close", _("lc_close", default="Close the log"))
    if "reopen" in available:
        add("reopen", _("lc_reopen", default="Reopen the log"), "post")
    if "discard" in available:
        add("discard", _("lc_discard", default="Discard the draft"), "post")
    if "delete" in available:
        add("delete", _("lc_delete", default="Delete the log"), "post")
    if can(Permission.EDIT, log):
        add("meeting-mode", _("lc_meeting_mode", default="Meeting mode"), "post")
    return actions


def _guardians(request, log) -> list[SimpleNamespace]:
    """Each guardian with the contact details this reader may see (R44)."""
    account = request.identity
    principals = principals_for(account, log)
    shown = []
    for guardian in log.guardians.values():
        visible = sees_contact_details(account, principals, guardian)
        shown.append(SimpleNamespace(name=guardian.name, protected=guardian.protected,
                                     lives_with_child=guardian.lives_with_child,
                                     email=guardian.email if visible else "",
                                     phone=guardian.phone if visible else ""))
    return shown


def _consents(request, log) -> list[SimpleNamespace]:
    return [SimpleNamespace(
        obj=c, withdraw="withdraw" in workflow_for(c).available(c, request.identity),
        file=c.attachment is not None and request.has_permission(Permission.VIEW, c))
        for c in log.consents.values()]


def _grants(request, log) -> list[SimpleNamespace]:
    editable = request.has_permission(Permission.EDIT, log) and log.is_editable
    return [SimpleNamespace(obj=g, editable=editable and g.active,
                            concerns=[log.concerns[c].text for c in g.concern_ids
                                      if c in log.concerns])
            for g in log.grants.values()]


def _transfers(request, log) -> list[SimpleNamespace]:
    """Open transfers for those who take part in them; all of them for full readers."""
    shown = []
    for transfer in log.transfers.values():
        available = set(workflow_for(transfer).available(transfer, request.identity))
        if not (request.has_permission(Permission.VIEW, log) or available):
            continue
        shown.append(SimpleNamespace(obj=transfer, available=available,
                                     needs_consent=transfer.state == "proposed"
                                     and transfer.needs_consent))
    return shown


def _open_transfer(log):
    return next((t for t in log.transfers.values() if t.is_open), None)


def _party_name(log, party: str) -> str:
    guardian = log.guardians.get(party)
    return guardian.name if guardian is not None else log.subject.name


# -- shared form handling ------------------------------------------------------------------
def _form(request, schema, *, bind: dict, button=SAVE) -> deform.Form:
    return make_form(schema, request, buttons=(deform.Button("submit", button),), bind=bind,
                     autosave=f"lifecycle-{request.view_name}")


def _page(request, form_html: str, title, *, log=None, error=None, errors=(), intro=None,
          resources=None) -> dict:
    return {"form": form_html, "title": title, "log": log, "error": error,
            "errors": list(errors), "intro": intro, "resources": resources or {}}


def handle_form(request, form: deform.Form, title, on_valid, *, log=None, appstruct=None,
                intro=None):
    """Validate, then act; on a validation failure or a refused rule, re-render the form
    with everything the user typed and a message naming the problem."""
    resources = form.get_widget_resources()
    if request.method != "POST":
        rendered = form.render(appstruct) if appstruct is not None else form.render()
        return _page(request, rendered, title, log=log, intro=intro, resources=resources)
    try:
        data = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        return _page(request, failure.render(), title, log=log, intro=intro,
                     errors=field_errors(failure.field), resources=resources)
    try:
        return on_valid(data)
    except (DomainError, Refusal) as refusal:
        # The form as it was sent (its cstruct): an empty upload has no appstruct to render.
        return _page(request, form.render(), title, log=log, intro=intro,
                     error=_refusal_text(request, refusal), resources=resources)


def _refusal_text(request, refusal) -> str:
    message = refusal.message if isinstance(refusal, Refusal) else message_for(refusal)
    return request.translate(message)


def _flash(request, message) -> None:
    request.session.flash(request.translate(message))


def _to_log(request, log, message=None) -> HTTPSeeOther:
    if message is not None:
        _flash(request, message)
    return HTTPSeeOther(location=request.resource_url(log))


def _bind(request, log, **extra) -> dict:
    return dict(log=log, municipality=log.municipality, **extra)


# -- create and edit the draft (R13) -------------------------------------------------------
@view_config(context=Municipality, name="new-log", renderer=FORM_PAGE,
             permission=Permission.CREATE_LOG)
def new_log(request):
    municipality, account = request.context, request.identity
    form = _form(request, new_log_schema(), bind={"municipality": municipality},
                 button=_("lc_create_draft", default="Create draft"))

    def create(data):
        employee = municipality.employee(account.employee_id)
        if employee is None:
            raise Refusal(message_for(DomainError("log_holder_may_not_hold")))
        subject = Subject(data["subject_name"], data["fnr"], data["kind"],
                          username=data["subject_username"] or None)
        log = Log(subject, employee.id, employee.unit_id, data["level"])
        _apply_family(log, data)
        if data["meeting_date"] is not None:
            log.meetings.add(Meeting(data["meeting_date"], data["meeting_agenda"]))
        create_log(municipality, log, account, request=request)
        return _to_log(request, log, _("lc_draft_created", default="The draft is created. "
                                       "Record the consent, then activate the log."))

    return handle_form(request, form, _("lc_new_log", default="New log"), create)


@view_config(context=Log, name="edit", renderer=FORM_PAGE, permission=Permission.EDIT)
def edit_log(request):
    log = request.context
    form = _form(request, LogSchema(), bind=_bind(request, log))

    def save(data):
        _check_removable(log, data)
        subject = log.subject
        subject.name, subject.fnr = data["subject_name"], data["fnr"]
        subject.kind = SubjectKind(data["kind"])
        subject.username = data["subject_username"] or None
        log.level = Level(data["level"])
        _apply_family(log, data)
        log.touch()
        return _to_log(request, log, _("lc_saved", default="Saved."))

    return handle_form(request, form, _("lc_edit_log", default="Edit subject and guardians"),
                       save, log=log, appstruct=_log_appstruct(log))


def _log_appstruct(log) -> dict:
    subject = log.subject
    return {"subject_name": subject.name, "fnr": subject.fnr, "kind": str(subject.kind),
            "subject_username": subject.username or "", "level": int(log.level),
            "guardians_live_together": log.guardians_live_together,
            "guardians": [{"guardian_id": g.id, "name": g.name, "email": g.email,
                           "phone": g.phone, "lives_with_child": g.lives_with_child,
                           "username": g.username or "", "protected": g.protected}
                          for g in log.guardians.values()]}


def _kept_guardians(data) -> set[str]:
    return {g["guardian_id"] for g in data["guardians"] if g["guardian_id"]}


def _check_removable(log, data) -> None:
    """A guardian whose standing consent carries the log stays on it."""
    consented = {party for c in log.consents.values() if c.state == "given"
                 for party in c.given_by}
    if (set(log.guardians.keys()) - _kept_guardians(data)) & consented:
        raise Refusal(_("lc_guardian_has_consent", default="A guardian who gave a standing "
                        "consent cannot be removed."))


def _apply_family(log, data) -> None:
    """Update guardians in place (consents refer to them by id), add new, remove dropped."""
    log.guardians_live_together = data["guardians_live_together"]
    kept = _kept_guardians(data)
    for guardian_id in list(log.guardians.keys()):
        if guardian_id not in kept:
            log.guardians.remove(guardian_id)
    for item in data["guardians"]:
        guardian = log.guardians.get(item["guardian_id"] or "")
        if guardian is None:
            guardian = log.guardians.add(Guardian(item["name"]))
        guardian.name, guardian.email, guardian.phone = item["name"], item["email"], item["phone"]
        guardian.lives_with_child = item["lives_with_child"]
        guardian.username = item["username"] or None
        guardian.protected = item["protected"]


# -- consent and activation (R9-R12, R14) --------------------------------------------------
@view_config(context=Log, name="consent", renderer=FORM_PAGE,
             permission=Permission.RECORD_CONSENT)
def record_consent(request):
    log = request.context
    form = _form(request, ConsentSchema(), bind=_bind(request, log))

    def give(data):
        give_consent(log, _consent_from(data, data["scope"]), request.identity, request=request)
        return _to_log(request, log, _("lc_consent_recorded", default="The consent is recorded."))

    return handle_form(request, form, _("lc_record_consent", default="Record consent"), give,
                       log=log)


def _consent_from(data, scope) -> Consent:
    consent = Consent(sorted(data["given_by"]), data["date"], scope, form=data["form"],
                      expires=data["expires"], unit_id=data.get("unit_id") or None,
                      grantee_id=data.get("grantee_id") or None,
                      exception_reason=data["exception_reason"])
    if data["upload"] is not None:
        upload = data["upload"]
        consent.attachment = pdf_upload(uploaded_bytes(upload), upload["filename"])
    return consent


@view_config(context=Consent, name="file", permission=Permission.VIEW)
def consent_file(request):
    stored = request.context.attachment
    if stored is None:
        raise HTTPSeeOther(location=request.resource_url(request.context.__parent__.__parent__))
    return file_response(stored.data, f"samtykke-{request.context.id}.pdf", stored.content_type)


@view_config(context=Consent, name="withdraw", renderer=FORM_PAGE,
             permission=Permission.RECORD_CONSENT)
def withdraw_consent(request):
    consent = request.context
    log = consent.__parent__.__parent__
    form = _form(request, WithdrawConsentSchema(), bind=_bind(request, log),
                 button=_("lc_record_withdrawal", default="Record the withdrawal"))

    def withdraw(data):
        fire(consent, "withdraw", request.identity, how=data["how"], note=data["note"],
             request=request)
        return _to_log(request, log, _("lc_withdrawal_recorded", default="The withdrawal is "
                                       "recorded. A log resting on it is closed."))

    return handle_form(request, form, _("lc_withdraw_consent", default="Consent withdrawn"),
                       withdraw, log=log, intro=_("lc_withdraw_intro", default=(
                           "Orally is enough. If the log rests on this consent, it is "
                           "closed at once.")))


def _fire_on_log(request, trigger: str, message, **why):
    """A POST button on the log page; a refusal re-renders the page with the message."""
    log = request.context
    try:
        fire(log, trigger, request.identity, request=request, **why)
    except DomainError as refusal:
        return _log_page_with_error(request, log, _refusal_text(request, refusal))
    if log.state == "deleted":
        _flash(request, message)
        return HTTPSeeOther(location=request.application_url + "/")
    return _to_log(request, log, message)


def _log_page_with_error(request, log, error: str):
    from .logs import log_page

    values = log_page(request)
    values["lc"].error = error
    return render_to_response("stafett:templates/log/page.pt", values, request=request)


@view_config(context=Log, name="activate", request_method="POST", permission=Permission.EDIT)
def activate(request):
    return _fire_on_log(request, "activate", _(
        "lc_activated", default="The log is active. The guardians have been notified."))


@view_config(context=Log, name="reopen", request_method="POST", permission=Permission.REOPEN)
def reopen(request):
    return _fire_on_log(request, "reopen", _("lc_reopened", default="The log is reopened."))


@view_config(context=Log, name="discard", request_method="POST", permission=Permission.DISCARD)
def discard(request):
    return _fire_on_log(request, "discard", _("lc_discarded", default="The draft is discarded."),
                        reason="discarded_by_holder")


@view_config(context=Log, name="delete", request_method="POST", permission=Permission.DELETE)
def delete(request):
    return _fire_on_log(request, "delete", _("lc_deleted", default="The log is deleted."),
                        reason="deleted_by_leader")


@view_config(context=Log, name="close", renderer=FORM_PAGE, permission=Permission.EDIT)
def close(request):
    log = request.context
    form = _form(request, CloseSchema(), bind=_bind(request, log),
                 button=_("lc_close", default="Close the log"))

    def close_log(data):
        # Free text goes to the log's own history (note), never to the journal (reason).
        fire(log, "close", request.identity, reason="closed_by_holder", note=data["reason"],
             request=request)
        return _to_log(request, log, _("lc_closed", default="The log is closed and archived."))

    return handle_form(request, form, _("lc_close", default="Close the log"), close_log, log=log)


# -- read grants (R4) ----------------------------------------------------------------------
@view_config(context=Log, name="grant", renderer=FORM_PAGE, permission=Permission.EDIT)
def grant(request):
    log = request.context
    form = _form(request, GrantSchema(), bind=_bind(request, log),
                 button=_("lc_grant_access", default="Grant read access"))

    def add(data):
        grant_read_access(log, ReadGrant(data["employee_id"], data["consent_id"],
                                         sorted(data["concern_ids"]), data["purpose"]),
                          request.identity)
        return _to_log(request, log, _("lc_granted", default="Read access is granted."))

    return handle_form(request, form, _("lc_grant_access", default="Grant read access"), add,
                       log=log, intro=_("lc_grant_intro", default=(
                           "Read access rests on the family's consent to this employee's "
                           "access. Record that consent first (Record consent, «Read access "
                           "for a named employee»).")))


@view_config(context=ReadGrant, name="narrow", renderer=FORM_PAGE, permission=Permission.EDIT)
def narrow(request):
    read_grant = request.context
    log = read_grant.__parent__.__parent__
    form = _form(request, NarrowGrantSchema(), bind=_bind(request, log))

    def save(data):
        narrow_grant(read_grant, data["concern_ids"], request.identity)
        return _to_log(request, log, _("lc_saved", default="Saved."))

    return handle_form(request, form, _("lc_narrow_grant", default="Narrow read access"), save,
                       log=log, appstruct={"concern_ids": set(read_grant.concern_ids)})


@view_config(context=ReadGrant, name="withdraw", request_method="POST",
             permission=Permission.EDIT)
def withdraw(request):
    read_grant = request.context
    withdraw_grant(read_grant, request.identity)
    return _to_log(request, read_grant.__parent__.__parent__,
                   _("lc_grant_ended", default="Read access is withdrawn."))


# -- transfers (R19-R23) -------------------------------------------------------------------
@view_config(context=Log, name="transfer", renderer=FORM_PAGE, permission=Permission.TRANSFER)
def propose(request):
    log = request.context
    form = _form(request, TransferSchema(), bind=_bind(request, log),
                 button=_("lc_propose_transfer", default="Propose a transfer"))

    def send(data):
        target = _municipality_of(log, data["to_employee_id"], data["to_unit_id"])
        transfer = Transfer(data["kind"], data["reason"], request.identity.uid, log.holder_id,
                            to_employee_id=data["to_employee_id"] or None,
                            to_unit_id=data["to_unit_id"] or None,
                            to_municipality="" if target is log.municipality else target.id,
                            concern_ids=sorted(data["concern_ids"]))
        propose_transfer(log, transfer, request.identity, request=request)
        return _to_log(request, log, _("lc_transfer_proposed", default=(
            "The transfer is proposed. You remain holder until the receiver accepts.")))

    return handle_form(request, form, _("lc_propose_transfer", default="Propose a transfer"),
                       send, log=log)


def _municipality_of(log, employee_id: str, unit_id: str):
    for municipality in log.municipality.__parent__.values():
        if municipality.employee(employee_id) or municipality.units.get(unit_id or ""):
            return municipality
    return log.municipality


def _transfer_log(transfer) -> Log:
    return transfer.__parent__.__parent__


@view_config(context=Transfer, name="consent", renderer=FORM_PAGE,
             permission=Permission.TRANSFER)
def transfer_consent(request):
    transfer = request.context
    log = _transfer_log(transfer)
    form = _form(request, transfer_consent_schema(), bind=_bind(request, log))

    def give(data):
        # Two steps, one change: if the transfer refuses, the consent is not kept either.
        savepoint = request.tm.savepoint()
        consent = give_consent(log, _consent_from(data, ConsentScope.TRANSFER),
                               request.identity, request=request)
        try:
            fire(transfer, "consent", request.identity, consent_id=consent.id, request=request)
        except DomainError:
            savepoint.rollback()
            raise
        return _to_log(request, log, _("lc_transfer_consented",
                                       default="The family's consent to the transfer is "
                                               "recorded."))

    return handle_form(request, form, _("lc_transfer_consent", default="The family's consent "
                                        "to the transfer"), give, log=log)


@view_config(context=Transfer, name="cancel", request_method="POST",
             permission=Permission.TRANSFER)
def cancel_transfer(request):
    return _fire_on_transfer(request, "cancel", _("lc_transfer_cancelled",
                                                  default="The transfer is cancelled."))


def _fire_on_transfer(request, trigger: str, message, **why):
    transfer = request.context
    log = _transfer_log(transfer)
    try:
        fire(transfer, trigger, request.identity, request=request, **why)
    except DomainError as refusal:
        request.context = log
        return _log_page_with_error(request, log, _refusal_text(request, refusal))
    return _to_log(request, log, message)


@view_config(context=Transfer, name="accept", renderer=FORM_PAGE, permission=Permission.RECEIVE)
def accept_transfer(request):
    transfer = request.context
    log = _transfer_log(transfer)
    receiving = _municipality_of(log, transfer.to_employee_id, transfer.to_unit_id)
    schema = AcceptSchema() if not transfer.to_employee_id else ConfirmSchema()
    form = _form(request, schema, bind=dict(log=log, municipality=receiving, transfer=transfer),
                 button=_("lc_accept", default="Accept the log"))

    def accept(data):
        fire(transfer, "accept", request.identity, new_holder_id=data.get("new_holder_id"),
             request=request)
        return _to_log(request, log, _("lc_accepted", default="The log is handed over."))

    return handle_form(request, form, _("lc_accept", default="Accept the log"), accept,
                       intro=_("lc_accept_intro", default=(
                           "When you accept, the new holder takes over the log and its "
                           "responsibility at once.")))


@view_config(context=Transfer, name="decline", renderer=FORM_PAGE,
             permission=Permission.RECEIVE)
def decline_transfer(request):
    transfer = request.context
    log = _transfer_log(transfer)
    form = _form(request, DeclineSchema(), bind=_bind(request, log),
                 button=_("lc_decline", default="Decline"))

    def decline(data):
        fire(transfer, "decline", request.identity, reason="declined", note=data["reason"],
             request=request)
        _flash(request, _("lc_declined", default="You declined the transfer."))
        return HTTPSeeOther(location=request.application_url + "/")

    return handle_form(request, form, _("lc_decline_transfer", default="Decline the transfer"),
                       decline)


# -- meeting mode (R34) --------------------------------------------------------------------
@view_config(context=Log, name="meeting-mode", request_method="POST",
             permission=Permission.EDIT)
def enter_meeting_mode(request):
    request.session[MEETING_MODE_KEY] = request.resource_path(request.context)
    return HTTPSeeOther(location=request.resource_url(request.context, "meeting-mode"))


@view_config(context=Log, name="meeting-mode", request_method="GET",
             renderer="stafett:templates/log/page.pt", permission=Permission.EDIT)
def meeting_mode(request):
    """The log alone, without navigation or lists, safe on a projector."""
    from .log_content import content_panel

    log = request.context
    if request.session.get(MEETING_MODE_KEY) != request.resource_path(log):
        return HTTPSeeOther(location=request.resource_url(log))
    values = {"log": log, "employee": log.municipality.employee, "meeting_mode": True}
    values.update(lifecycle_panel(request, log))
    values.update(content_panel(request, log))
    return values


@view_config(context=Log, name="leave-meeting-mode", request_method="POST",
             permission=Permission.VIEW_HEADER)
def leave_meeting_mode(request):
    request.session.pop(MEETING_MODE_KEY, None)
    return HTTPSeeOther(location=request.resource_url(request.context))


MEETING_MODE_OPEN_PREFIXES = ("/static/", "/static-deform/")
MEETING_MODE_OPEN_PATHS = ("/login", "/logout")


@subscriber(NewRequest)
def stay_in_meeting_mode(event) -> None:
    """R34: while meeting mode is on, every other page leads back to it, so no other log
    or name can be reached until the holder leaves it deliberately."""
    request = event.request
    log_path = request.session.get(MEETING_MODE_KEY)
    if not log_path:
        return
    path = request.path_info
    allowed = (log_path + "meeting-mode", log_path + "leave-meeting-mode",
               *MEETING_MODE_OPEN_PATHS)
    if path in allowed or path.startswith(MEETING_MODE_OPEN_PREFIXES):
        return
    raise HTTPSeeOther(location=request.application_url + log_path + "meeting-mode")
