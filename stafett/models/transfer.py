"""Transfer of a log to a new holder, unit or municipality (R19-R23)."""

from __future__ import annotations

import enum

from .base import Resource, utcnow


class TransferKind(enum.StrEnum):
    INTERNAL = "internal"
    UNIT = "unit"
    MUNICIPALITY = "municipality"
    INSTALLATION = "installation"  # another Stafett, another database: by export file (R23)


class Transfer(Resource):
    """Addressed to a named employee or to the receiving unit's leader (R19)."""

    state = "new"
    # R23, a transfer to another installation: the secret its receipt must carry, and when
    # the export file was last downloaded (class defaults: transfers stored before).
    receipt_token = None
    exported = None

    def __init__(self, kind: TransferKind, reason: str, proposed_by: str, from_holder_id: str,
                 *, to_unit_id: str | None = None, to_employee_id: str | None = None,
                 to_municipality: str = "", concern_ids=()):
        self.kind = TransferKind(kind)
        self.reason = reason
        self.proposed_by = proposed_by
        self.from_holder_id = from_holder_id
        self.to_unit_id = to_unit_id
        self.to_employee_id = to_employee_id
        self.to_municipality = to_municipality
        self.concern_ids = tuple(concern_ids)
        self.consent_id = None
        self.new_holder_id = None
        self.created = utcnow()
        self.decided = None

    @property
    def needs_consent(self) -> bool:
        return self.kind != TransferKind.INTERNAL

    @property
    def is_open(self) -> bool:
        return self.state in ("proposed", "consented")
