"""An individual plan (individuell plan, R38) the log was handed over to: who coordinates it,
which concerns went along (the family chose, R20), when and by whom."""

from __future__ import annotations

import datetime as dt

from .base import Resource, today, utcnow


class IndividualPlan(Resource):
    """Kept on the log as ``log.individual_plan`` once the log has passed into the plan.
    The coordinator is free text (name, and service or role) as the family named them."""

    __name__ = "individual_plan"

    def __init__(self, coordinator_name: str, coordinator_service: str, concern_ids=(), *,
                 consent_id: str | None = None, date: dt.date | None = None,
                 by: str | None = None):
        self.coordinator_name = coordinator_name
        self.coordinator_service = coordinator_service
        self.concern_ids = tuple(concern_ids)
        self.consent_id = consent_id
        self.date = date or today()
        self.by = by
        self.recorded = utcnow()

    @property
    def coordinator(self) -> str:
        """As the receiver is named on a package or a PDF."""
        name, service = self.coordinator_name.strip(), self.coordinator_service.strip()
        return f"{name} ({service})" if service else name


def plan_of(log) -> IndividualPlan | None:
    """The plan the log rests in since its handover (R38); reopening ends that."""
    return log.individual_plan
