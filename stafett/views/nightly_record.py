"""The last nightly run as the superuser reads it (templates/admin/nightly_panel.pt): each
step and each count by its name in the reader's language. The record itself keeps codes
(``daily/<slug>``, ``expired=1``), which the operator's tools print as they are."""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import _
from ..models.nightly import last_run

STEPS = {
    "daily": _("nightly_step_daily", default="Consents and reminders"),
    "login-sessions": _("nightly_step_login_sessions", default="Ended login sessions"),
    "seal-journals": _("nightly_step_seal_journals", default="Sealing the change journals"),
    "seal-access": _("nightly_step_seal_access", default="Sealing the access journal"),
    "archive-delivery": _("nightly_step_archive_delivery",
                          default="Delivering archive copies to the municipal archive"),
    "pack": _("nightly_step_pack", default="Packing the database"),
}
COUNTS = {
    "expired": _("nightly_count_expired", default="consents expired"),
    "actors_reminded": _("nightly_count_actors_reminded", default="actors reminded"),
    "leaders_reminded": _("nightly_count_leaders_reminded", default="leaders reminded"),
    "archives_produced": _("nightly_count_archives_produced",
                           default="archive copies made"),
    "yearly_copies": _("nightly_count_yearly_copies", default="yearly archive copies"),
    "pruned": _("nightly_count_pruned", default="sessions forgotten"),
    "delivered": _("nightly_count_delivered", default="archive copies delivered"),
    "failed": _("nightly_count_delivery_failed", default="archive deliveries failed"),
    "sealed": _("nightly_count_sealed", default="entries sealed"),
    "journals": _("nightly_count_journals", default="journals"),
    "days": _("nightly_count_days", default="days of history kept"),
    "leftovers_cleaned": _("nightly_count_leftovers", default="leftover files removed"),
}


@dataclass
class StepRow:
    label: str
    finished: object
    counts: list[tuple[str, float]]


def nightly_record(request) -> dict:
    """The last run and its steps in the order done, for the panel."""
    run = last_run(request.root)
    done = [] if run is None else sorted(run.steps.items(), key=lambda item: item[1].finished)
    return {"nightly": run,
            "nightly_steps": [_row(request, name, step) for name, step in done]}


def _row(request, name: str, step) -> StepRow:
    kind, _slash, slug = name.partition("/")
    label = request.translate(STEPS[kind]) if kind in STEPS else name
    municipality = request.root.get(slug) if slug else None
    if municipality is not None:
        label = f"{label}: {municipality.name}"
    return StepRow(label, step.finished, _counts(request, step.summary))


def _counts(request, summary: str) -> list[tuple[str, float]]:
    counts = []
    for word in summary.split():
        key, equals, value = word.partition("=")
        if equals and key in COUNTS:
            counts.append((request.translate(COUNTS[key]), float(value)))
    return counts
