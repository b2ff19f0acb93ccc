"""The log's lifecycle: draft -> active -> passive -> reopened -> passive ... -> deleted.

``new`` is a pseudo-state: a log under construction is stored only once ``create`` succeeds.
"""

from __future__ import annotations

from ..models.base import today, utcnow
from ..models.consent import ConsentScope, consent_is_sufficient
from ..models.log import Log
from ..models.search import CHILD_HAS_LOG, logs_of_child, who_holds
from ..security import Permission as P
from ..services import archive, notify, purge
from . import individual_plan
from .engine import Step, TransitionSpec, Workflow, refuse, register

# -- guards (each names the rule it enforces) --------------------------------------------


def holder_may_hold(step: Step) -> None:
    log = step.log
    holder = log.municipality.employee(log.holder_id)
    if holder is None or not holder.active or not holder.may_hold:
        refuse("log_holder_may_not_hold", "R1")
    if holder.unit_id != log.unit_id:
        refuse("log_holder_other_unit", "R1")


def one_log_per_child(step: Step) -> None:
    """R45: the log follows the child, one log per child in a municipality. The refusal
    names who holds the one there is, and where, so the holder knows whom to ask."""
    log = step.log
    for other in logs_of_child(log.municipality, log.subject.fnr, besides=log.id):
        refuse(CHILD_HAS_LOG, "R45", **who_holds(other))


def has_valid_consent(step: Step) -> None:
    """R10: a recorded, sufficient consent to create the log; R9 decides whose."""
    log, day = step.log, today()
    if not any(c.scope == ConsentScope.CREATE and c.is_valid_on(day)
               and consent_is_sufficient(log, c, day) for c in log.consents.values()):
        refuse("log_needs_consent", "R10")


def guardian_if_15_or_younger(step: Step) -> None:
    """R14 / R9: the guardian field is mandatory up to and including age 15."""
    log = step.log
    if log.subject.kind != "pregnant" and log.subject.age() <= 15 and len(log.guardians) == 0:
        refuse("log_needs_guardian", "R14")


def no_open_transfer(step: Step) -> None:
    if any(t.is_open for t in step.log.transfers.values()):
        refuse("log_has_open_transfer", "R21")


def has_reopen_consent(step: Step) -> None:
    """R11, R16: a new consent, given after closing, to reopen a passive log."""
    log, day = step.log, today()
    closed_on = log.closed_at.date() if log.closed_at else None
    if not any(c.scope == ConsentScope.REOPEN and c.is_valid_on(day)
               and (closed_on is None or c.date >= closed_on)
               and consent_is_sufficient(log, c, day) for c in log.consents.values()):
        refuse("log_reopen_needs_consent", "R16")


def archive_exists_if_passive(step: Step) -> None:
    """R17: a passive log is deleted only after its archive PDF has been produced."""
    if step.log.state == "passive" and not step.log.has_archive():
        refuse("log_delete_needs_archive", "R17")


def copy_before_deletion(step: Step) -> None:
    """R35: a passive log gets its last archive copy, as it stands, before it is deleted."""
    if step.log.state == "passive":
        archive.archive_log(step.log, reason="before_deletion")


# -- effects ------------------------------------------------------------------------------


def notify_guardians(step: Step) -> None:
    notify.log_activated(step.log, step.request)


def mark_closed(step: Step) -> None:
    step.log.closed_at = utcnow()


def cancel_open_transfers(step: Step) -> None:
    from .engine import fire

    for transfer in list(step.log.transfers.values()):
        if transfer.is_open:
            fire(transfer, "cancel", step.actor, reason="log_closed", request=step.request)


def produce_archive(step: Step) -> None:
    archive.archive_log(step.log, reason="closed")


def mark_reopened(step: Step) -> None:
    """A reopened log runs again: it no longer rests in a plan it was handed over to (R38);
    the handover stays in its history and its archive copy."""
    step.log.closed_at = None
    step.log.individual_plan = None


def start_yearly_copies(step: Step) -> None:
    """R35: the yearly archive copy falls due a year after the log starts (or starts again)."""
    step.log.yearly_from = utcnow()


def erase(step: Step) -> None:
    purge.erase_log(step.log, deleted_by=step.actor_id, reason=step.reason or step.obj.state)


LOG_WORKFLOW = register(Log, Workflow(
    "log",
    states=["new", "draft", "active", "passive", "reopened", "deleted"],
    transitions=[
        TransitionSpec("create", "new", "draft", P.EDIT,
                       guards=(holder_may_hold, one_log_per_child)),
        TransitionSpec("activate", "draft", "active", P.EDIT,
                       guards=(has_valid_consent, guardian_if_15_or_younger),
                       effects=(start_yearly_copies, notify_guardians)),
        TransitionSpec("close", ("active", "reopened"), "passive", P.EDIT,
                       guards=(no_open_transfer,), effects=(mark_closed, produce_archive)),
        TransitionSpec("force_close", ("active", "reopened"), "passive", P.RECORD_CONSENT,
                       before=(cancel_open_transfers,), effects=(mark_closed, produce_archive)),
        TransitionSpec("to_individual_plan", ("active", "reopened"), "passive", P.EDIT,
                       guards=(*individual_plan.GUARDS, no_open_transfer),
                       effects=(mark_closed, *individual_plan.EFFECTS)),
        TransitionSpec("reopen", "passive", "reopened", P.REOPEN,
                       guards=(has_reopen_consent,), effects=(mark_reopened, start_yearly_copies)),
        TransitionSpec("delete", ("passive", "draft"), "deleted", P.DELETE,
                       guards=(archive_exists_if_passive,),
                       before=(copy_before_deletion,),
                       effects=(erase,)),
        TransitionSpec("discard", "draft", "deleted", P.DISCARD, effects=(erase,)),
    ],
))
