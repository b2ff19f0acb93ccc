"""A PDF of the concerns the family chose, for a receiver without Stafett (R20, R23, R38).

When the log goes to a municipality that has no Stafett, or into an individual plan, the
receiver gets the chosen concerns only, with their goals, measures and evaluations, and who
sends them (child, unit, holder, date). Concerns not chosen are never rendered: they are left
out before the template sees the log. PDF/A like every PDF that leaves (services.archive).
"""

from __future__ import annotations

from ..i18n import DEFAULT_LOCALE, _
from ..messages import category_name, name_of
from ..models.concern import Concern
from .archive import render_html, render_pdf

PURPOSES = {
    "transfer": _("plan_pdf_purpose_transfer",
                  default="Transfer of the log to another municipality"),
    "individual_plan": _("plan_pdf_purpose_plan",
                         default="The log passes into an individual plan"),
}


def chosen_concerns(log, concern_ids) -> list[Concern]:
    """The concerns that go along, in the log's order. None chosen means all of them, as a
    transfer's form says (R20); a plan always names its concerns."""
    wanted = set(concern_ids or ())
    return [c for c in log.concerns.values() if not wanted or c.id in wanted]


def receiver_html(log, concern_ids, *, purpose: str = "transfer", receiver: str = "",
                  locale_name: str = DEFAULT_LOCALE) -> str:
    municipality = log.municipality
    employee = municipality.employee

    def responsible(measure) -> str:
        if measure.actor_id:
            found = employee(measure.actor_id)
            return found.name if found is not None else ""
        return name_of("party", measure.party)

    return render_html(
        "receiver.pt", locale_name, log=log, concerns=chosen_concerns(log, concern_ids),
        holder=employee(log.holder_id), unit=log.unit, municipality=municipality,
        purpose=PURPOSES.get(purpose, purpose), receiver=receiver, responsible=responsible,
        category=category_name,
        meeting_date=lambda meeting_id: getattr(log.meetings.get(meeting_id or ""), "date",
                                                None))


def receiver_pdf(log, concern_ids, *, purpose: str = "transfer", receiver: str = "",
                 locale_name: str = DEFAULT_LOCALE) -> bytes:
    return render_pdf(receiver_html(log, concern_ids, purpose=purpose, receiver=receiver,
                                    locale_name=locale_name))


def receiver_filename(log, purpose: str) -> str:
    kind = "individuell-plan" if purpose == "individual_plan" else "overforing"
    return f"stafettlogg-{log.id}-{kind}.pdf"
