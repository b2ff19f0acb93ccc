"""The unit leader's actions on logs: transfer on behalf (R22), incoming transfers
(R19-R21), passive logs (R16, R17), the consent overview (R9, R10) and supervisor read
access (R4, R6). Every action goes through the workflows, which check the leader's own
permission on the log; the console pages themselves need ``admin_unit`` on the unit."""

from __future__ import annotations

import datetime as dt

from pyramid.httpexceptions import HTTPBadRequest
from pyramid.view import view_config

from ..forms.validators import posted_text
from ..i18n import _
from ..models.base import DomainError, today
from ..models.consent import (
    SUBJECT_PARTY,
    Consent,
    ConsentScope,
    ReadGrant,
    covers_read_access,
    required_parties,
)
from ..models.log import Log
from ..models.org import Employee, Unit
from ..models.transfer import Transfer, TransferKind
from ..security import Permission
from ..services import copies, stats
from ..services.archive_delivery import waiting_for_archive
from ..workflows import fire, give_consent, one_change, propose_transfer
from ..workflows.grants import SUPERVISOR, grant_read_access
from .admin import acting_employee, back_to, error_text, flash_error, unit_log
from .read_journal import journal_read

P = Permission


# -- transfer on behalf of an employee (R22) -------------------------------------------------
@view_config(context=Employee, name="transfer", request_method="POST",
             permission=P.ADMIN_UNIT)
def transfer_on_behalf(request):
    """Propose the transfer of one of this employee's logs, as their leader (R22)."""
    employee = request.context
    log = unit_log(request, employee.unit, request.POST.get("log"))
    if log.holder_id != employee.id:
        raise HTTPBadRequest()
    try:
        transfer = _transfer_to(request, log, request.POST.get("to", ""))
        propose_transfer(log, transfer, request.identity, request=request)
        request.notice(request.translate(_("adm_transfer_proposed",
                                           default="The transfer is proposed.")))
    except DomainError as exc:
        flash_error(request, exc)
    return back_to(request, employee)


def _transfer_to(request, log, to: str) -> Transfer:
    """``to`` is ``employee:<id>`` or ``unit:<id>`` (the unit's leader names the holder)."""
    kind_of, _sep, target = to.partition(":")
    reason = posted_text(request.POST, "reason")
    common = dict(reason=reason, proposed_by=request.identity.uid, from_holder_id=log.holder_id)
    municipality = log.municipality
    if kind_of == "employee" and municipality.employee(target) is not None:
        receiver = municipality.employee(target)
        kind = TransferKind.INTERNAL if receiver.unit_id == log.unit_id else TransferKind.UNIT
        return Transfer(kind, to_employee_id=receiver.id, **common)
    if kind_of == "unit" and target in municipality.units:
        kind = TransferKind.INTERNAL if target == log.unit_id else TransferKind.UNIT
        return Transfer(kind, to_unit_id=target, **common)
    raise DomainError("adm_choose_receiver", rule="R19")


# -- incoming transfers (R19-R21) ------------------------------------------------------------
TRANSFERS_SHOWN = 20  # the oldest of each direction; the next come as these are answered


@view_config(context=Unit, name="console-transfers",
             renderer="stafett:templates/admin/transfers.pt", permission=P.ADMIN_UNIT)
def console_transfers(request):
    unit = request.context
    waiting = stats.waiting_transfers(unit.municipality, unit.id, today(), TRANSFERS_SHOWN)
    holders = sorted((e for e in unit.employees.values() if e.active and e.may_hold),
                     key=lambda e: e.name)
    return {"unit": unit, "tab": "transfers", "holders": holders,
            "incoming": [w for w in waiting if w.direction == "in"],
            "outgoing": [w for w in waiting if w.direction == "out"],
            "waiting": stats.transfers_waiting_count(unit.municipality, unit.id),
            "employee": unit.municipality.employee}


@view_config(context=Unit, name="console-receive", request_method="POST",
             permission=P.ADMIN_UNIT)
def receive_transfer(request):
    """Accept and name the new holder, or decline with a reason."""
    unit = request.context
    found = stats.incoming_transfer(unit.municipality, unit.id, request.POST.get("log", ""),
                                    request.POST.get("transfer", ""), today())
    if found is None:
        raise HTTPBadRequest()
    try:
        if request.POST.get("action") == "accept":
            if not request.POST.get("new_holder"):
                raise DomainError("adm_choose_new_holder", rule="R19")
            fire(found.transfer, "accept", request.identity,
                 new_holder_id=request.POST["new_holder"], request=request)
            message = _("adm_transfer_accepted", default="The log is accepted.")
        else:
            fire(found.transfer, "decline", request.identity,
                 reason=posted_text(request.POST, "reason"), request=request)
            message = _("adm_transfer_declined", default="The transfer is declined.")
        request.notice(request.translate(message))
    except DomainError as exc:
        flash_error(request, exc)
    return back_to(request, unit, "console-transfers")


# -- passive logs: reopen with new consent (R16), delete after the archive (R17) -------------
@view_config(context=Unit, name="console-passive", renderer="stafett:templates/admin/passive.pt",
             permission=P.ADMIN_UNIT)
def console_passive(request):
    unit = request.context
    municipality = unit.municipality
    ids, following = stats.unit_log_ids(municipality.index, unit.id,
                                         stats.LogFilter(state="passive"),
                                         after=request.params.get("after"))
    logs = [municipality.logs[i] for i in ids if i in municipality.logs]
    return {"unit": unit, "tab": "passive", "logs": logs, "today": today(),
            "parties": {log.id: _consent_parties(log) for log in logs},
            "employee": municipality.employee,
            "next_url": request.resource_url(unit, "console-passive",
                                             query={"after": following}) if following else None}


def _consent_parties(log) -> list[tuple[str, str]]:
    """(party id, name) of who may give the reopening consent (R9)."""
    rule, _parties = required_parties(log)
    if rule == "subject":
        return [(SUBJECT_PARTY, log.subject.name)]
    return [(g.id, g.name) for g in log.guardians.values()]


@view_config(context=Unit, name="console-reopen", request_method="POST",
             permission=P.ADMIN_UNIT)
def reopen_log(request):
    """Record the guardians' new consent and reopen; if either is refused, neither stays."""
    unit = request.context
    log = unit_log(request, unit, request.POST.get("log"))
    try:
        with one_change(request.tm):
            consent = Consent(_chosen_parties(request, log), _date(request.POST.get("date")),
                              ConsentScope.REOPEN,
                              expires=_date(request.POST.get("expires"), None))
            give_consent(log, consent, request.identity, request=request)
            fire(log, "reopen", request.identity, reason=posted_text(request.POST, "reason"),
                 request=request)
        request.notice(request.translate(_("adm_reopened", default="The log is reopened.")))
    except DomainError as exc:
        flash_error(request, exc)
    return back_to(request, unit, "console-passive")


def _chosen_parties(request, log) -> list[str]:
    allowed = {party for party, _name in _consent_parties(log)}
    chosen = [p for p in request.POST.getall("party") if p in allowed]
    if not chosen:
        raise DomainError("adm_consent_choose_parties", rule="R9")
    return chosen


_REQUIRED = object()


def _date(text: str | None, default=_REQUIRED) -> dt.date | None:
    if not text and default is not _REQUIRED:
        return default
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        raise DomainError("adm_consent_date_invalid", rule="R10") from None


# R17: the tombstone outlives the log, so its reason is a code, never free text that could
# name the child.
DELETE_REASONS = ("retention_ended", "family_request", "created_by_mistake",
                  "deleted_by_leader")


@view_config(context=Unit, name="console-delete", renderer="stafett:templates/admin/delete.pt",
             permission=P.ADMIN_UNIT)
def delete_log(request):
    """A confirmation naming what will be erased; the POST erases it for good (R17)."""
    unit = request.context
    log = unit_log(request, unit, request.params.get("log"))
    error = None
    if request.method == "POST":
        try:
            if request.POST.get("confirm") != "yes":
                raise DomainError("adm_delete_confirm_missing", rule="R17")
            reason = request.POST.get("reason", "deleted_by_leader")
            if reason not in DELETE_REASONS:
                raise DomainError("adm_delete_choose_reason", rule="R17")
            fire(log, "delete", request.identity, reason=reason, request=request)
            request.notice(request.translate(_("adm_deleted",
                                               default="The log is erased.")))
            return back_to(request, unit, "console-passive")
        except DomainError as exc:
            error = error_text(request, exc)
    journal_read(request, log)
    return {"unit": unit, "tab": "passive", "log": log, "error": error,
            "reasons": DELETE_REASONS, "erased": _what_is_erased(log),
            "waiting_for_archive": waiting_for_archive(log),  # kept until delivered (R17)
            "allowed": request.has_permission(P.DELETE, log)}


def _what_is_erased(log) -> list[tuple[object, int]]:
    count = sum(len(c.measures) for c in log.concerns.values())
    return [
        (_("adm_erase_concerns", default="Concerns"), len(log.concerns)),
        (_("adm_erase_measures", default="Measures"), count),
        (_("adm_erase_meetings", default="Meetings"), len(log.meetings)),
        (_("adm_erase_glimpses", default="Glimpses"), len(log.glimpses)),
        (_("adm_erase_notes", default="Notes, also private notes"),
         len(log.notes) + len(log.private_notes)),
        (_("adm_erase_family", default="The child's voice and the family's notes before "
                                       "and after meetings"),
         len(log.voices) + len(log.family_verdicts) + len(log.meeting_feedback)),
        (_("adm_erase_consents", default="Consents"), len(log.consents)),
        (_("adm_erase_guardians", default="Guardians"), len(log.guardians)),
        (_("adm_erase_archives", default="Archive copies kept in Stafett"),
         len(copies.all_copies_of_log(log))),
    ]


# -- consent overview (R9, R10) ----------------------------------------------------------------
@view_config(context=Unit, name="console-consents",
             renderer="stafett:templates/admin/consents.pt", permission=P.ADMIN_UNIT)
def console_consents(request):
    unit = request.context
    municipality = unit.municipality
    day, params = today(), request.params
    expiring, next_expiring = stats.consents_expiring(
        municipality.index, unit.id, day, after=params.get("after"), size=stats.PAGE_SIZE)
    missing, next_missing = stats.missing_guardian_consent(
        municipality.index, unit.id, after=params.get("missing_after"), size=stats.PAGE_SIZE)
    return {"unit": unit, "tab": "consents", "today": day, "employee": municipality.employee,
            "expiring": [(municipality.logs[i], expires) for i, expires in expiring
                         if i in municipality.logs],
            "missing": [municipality.logs[i] for i in missing if i in municipality.logs],
            "next_expiring": _next_page(request, "after", next_expiring),
            "next_missing": _next_page(request, "missing_after", next_missing)}


def _next_page(request, name: str, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    return request.resource_url(request.context, request.view_name, query={name: cursor})


# -- supervisor read access (R4, R6) -----------------------------------------------------------
@view_config(context=Unit, name="console-supervise",
             renderer="stafett:templates/admin/supervise.pt", permission=P.ADMIN_UNIT)
def supervise(request):
    """The leader records read access for themselves as supervisor, resting on the family's
    consent to that access (R4): one already recorded, or the one given now. The family sees
    the grant on the log's ``supervision`` page."""
    unit = request.context
    log = unit_log(request, unit, request.params.get("log"))
    leader = acting_employee(request)
    error = None
    if request.method == "POST":
        try:
            with one_change(request.tm):
                consent_id = request.POST.get("consent") or _supervision_consent(
                    request, log, leader).id
                grant_read_access(log, ReadGrant(leader.id, consent_id, purpose=SUPERVISOR),
                                  request.identity)
            request.notice(request.translate(_(
                "adm_supervision_granted", default="You have read access as supervisor.")))
            return back_to(request, unit, "console-logs")
        except DomainError as exc:
            error = error_text(request, exc)
    journal_read(request, log)
    return {"unit": unit, "tab": "logs", "log": log, "error": error, "today": today(),
            "parties": _consent_parties(log),
            "consents": [c for c in log.consents.values()
                         if covers_read_access(log, c, leader.id)],
            "allowed": request.has_permission(P.RECORD_CONSENT, log)}


def _supervision_consent(request, log, leader) -> Consent:
    """The family's consent to the leader's supervisor access, recorded now (R4, R9)."""
    consent = Consent(_chosen_parties(request, log), _date(request.POST.get("date")),
                      ConsentScope.READ_ACCESS, grantee_id=leader.id,
                      expires=_date(request.POST.get("expires"), None))
    return give_consent(log, consent, request.identity, request=request)


@view_config(context=Log, name="supervision", renderer="stafett:templates/admin/supervision.pt",
             permission=P.VIEW)
def supervision(request):
    """Who reads this log as supervisor, shown to everyone who reads the whole log (R4)."""
    log = request.context
    grants = [g for g in log.grants.values() if g.purpose == SUPERVISOR]
    return {"log": log, "grants": grants, "employee": log.municipality.employee}
