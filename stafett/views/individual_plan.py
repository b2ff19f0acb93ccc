"""Handing a log over to an individual plan (R38), and the files that go to a receiver
without Stafett (R20, R23): the PDF of the chosen concerns and the plan's export file.

Every download is a POST with the session's token, for the holder only, and journaled as a
read of the log (a POST answering with a file is not journaled by the view deriver)."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config

from ..forms.individual_plan import plan_schema
from ..i18n import _
from ..models.consent import ConsentScope
from ..models.log import Log
from ..models.plan import IndividualPlan, plan_of
from ..models.transfer import Transfer
from ..security import Permission
from ..services import export_package
from ..services.receiver_pdf import receiver_filename, receiver_pdf
from ..workflows import give_consent, one_change
from ..workflows.individual_plan import hand_over_to_plan
from .downloads import file_response
from .formview import FORM_PAGE
from .log_lifecycle import LifecycleForm, consent_from
from .read_journal import journal_read

P = Permission
# Transfers that leave the municipality: to another in this database, or to another
# installation (named in words, issue 11); either receiver may have no Stafett at all.
LEAVING = ("municipality", "installation")


@view_config(context=Log, name="individual-plan", renderer=FORM_PAGE, permission=P.EDIT)
class HandOverToPlan(LifecycleForm):
    schema_factory = staticmethod(plan_schema)
    title = button = _("plan_hand_over", default="Hand over to an individual plan")
    intro = _("plan_intro", default=(
        "The log is closed and the concerns the family chooses go along to the individual "
        "plan, with the coordinator they named. Record the family's consent here. The "
        "family is told."))

    def success(self, data):
        # Two steps, one change: if the handover is refused, the consent is not kept either.
        request, log = self.request, self.log
        with one_change(request.tm):
            consent = give_consent(log, consent_from(data, ConsentScope.INDIVIDUAL_PLAN),
                                   request.identity, request=request)
            plan = IndividualPlan(data["coordinator_name"], data["coordinator_service"],
                                  sorted(data["concern_ids"]), consent_id=consent.id)
            hand_over_to_plan(log, plan, request.identity, note=data["note"], request=request)
        return self.to_log(_("plan_handed_over", default=(
            "The log is handed over to the individual plan and closed. The family is told.")))


def receiver_of(log, transfer) -> str:
    """The receiving municipality (and unit) by name, as the PDF names them."""
    root = log.municipality.__parent__
    target = root.get(transfer.to_municipality) if transfer.to_municipality else None
    if target is None or not hasattr(target, "units"):
        return transfer.to_municipality or ""
    unit = target.units.get(transfer.to_unit_id or "")
    return f"{unit.name}, {target.name}" if unit is not None else target.name



@view_config(context=Log, name="plan-pdf", request_method="POST", permission=P.HAND_OUT)
def plan_pdf(request):
    """The chosen concerns as PDF/A for the plan's coordinator (R38)."""
    log = request.context
    plan = plan_of(log)
    if plan is None:
        raise HTTPNotFound()
    data = receiver_pdf(log, plan.concern_ids, purpose="individual_plan",
                        receiver=plan.coordinator, locale_name=request.locale_name)
    journal_read(request, log)
    return file_response(data, receiver_filename(log, "individual_plan"), "application/pdf")


@view_config(context=Log, name="plan-package", request_method="POST",
             permission=P.HAND_OUT)
def plan_package(request):
    """R38: the same export file as a transfer's, marked for the plan."""
    log = request.context
    plan = plan_of(log)
    if plan is None:
        raise HTTPNotFound()
    data = export_package.build_package(log, plan.concern_ids, purpose="individual_plan",
                                        receiver=plan.coordinator,
                                        locale_name=request.locale_name)
    journal_read(request, log)
    return file_response(data, f"stafettlogg-{log.id}-individuell-plan.zip",
                         "application/zip")


@view_config(context=Transfer, name="receiver-pdf", request_method="POST",
             permission=P.HAND_OUT)
def transfer_receiver_pdf(request):
    """R23: for a municipality without Stafett, the chosen concerns as PDF/A, once the
    family has consented to the transfer."""
    transfer = request.context
    log = transfer.__parent__.__parent__
    if str(transfer.kind) not in LEAVING or transfer.state != "consented":
        raise HTTPNotFound()
    data = receiver_pdf(log, transfer.concern_ids, purpose="transfer",
                        receiver=receiver_of(log, transfer), locale_name=request.locale_name)
    journal_read(request, log, transfer)
    return file_response(data, receiver_filename(log, "transfer"), "application/pdf")
