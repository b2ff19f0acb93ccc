"""The front page: the logged-in user's logs and what needs their attention (R26, R10, R21).

Everything is found through the municipality's indexes (logs by holder, actor, reader,
account; measures by deadline; consents by expiry; open transfers by receiving unit), so the
page costs what it shows, not what the municipality holds.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from pyramid.view import view_config

from ..i18n import _
from ..models.base import today
from ..models.org import AccountKind, AppRoot
from ..security import Permission

STATE_ORDER = ("active", "reopened", "draft", "passive")
DUE_SOON = dt.timedelta(days=14)
EXPIRES_SOON = dt.timedelta(days=30)
RUNNING = ("draft", "active", "reopened")
ARENA_NAMES = {
    "service": _("lc_arena_service", default="in the service"),
    "home": _("lc_arena_home", default="at home"),
    "child": _("lc_arena_child", default="for the child"),
}


@view_config(context=AppRoot, renderer="stafett:templates/home.pt", permission=Permission.HOME)
def my_logs(request):
    account = request.identity
    municipality = request.app_root.get(account.municipality)
    if municipality is None:
        return {"groups": [], "municipality": None, "attention": [], "incoming": [],
                "can_create": False}
    ids = _my_log_ids(account, municipality)
    employee = municipality.employee(account.employee_id)
    return {"groups": _grouped(municipality, ids),
            "municipality": municipality,
            "attention": _attention(request, municipality, employee, ids),
            "incoming": _incoming(request.app_root, municipality, employee),
            "can_create": request.has_permission(Permission.CREATE_LOG, municipality)}


def _my_log_ids(account, municipality) -> dict[str, set[str]]:
    index = municipality.index
    if account.kind != AccountKind.EMPLOYEE:
        return {"family": set(index.ids("account", account.username))}
    employee_id = account.employee_id
    return {
        "holder": set(index.ids("holder", employee_id)),
        "actor": set(index.ids("actor", employee_id)),
        "reader": set(index.ids("reader", employee_id)),
    }


def _grouped(municipality, ids_by_role: dict[str, set[str]]) -> list[dict]:
    """One list per role, each sorted active first, then by last change."""
    groups = []
    for role, ids in ids_by_role.items():
        logs = [municipality.logs[i] for i in ids if i in municipality.logs]
        if role != "holder":  # R13: a draft is for its holder (and their leader) only
            logs = [log for log in logs if log.state != "draft"]
        logs.sort(key=lambda log: (STATE_ORDER.index(log.state) if log.state in STATE_ORDER
                                   else 9, -log.last_activity.timestamp()))
        if logs:
            groups.append({"role": role, "logs": logs})
    return groups


# -- what needs attention ------------------------------------------------------------------
def _attention(request, municipality, employee, ids) -> list[SimpleNamespace]:
    if employee is None:
        return []
    held = ids.get("holder", set())
    items = _due_measures(municipality, employee, held, ids.get("actor", set()))
    watched = held | (set(municipality.index.ids("unit", employee.unit_id))
                      if employee.is_leader else set())
    items += _expiring_consents(municipality, watched)
    for log_id in sorted(held):
        log = municipality.logs.get(log_id)
        if log is not None and log.state in RUNNING:
            items += _log_attention(request, log)
    return _by_log(items)


def _by_log(items: list) -> list[SimpleNamespace]:
    """One entry per log (its name once), urgent logs first."""
    logs: dict[str, SimpleNamespace] = {}
    for item in items:
        entry = logs.setdefault(item.log.id, SimpleNamespace(log=item.log, items=[],
                                                             urgent=False))
        entry.items.append(item)
        entry.urgent = entry.urgent or item.urgent
    return sorted(logs.values(), key=lambda entry: not entry.urgent)


def _item(log, text, urgent: bool = False) -> SimpleNamespace:
    return SimpleNamespace(log=log, text=text, urgent=urgent)


def _due_measures(municipality, employee, held: set[str], acting: set[str]) -> list:
    """Evaluations due within two weeks or overdue: the holder's logs, and the actor's own
    measures (R27, R37)."""
    items, day = [], today()
    for _deadline, log_id, concern_id, measure_id in municipality.index.measures_due(
            (day + DUE_SOON).isoformat()):
        if log_id not in held and log_id not in acting:
            continue
        log = municipality.logs.get(log_id)
        concern = log.concerns.get(concern_id) if log is not None else None
        measure = concern.measures.get(measure_id) if concern is not None else None
        if measure is None or (log_id not in held and measure.actor_id != employee.id):
            continue
        overdue = measure.deadline < day
        text = _("lc_attention_overdue", default="Evaluation overdue since ${date}: ${measure}",
                 mapping={"date": measure.deadline, "measure": measure.text}) \
            if overdue else _("lc_attention_due", default="Evaluation due ${date}: ${measure}",
                              mapping={"date": measure.deadline,
                                       "measure": measure.text})
        items.append(_item(log, text, overdue))
    return items


def _expiring_consents(municipality, watched: set[str]) -> list:
    """R10: consents that have expired or expire within 30 days, on running logs."""
    items, day = [], today()
    for _expires, log_id, consent_id in municipality.index.consents_expiring(
            (day + EXPIRES_SOON).isoformat()):
        if log_id not in watched:
            continue
        log = municipality.logs.get(log_id)
        consent = log.consents.get(consent_id) if log is not None else None
        if consent is None or log.state not in RUNNING:
            continue
        expired = consent.expires < day
        mapping = {"date": consent.expires}
        text = _("lc_attention_consent_expired", default="The consent expired ${date}.",
                 mapping=mapping) if expired else _(
            "lc_attention_consent_expiring", default="The consent expires ${date}.",
            mapping=mapping)
        items.append(_item(log, text, expired))
    return items


def _log_attention(request, log) -> list:
    """Outgoing transfers waiting, a draft waiting for consent, and concerns missing a
    measure in the service, at home or for the child (R26)."""
    items = []
    for transfer in log.transfers.values():
        if transfer.state == "proposed" and transfer.needs_consent:
            items.append(_item(log, _("lc_attention_transfer_consent", default=(
                "The transfer waits for the family's consent."))))
        elif transfer.is_open:
            items.append(_item(log, _("lc_attention_transfer_waiting", default=(
                "The transfer waits for the receiver."))))
    if log.state == "draft":
        items.append(_item(log, _("lc_attention_draft", default=(
            "A draft: record the consent and activate the log."))))
        return items
    for concern in log.concerns.values():
        missing = concern.missing_arenas() if concern.closed is None else []
        if missing:
            arenas = ", ".join(request.localizer.translate(ARENA_NAMES[str(a)])
                               for a in missing)
            items.append(_item(log, _("lc_attention_missing_measure", default=(
                "“${concern}” has no measure ${arenas}."),
                mapping={"concern": concern.text, "arenas": arenas})))
    return items


def _incoming(root, municipality, employee) -> list[SimpleNamespace]:
    """Open transfers addressed to this employee, or to their unit when they lead it (R19);
    from this municipality and from others (R23)."""
    if employee is None:
        return []
    key = (municipality.id, employee.unit_id)
    found = []
    for source in root.values():
        for log_id in source.index.ids("transfer_to", key):
            log = source.logs.get(log_id)
            for transfer in log.transfers.values() if log is not None else ():
                if transfer.is_open and _addressed_to(transfer, employee):
                    found.append(SimpleNamespace(log=log, transfer=transfer))
    return found


def _addressed_to(transfer, employee) -> bool:
    if transfer.to_employee_id:
        return transfer.to_employee_id == employee.id
    return employee.is_leader and transfer.to_unit_id == employee.unit_id
