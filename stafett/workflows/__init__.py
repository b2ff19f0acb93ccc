"""State machines (transitions), one module per machine, and the one way to fire them."""

from ..events import AfterTransition, subscribe
from ..models.indexes import keep_in_step
from .consent import CONSENT_WORKFLOW, give_consent
from .engine import (
    Step,
    TransitionForbidden,
    WorkflowError,
    create,
    fire,
    one_change,
    workflow_for,
)
from .log import LOG_WORKFLOW
from .log_request import LOG_REQUEST_WORKFLOW, send_request
from .measure import MEASURE_WORKFLOW, add_measure
from .transfer import TRANSFER_WORKFLOW

WORKFLOWS = (LOG_WORKFLOW, TRANSFER_WORKFLOW, MEASURE_WORKFLOW, CONSENT_WORKFLOW)

subscribe(keep_in_step)  # every change announced by a workflow or operation is indexed


def create_log(municipality, log, actor, **why):
    """Store a new draft log (R13) once ``create`` passes."""
    create(municipality.logs, log, "create", actor, **why)
    return log


def propose_transfer(log, transfer, actor, **why):
    """R19/R22: the holder, or their unit leader, proposes a transfer."""
    create(log.transfers, transfer, "propose", actor, **why)
    return transfer


__all__ = [
    "AfterTransition", "CONSENT_WORKFLOW", "LOG_REQUEST_WORKFLOW", "LOG_WORKFLOW",
    "MEASURE_WORKFLOW", "Step", "TRANSFER_WORKFLOW", "TransitionForbidden", "WORKFLOWS",
    "WorkflowError", "add_measure", "create", "create_log", "fire", "give_consent",
    "one_change", "propose_transfer", "send_request", "workflow_for",
]
