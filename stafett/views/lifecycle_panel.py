"""The log page's lifecycle panel: the state, the actions this user may take, the family,
consents, read grants, transfers and the messages sent (R2-R6, R44)."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

from ..i18n import _
from ..messages import name_of
from ..models.plan import plan_of
from ..security import Permission, request_principals, sees_contact_details
from ..services.consent_form import FORM_LANGUAGES, FORM_SCOPES, default_scope
from ..workflows import workflow_for
from ..workflows.child_login import under_age_limit

OUTBOX_SHOWN = 20  # the newest messages sent; the page costs what it shows


def lifecycle_panel(request, log) -> dict:
    """Values for templates/log/lifecycle.pt: what this user may see and do (R2-R6)."""
    account = request.identity
    full = request.has_permission(Permission.VIEW, log)
    consent_rights = request.has_permission(Permission.RECORD_CONSENT, log)
    holder = account is not None and account.employee_id == log.holder_id
    if account is not None:  # the front page's "new since last time" (SQL, not ZODB)
        request.registry.visits.visit(log.id, account.uid)
    return {"lc": SimpleNamespace(
        error=None,
        full=full,
        holder=holder,
        actions=_log_actions(request, log),
        consent_form=_consent_form(request, log, consent_rights),
        guardians=_guardians(request, log) if full else [],
        consents=_consents(request, log) if (full or consent_rights) else [],
        grants=_grants(request, log) if full else [],
        transfers=_transfers(request, log),
        outbox=[m for _key, m in itertools.islice(log.outbox.newest(), OUTBOX_SHOWN)]
        if holder else [],
        failed_notices=failed_notices(request, log) if holder else [],
        plan=plan_of(log),
        hand_out=request.has_permission(Permission.HAND_OUT, log),
        employee=log.municipality.employee,
        unit_name=lambda unit_id: getattr(log.municipality.units.get(unit_id or ""), "name", ""),
        party_name=lambda party: _party_name(log, party),
    )}


def _log_actions(request, log) -> list[SimpleNamespace]:
    """The buttons and links this user may use on this log."""
    url, can = request.resource_url, request.has_permission
    available = set(workflow_for(log).available(log, can))
    running = log.state in ("active", "reopened")
    actions = []

    def add(name, label, method="get", view=None):
        actions.append(SimpleNamespace(name=name, label=label, method=method,
                                       url=url(log, view or name)))

    if can(Permission.EDIT, log):
        add("edit", _("lc_edit_log", default="Edit subject and guardians"))
    if can(Permission.RECORD_CONSENT, log):
        add("consent", _("lc_record_consent", default="Record consent"))
    if "activate" in available:
        add("activate", _("lc_activate", default="Activate the log"), "post")
    if running and can(Permission.EDIT, log):
        add("grant", _("lc_grant_access", default="Grant read access"))
    if running and can(Permission.TRANSFER, log) and not _open_transfer(log):
        add("transfer", _("lc_propose_transfer", default="Propose a transfer"))
        add("transfer-elsewhere", _("ex_propose", default="Send to another Stafett installation"))
    if "close" in available:
        add("close", _("lc_close", default="Close the log"))
    if "reopen" in available:
        add("reopen", _("lc_reopen", default="Reopen the log"), "post")
    if "discard" in available:
        add("discard", _("lc_discard", default="Discard the draft"), "post")
    if "delete" in available:
        add("delete", _("lc_delete", default="Delete the log"), "post")
    if can(Permission.ENROL_SUBJECT, log) and under_age_limit(log):
        add("child-login", _("enrol_title", default="Login for the child"))
    if can(Permission.EDIT, log):
        add("meeting-mode", _("lc_meeting_mode", default="Meeting mode"), "post")
    return actions


CONSENT_FORM_SCOPES = tuple((str(scope), name_of("scope", scope)) for scope in FORM_SCOPES)


def _consent_form(request, log, consent_rights: bool) -> SimpleNamespace | None:
    """The printable consent form (R42), for whoever gathers the consent: in the user's
    language unless the family reads another; the consent the log needs next."""
    if not consent_rights:
        return None
    return SimpleNamespace(url=request.resource_url(log, "consent-form"),
                           languages=list(FORM_LANGUAGES.values()), lang=request.locale_name,
                           scopes=CONSENT_FORM_SCOPES, scope=default_scope(log))


def _guardians(request, log) -> list[SimpleNamespace]:
    """Each guardian with the contact details this reader may see (R44)."""
    account = request.identity
    principals = request_principals(request, log)
    may_invite = request.has_permission(Permission.EDIT, log)
    shown = []
    for guardian in log.guardians.values():
        visible = sees_contact_details(account, principals, guardian)
        invitable = may_invite and not guardian.fnr and bool(guardian.email)
        shown.append(SimpleNamespace(name=guardian.name, protected=guardian.protected,
                                     lives_with_child=guardian.lives_with_child,
                                     email=guardian.email if visible else "",
                                     phone=guardian.phone if visible else "",
                                     known=may_invite and bool(guardian.fnr),
                                     invited=may_invite and guardian.invitation is not None,
                                     invite_url=request.resource_url(guardian, "invite")
                                     if invitable else None))
    return shown


def _consents(request, log) -> list[SimpleNamespace]:
    return [SimpleNamespace(
        obj=c, withdraw="withdraw" in workflow_for(c).available(c, request.has_permission),
        file=c.attachment is not None and request.has_permission(Permission.VIEW, c))
        for c in log.consents.values()]


def _grants(request, log) -> list[SimpleNamespace]:
    editable = request.has_permission(Permission.EDIT, log) and log.is_editable
    return [SimpleNamespace(obj=g, editable=editable and g.active,
                            concerns=[log.concerns[c].text for c in g.concern_ids
                                      if c in log.concerns])
            for g in log.grants.values()]


def _transfers(request, log) -> list[SimpleNamespace]:
    """Open transfers for those who take part in them; all of them for full readers."""
    shown = []
    for transfer in log.transfers.values():
        available = set(workflow_for(transfer).available(transfer, request.has_permission))
        if not (request.has_permission(Permission.VIEW, log) or available):
            continue
        shown.append(SimpleNamespace(obj=transfer, available=available,
                                     needs_consent=transfer.state == "proposed"
                                     and transfer.needs_consent))
    return shown


def _open_transfer(log):
    return next((t for t in log.transfers.values() if t.is_open), None)


def _party_name(log, party: str) -> str:
    guardian = log.guardians.get(party)
    return guardian.name if guardian is not None else log.subject.name


# -- notifications that could not be sent (R37) ---------------------------------------------
NOTICE_ABOUT = {
    "log_activated": _("nt_about_log_activated", default="the log being opened"),
    "glimpse": _("nt_about_glimpse", default="a new glimpse"),
    "measure": _("nt_about_measure", default="a measure"),
    "meeting": _("nt_about_meeting", default="a meeting"),
    "transfer_proposed": _("nt_about_transfer", default="a transfer"),
    "evaluation_due": _("nt_about_evaluation_due", default="an evaluation coming due"),
    "consent_expiring": _("nt_about_consent_expiring", default="a consent expiring"),
    "guardian_invited": _("nt_about_invitation", default="an invitation"),
    "individual_plan": _("nt_about_individual_plan",
                         default="the log passing into an individual plan"),
}
NOTICE_REASONS = {
    "no_email": _("nt_reason_no_email", default="no e-mail address"),
    "no_mobile": _("nt_reason_no_mobile", default="no mobile number"),
    "smtp_refused": _("nt_reason_smtp_refused", default="the mail server did not take it"),
    "gateway_refused": _("nt_reason_gateway_refused", default="the SMS service refused it"),
    "gateway_unreachable": _("nt_reason_gateway_unreachable",
                             default="the SMS service did not answer"),
}


def failed_notices(request, log) -> list[SimpleNamespace]:
    """What could not be sent about this log, newest first, for the holder to phone about:
    the store keeps ids, the names come from the log."""
    found = []
    for row in request.registry.notice_failures.of_log(log.id):
        text = _("nt_failed", default="The notification to ${name} about ${about} could not "
                                      "be sent: ${reason}.",
                 mapping={"name": _recipient_name(log, row["recipient"]),
                          "about": NOTICE_ABOUT.get(row["kind"], row["kind"]),
                          "reason": NOTICE_REASONS.get(row["reason"], row["reason"])})
        found.append(SimpleNamespace(at=dt.datetime.fromtimestamp(row["at"] / 1e9, dt.UTC),
                                     text=text))
    return found


def _recipient_name(log, ref: str) -> str:
    kind, _sep, ref_id = ref.partition(":")
    if kind == "guardian":
        found = log.guardians.get(ref_id)
    elif kind == "employee":
        found = log.municipality.employee(ref_id)
    else:
        found = log.subject
    return getattr(found, "name", "") or "?"
