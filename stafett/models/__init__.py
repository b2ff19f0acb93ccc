"""The persistent object graph: AppRoot -> Municipality -> units / logs -> ..."""

from .base import Container, DomainError, new_id, utcnow
from .concern import Arena, Category, Concern, Decision, Evaluation, Goal, Measure, Party, Verdict
from .consent import Consent, ConsentForm, ConsentScope, ReadGrant
from .log import ArchivedPdf, Guardian, Level, Log, Subject, SubjectKind, Tombstone
from .notes import Glimpse, LogNote, Meeting, PrivateNote
from .org import Account, AccountKind, AppRoot, Employee, Municipality, ServiceType, Unit
from .transfer import Transfer, TransferKind

__all__ = [
    "Account", "AccountKind", "AppRoot", "Arena", "ArchivedPdf", "Category", "Concern",
    "Consent", "ConsentForm", "ConsentScope", "Container", "Decision", "DomainError",
    "Employee", "Evaluation", "Glimpse", "Goal", "Guardian", "Level", "Log", "LogNote",
    "Measure", "Meeting", "Municipality", "Party", "PrivateNote", "ReadGrant", "ServiceType",
    "Subject", "SubjectKind", "Tombstone", "Transfer", "TransferKind", "Unit", "Verdict",
    "new_id", "utcnow",
]
