"""The log's lifecycle in the browser: create, consent, activate, grants, close, transfer
(issue: the holder's web forms). Every form is a ``FormView``: it keeps what was typed when
validation fails or a rule refuses the change, and a refusal changes nothing."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

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
from ..models.log import Log
from ..models.org import Municipality
from ..models.search import CHILD_HAS_LOG, who_holds
from ..models.transfer import Transfer
from ..security import Permission
from ..workflows import fire, give_consent, one_change, propose_transfer
from ..workflows.content import edit_subject_and_family, open_draft
from ..workflows.grants import grant_read_access, narrow_grant, withdraw_grant
from .downloads import file_response
from .formview import FORM_PAGE, FormView
from .logs import log_page_with_error
from .read_journal import journal_read

P = Permission


class LifecycleForm(FormView):
    """Back to the log, with a message, once the change is made."""

    def to_log(self, message) -> HTTPSeeOther:
        return self.done(self.log, message)


# -- create and edit the draft (R13) -------------------------------------------------------
@view_config(context=Municipality, name="new-log", renderer="stafett:templates/log/new_log.pt",
             permission=P.CREATE_LOG)
class NewLog(LifecycleForm):
    schema_factory = staticmethod(new_log_schema)
    title = _("lc_new_log", default="New log")
    button = _("lc_create_draft", default="Create draft")
    field_of_refusal = {CHILD_HAS_LOG: "fnr"}
    existing = None  # R45: the child's log, when there is one already

    def bind(self) -> dict:
        return {"municipality": self.context}

    def page(self, form_html: str, errors=(), error=None) -> dict:
        return dict(super().page(form_html, errors, error), existing=self.existing)

    def refused(self, refusal: DomainError) -> dict:
        """R45: the child has a log. Who holds it and where, a link if the user may see
        it; the lookup is journaled as a read of that log."""
        log = self.context.logs.get(refusal.mapping.get("log_id") or "")
        if refusal.msg == CHILD_HAS_LOG and log is not None:
            journal_read(self.request, log)
            self.existing = dict(who_holds(log), url=self.request.resource_url(log) if
                                 self.request.has_permission(P.VIEW_HEADER, log) else None)
        return super().refused(refusal)

    def success(self, data):
        account = self.request.identity
        holder = self.context.employee(account.employee_id)
        if holder is None:
            raise DomainError("log_holder_may_not_hold", rule="R1")
        self.log = open_draft(self.context, holder, data, account, request=self.request)
        return self.to_log(_("lc_draft_created", default="The draft is created. Record the "
                                                          "consent, then activate the log."))


@view_config(context=Log, name="edit", renderer=FORM_PAGE, permission=P.EDIT)
class EditLog(LifecycleForm):
    schema_factory = LogSchema
    title = _("lc_edit_log", default="Edit subject and guardians")

    def appstruct(self) -> dict:
        log, subject = self.log, self.log.subject
        return {"subject_name": subject.name, "fnr": subject.fnr, "kind": str(subject.kind),
                "level": int(log.level),
                "guardians_live_together": log.guardians_live_together,
                "guardians": [{"guardian_id": g.id, "name": g.name, "guardian_fnr": g.fnr,
                               "email": g.email, "phone": g.phone,
                               "lives_with_child": g.lives_with_child,
                               "protected": g.protected}
                              for g in log.guardians.values()]}

    def success(self, data):
        edit_subject_and_family(self.log, data, self.request.identity, request=self.request)
        return self.to_log(_("lc_saved", default="Saved."))


# -- consent and activation (R9-R12, R14) --------------------------------------------------
def consent_from(data: dict, scope) -> Consent:
    consent = Consent(sorted(data["given_by"]), data["date"], scope, form=data["form"],
                      expires=data["expires"], unit_id=data.get("unit_id") or None,
                      grantee_id=data.get("grantee_id") or None,
                      exception_reason=data["exception_reason"])
    if data["upload"] is not None:
        upload = data["upload"]
        consent.attachment = pdf_upload(uploaded_bytes(upload), upload["filename"])
    return consent


@view_config(context=Log, name="consent", renderer=FORM_PAGE, permission=P.RECORD_CONSENT)
class RecordConsent(LifecycleForm):
    schema_factory = ConsentSchema
    title = _("lc_record_consent", default="Record consent")

    def success(self, data):
        give_consent(self.log, consent_from(data, data["scope"]), self.request.identity,
                     request=self.request)
        return self.to_log(_("lc_consent_recorded", default="The consent is recorded."))


@view_config(context=Consent, name="file", permission=P.VIEW)
def consent_file(request):
    stored = request.context.attachment
    if stored is None:
        raise HTTPSeeOther(location=request.resource_url(request.context.__parent__.__parent__))
    return file_response(stored.data, f"samtykke-{request.context.id}.pdf", stored.content_type)


@view_config(context=Consent, name="withdraw", renderer=FORM_PAGE, permission=P.RECORD_CONSENT)
class WithdrawConsent(LifecycleForm):
    schema_factory = WithdrawConsentSchema
    title = _("lc_withdraw_consent", default="Withdraw consent")
    button = _("lc_record_withdrawal", default="Record the withdrawal")
    intro = _("lc_withdraw_intro", default="Orally is enough. If the log rests on this "
                                           "consent, it is closed at once.")

    def success(self, data):
        fire(self.context, "withdraw", self.request.identity, how=data["how"],
             note=data["note"], request=self.request)
        return self.to_log(_("lc_withdrawal_recorded", default="The withdrawal is recorded. "
                                                               "A log resting on it is closed."))


def fire_button(request, obj, trigger: str, message, **why):
    """A POST button on the log page; a refusal shows the page again with its message."""
    log = obj if isinstance(obj, Log) else obj.__parent__.__parent__
    try:
        fire(obj, trigger, request.identity, request=request, **why)
    except DomainError as refusal:
        return log_page_with_error(request, log, request.translate(message_for(refusal)))
    request.notice(request.translate(message))
    if log.state == "deleted":
        return HTTPSeeOther(location=request.application_url + "/")
    return HTTPSeeOther(location=request.resource_url(log))


@view_config(context=Log, name="activate", request_method="POST", permission=P.EDIT)
def activate(request):
    return fire_button(request, request.context, "activate", _(
        "lc_activated", default="The log is active. The guardians have been notified."))


@view_config(context=Log, name="reopen", request_method="POST", permission=P.REOPEN)
def reopen(request):
    return fire_button(request, request.context, "reopen",
                       _("lc_reopened", default="The log is reopened."))


@view_config(context=Log, name="discard", request_method="POST", permission=P.DISCARD)
def discard(request):
    return fire_button(request, request.context, "discard",
                       _("lc_discarded", default="The draft is discarded."),
                       reason="discarded_by_holder")


@view_config(context=Log, name="delete", request_method="POST", permission=P.DELETE)
def delete(request):
    return fire_button(request, request.context, "delete",
                       _("lc_deleted", default="The log is deleted."),
                       reason="deleted_by_leader")


@view_config(context=Log, name="close", renderer=FORM_PAGE, permission=P.EDIT)
class Close(LifecycleForm):
    schema_factory = CloseSchema
    title = button = _("lc_close", default="Close the log")

    def success(self, data):
        # Free text goes to the log's own history (note), never to the journal (reason).
        fire(self.log, "close", self.request.identity, reason="closed_by_holder",
             note=data["reason"], request=self.request)
        return self.to_log(_("lc_closed", default="The log is closed and archived."))


# -- read grants (R4) ----------------------------------------------------------------------
@view_config(context=Log, name="grant", renderer=FORM_PAGE, permission=P.EDIT)
class Grant(LifecycleForm):
    schema_factory = GrantSchema
    title = button = _("lc_grant_access", default="Grant read access")
    intro = _("lc_grant_intro", default=(
        "Read access rests on the family's consent to this employee's access. Record that "
        "consent first (Record consent, «Read access for a named employee»)."))

    def success(self, data):
        grant_read_access(self.log, ReadGrant(data["employee_id"], data["consent_id"],
                                              sorted(data["concern_ids"]), data["purpose"]),
                          self.request.identity)
        return self.to_log(_("lc_granted", default="Read access is granted."))


@view_config(context=ReadGrant, name="narrow", renderer=FORM_PAGE, permission=P.EDIT)
class NarrowGrant(LifecycleForm):
    schema_factory = NarrowGrantSchema
    title = _("lc_narrow_grant", default="Narrow read access")

    def appstruct(self) -> dict:
        return {"concern_ids": set(self.context.concern_ids)}

    def success(self, data):
        narrow_grant(self.context, data["concern_ids"], self.request.identity)
        return self.to_log(_("lc_saved", default="Saved."))


@view_config(context=ReadGrant, name="withdraw", request_method="POST", permission=P.EDIT)
def withdraw(request):
    withdraw_grant(request.context, request.identity)
    request.notice(request.translate(_("lc_grant_ended",
                                       default="Read access is withdrawn.")))
    return HTTPSeeOther(location=request.resource_url(request.context.__parent__.__parent__))


# -- transfers (R19-R23) -------------------------------------------------------------------
def municipality_of(log, employee_id: str, unit_id: str):
    for municipality in log.municipality.__parent__.values():
        if municipality.employee(employee_id) or municipality.units.get(unit_id or ""):
            return municipality
    return log.municipality


@view_config(context=Log, name="transfer", renderer=FORM_PAGE, permission=P.TRANSFER)
class ProposeTransfer(LifecycleForm):
    schema_factory = TransferSchema
    title = button = _("lc_propose_transfer", default="Propose a transfer")

    def success(self, data):
        log = self.log
        target = municipality_of(log, data["to_employee_id"], data["to_unit_id"])
        transfer = Transfer(data["kind"], data["reason"], self.request.identity.uid,
                            log.holder_id, to_employee_id=data["to_employee_id"] or None,
                            to_unit_id=data["to_unit_id"] or None,
                            to_municipality="" if target is log.municipality else target.id,
                            concern_ids=sorted(data["concern_ids"]))
        propose_transfer(log, transfer, self.request.identity, request=self.request)
        return self.to_log(_("lc_transfer_proposed", default=(
            "The transfer is proposed. You remain holder until the receiver accepts.")))


@view_config(context=Transfer, name="consent", renderer=FORM_PAGE, permission=P.TRANSFER)
class TransferConsent(LifecycleForm):
    schema_factory = staticmethod(transfer_consent_schema)
    title = _("lc_transfer_consent", default="The family's consent to the transfer")

    def success(self, data):
        # Two steps, one change: if the transfer refuses, the consent is not kept either.
        with one_change(self.request.tm):
            consent = give_consent(self.log, consent_from(data, ConsentScope.TRANSFER),
                                   self.request.identity, request=self.request)
            fire(self.context, "consent", self.request.identity, consent_id=consent.id,
                 request=self.request)
        return self.to_log(_("lc_transfer_consented", default="The family's consent to the "
                                                              "transfer is recorded."))


@view_config(context=Transfer, name="cancel", request_method="POST", permission=P.TRANSFER)
def cancel_transfer(request):
    return fire_button(request, request.context, "cancel",
                       _("lc_transfer_cancelled", default="The transfer is cancelled."))


@view_config(context=Transfer, name="accept", renderer=FORM_PAGE, permission=P.RECEIVE)
class AcceptTransfer(LifecycleForm):
    title = button = _("lc_accept", default="Accept the log")
    intro = _("lc_accept_intro", default="When you accept, the new holder takes over the log "
                                         "and its responsibility at once.")

    def schema(self):
        return ConfirmSchema() if self.context.to_employee_id else AcceptSchema()

    def bind(self) -> dict:
        transfer = self.context
        receiving = municipality_of(self.log, transfer.to_employee_id, transfer.to_unit_id)
        return {"log": self.log, "municipality": receiving, "transfer": transfer}

    def success(self, data):
        fire(self.context, "accept", self.request.identity,
             new_holder_id=data.get("new_holder_id"), request=self.request)
        return self.to_log(_("lc_accepted", default="The log is handed over."))


@view_config(context=Transfer, name="decline", renderer=FORM_PAGE, permission=P.RECEIVE)
class DeclineTransfer(LifecycleForm):
    schema_factory = DeclineSchema
    title = _("lc_decline_transfer", default="Decline the transfer")
    button = _("lc_decline", default="Decline")

    def success(self, data):
        fire(self.context, "decline", self.request.identity, reason="declined",
             note=data["reason"], request=self.request)
        self.request.notice(self.request.translate(
            _("lc_declined", default="You declined the transfer.")))
        return HTTPSeeOther(location=self.request.application_url + "/")
