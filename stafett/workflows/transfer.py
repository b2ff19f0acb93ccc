"""Transfers: proposed -> consented -> accepted, plus declined and cancelled (R19-R23).

Until ``accept`` the old holder stays holder: nothing on the log changes before then (R21).
"""

from __future__ import annotations

from ..models.base import today, utcnow
from ..models.consent import ConsentScope, consent_is_sufficient
from ..models.search import CHILD_HAS_LOG, logs_of_child, who_holds
from ..models.transfer import Transfer, TransferKind
from ..security import Permission as P
from ..services import archive, notify
from .engine import Step, TransitionSpec, Workflow, refuse, register


def log_is_running(step: Step) -> None:
    if step.log.state not in ("active", "reopened"):
        refuse("transfer_log_not_active", "R19")


def one_open_transfer(step: Step) -> None:
    if any(t.is_open for t in step.log.transfers.values() if t is not step.obj):
        refuse("transfer_already_open", "R21")


def has_reason(step: Step) -> None:
    if not (step.obj.reason or "").strip():
        refuse("transfer_needs_reason", "R19")


def receiver_is_valid(step: Step) -> None:
    """R19: a named employee who may hold, or the leader of the receiving unit."""
    transfer, log = step.obj, step.log
    if transfer.kind == TransferKind.INSTALLATION:  # R23: named in words, by the file
        if not (transfer.to_municipality or "").strip():
            refuse("transfer_needs_receiver", "R19")
        return
    municipality = _receiving_municipality(step)
    if municipality is None:
        refuse("transfer_unknown_municipality", "R23")
    if transfer.to_employee_id:
        employee = municipality.employee(transfer.to_employee_id)
        if employee is None or not employee.active or not employee.may_hold:
            refuse("transfer_receiver_may_not_hold", "R19")
        if employee.id == log.holder_id:
            refuse("transfer_to_self", "R19")
        transfer.to_unit_id = employee.unit_id
    unit = municipality.units.get(transfer.to_unit_id or "")
    if unit is None:
        refuse("transfer_needs_receiver", "R19")
    same_unit = municipality is log.municipality and unit.id == log.unit_id
    if (transfer.kind == TransferKind.INTERNAL) != same_unit:
        refuse("transfer_kind_mismatch", "R19")
    if not transfer.to_employee_id and not municipality.unit_leaders(unit.id):
        refuse("transfer_unit_has_no_leader", "R19")


def concerns_chosen_exist(step: Step) -> None:
    """R20: the concerns that go along are chosen among the log's own."""
    if not set(step.obj.concern_ids) <= set(step.log.concerns.keys()):
        refuse("transfer_unknown_concern", "R20")


def has_transfer_consent(step: Step) -> None:
    """R11, R20: a transfer to another unit or municipality rests on the family's consent."""
    log, day = step.log, today()
    consent = log.consents.get(step.params.get("consent_id") or "")
    if (consent is None or consent.scope != ConsentScope.TRANSFER
            or not consent.is_valid_on(day) or not consent_is_sufficient(log, consent, day)):
        refuse("transfer_needs_consent", "R20")


def consent_not_needed_or_given(step: Step) -> None:
    if step.obj.state == "proposed" and step.obj.needs_consent:
        refuse("transfer_needs_consent", "R20")


def new_holder_is_valid(step: Step) -> None:
    """R19: the receiver, or the receiving leader naming a holder in their unit."""
    transfer = step.obj
    municipality = _receiving_municipality(step)
    new_holder_id = transfer.to_employee_id or step.params.get("new_holder_id")
    employee = municipality.employee(new_holder_id) if new_holder_id else None
    if employee is None or not employee.active or not employee.may_hold:
        refuse("transfer_new_holder_may_not_hold", "R19")
    if employee.unit_id != transfer.to_unit_id:
        refuse("transfer_new_holder_other_unit", "R19")
    step.params["new_holder"] = employee


def no_other_log_there(step: Step) -> None:
    """R45: a log moving to another municipality may not become the child's second log
    there; the receiver is told who holds the one there is."""
    if step.obj.kind != TransferKind.MUNICIPALITY:
        return
    target, log = _receiving_municipality(step), step.log
    for other in logs_of_child(target, log.subject.fnr, besides=log.id) if target else ():
        refuse(CHILD_HAS_LOG, "R45", **who_holds(other))


def decline_has_reason(step: Step) -> None:
    if not (step.reason or step.note).strip():
        refuse("transfer_decline_needs_reason", "R21")


def _receiving_municipality(step: Step):
    transfer, log = step.obj, step.log
    if transfer.kind != TransferKind.MUNICIPALITY:
        return log.municipality
    root = log.municipality.__parent__
    target = root.get(transfer.to_municipality) if root is not None else None
    return None if target is log.municipality else target


def not_elsewhere(step: Step) -> None:
    """R21, R23: a log for another installation is accepted there; only its receipt ends
    the transfer here."""
    if step.obj.kind == TransferKind.INSTALLATION:
        refuse("transfer_waits_for_receipt", "R21")


def is_elsewhere(step: Step) -> None:
    if step.obj.kind != TransferKind.INSTALLATION:
        refuse("transfer_waits_for_receipt", "R21")


def notify_receiver(step: Step) -> None:
    if step.obj.kind == TransferKind.INSTALLATION:
        return  # the receiver is told by the file the holder sends
    notify.transfer_proposed(step.obj, _receiving_municipality(step), step.request)


def remember_consent(step: Step) -> None:
    step.obj.consent_id = step.params["consent_id"]


def hand_over(step: Step) -> None:
    """R21: only now does the holder change; the log follows the person (R38)."""
    from ..services.relocate import hand_over_log

    transfer = step.obj
    transfer.new_holder_id = step.params["new_holder"].id
    transfer.decided = utcnow()
    if transfer.kind != TransferKind.INTERNAL:
        archive.archive_for_sending_unit(step.log)  # R35, before anything leaves (R20)
    hand_over_log(step.log, transfer, step.params["new_holder"])


def mark_decided(step: Step) -> None:
    step.obj.decided = utcnow()


OPEN = ("proposed", "consented")

TRANSFER_WORKFLOW = register(Transfer, Workflow(
    "transfer",
    states=["new", "proposed", "consented", "accepted", "declined", "cancelled"],
    transitions=[
        TransitionSpec("propose", "new", "proposed", P.TRANSFER,
                       guards=(log_is_running, one_open_transfer, has_reason, receiver_is_valid,
                               concerns_chosen_exist),
                       effects=(notify_receiver,)),
        TransitionSpec("consent", "proposed", "consented", P.TRANSFER,
                       guards=(has_transfer_consent,), effects=(remember_consent,)),
        TransitionSpec("accept", OPEN, "accepted", P.RECEIVE,
                       guards=(not_elsewhere, log_is_running, consent_not_needed_or_given,
                               new_holder_is_valid, no_other_log_there),
                       effects=(hand_over,)),
        TransitionSpec("decline", OPEN, "declined", P.RECEIVE,
                       guards=(decline_has_reason,), effects=(mark_decided,)),
        TransitionSpec("cancel", OPEN, "cancelled", P.TRANSFER, effects=(mark_decided,)),
        # R21, R23: the signed receipt of another installation, checked before (SYSTEM).
        TransitionSpec("receipt_accepted", "consented", "accepted", P.SYSTEM,
                       guards=(is_elsewhere, log_is_running), effects=(mark_decided,)),
        TransitionSpec("receipt_declined", "consented", "declined", P.SYSTEM,
                       guards=(is_elsewhere,), effects=(mark_decided,)),
    ],
))
