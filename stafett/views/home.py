"""The front page: the logged-in user's logs and what needs their attention (R26, R10, R21).

Everything is found through the municipality's indexes (logs by holder, actor, reader,
account; measures by deadline; consents by expiry; open transfers by receiving unit), so the
page costs what it shows, not what the municipality holds.
"""

from __future__ import annotations

import datetime as dt
import heapq
from itertools import islice
from types import SimpleNamespace

from pyramid.view import view_config

from ..i18n import _
from ..models.base import today
from ..models.indexes import person_key
from ..models.org import AccountKind, AppRoot
from ..security import Permission, family_roles
from .log_requests import state_text

STATE_ORDER = ("active", "reopened", "draft", "passive")
PAGE = 30  # logs shown per role before "show all"
DUE_SOON = dt.timedelta(days=14)
EXPIRES_SOON = dt.timedelta(days=30)
UNIT_QUEUE = 10  # of a unit's queue (expiring consents, logs offered) on a front page
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
        return {"groups": [], "news": [], "municipality": None, "attention": [], "incoming": [],
                "can_create": False, "import_url": None, "unit_consents_url": None,
                "incoming_more_url": None,
                "requests": [], "requests_waiting": None, "request_state": state_text,
                **session_limits(request)}
    ids = _my_log_ids(account, municipality)
    employee = municipality.employee(account.employee_id)
    incoming, incoming_more_url = _incoming(request, municipality, employee)
    unit_consents, unit_consents_url = _unit_consents(request, municipality, employee)
    groups = _grouped(request, municipality, ids)
    return {"groups": groups, "news": _news(request, account, groups),
            "municipality": municipality,
            "attention": _attention(request, municipality, employee, unit_consents),
            "unit_consents_url": unit_consents_url,
            "incoming": incoming, "incoming_more_url": incoming_more_url,
            "can_create": request.has_permission(Permission.CREATE_LOG, municipality),
            "import_url": _import_url(request, employee),
            "requests": _my_requests(request, account),
            "requests_waiting": _requests_waiting(request, municipality, employee),
            "request_state": state_text,
            **session_limits(request)}


def _import_url(request, employee) -> str | None:
    """R23: a log sent from another Stafett is taken in at the person's own unit."""
    unit = employee.unit if employee is not None else None
    if unit is None or not request.has_permission(Permission.IMPORT_LOG, unit):
        return None
    return request.resource_url(unit, "import-log")


REQUESTS_SHOWN = 20
NEWS_SHOWN = 10


def _news(request, account, groups: list[dict]) -> list:
    """The logs on this page with something new since the person last opened them (or
    never opened), newest first: one query of the person's visit stamps for the logs
    already shown, so it costs what the page shows."""
    logs = {log.id: log for group in groups for log in group["logs"]}
    seen = request.registry.visits.last_seen(account.uid, logs)
    new = [log for log_id, log in logs.items()
           if log_id not in seen or log.last_activity.timestamp() * 1e9 > seen[log_id]]
    new.sort(key=lambda log: log.last_activity, reverse=True)
    return new[:NEWS_SHOWN]


def _my_requests(request, account) -> list:
    """R41: the requests for a log this person sent, newest first, in every municipality
    they asked (a guardian in one may ask another)."""
    sent = [ask for municipality in request.app_root.values()
            for ask in municipality.log_requests_of(account.username)]
    return sorted(sent, key=lambda ask: ask.created, reverse=True)[:REQUESTS_SHOWN]


def _requests_waiting(request, municipality, employee) -> tuple[int, str] | None:
    """R41: a leader sees how many families wait for an answer, from the unit's count."""
    if employee is None or not employee.is_leader:
        return None
    unit = municipality.units.get(employee.unit_id)
    waiting = unit.requests_waiting() if unit is not None else 0
    return (waiting, request.resource_url(unit, "console-requests")) if waiting else None


def session_limits(request) -> dict:
    """What the front page tells about when a login ends, from the settings."""
    settings = request.registry.settings
    return {"idle_minutes": int(settings.get("stafett.session_idle_seconds", 1200)) // 60,
            "max_hours": request.registry.login_sessions.max_seconds // 3600}


def _my_log_ids(account, municipality) -> dict[str, object]:
    """Each of the person's roles: staff roles by employee id; family logs by local
    username and by fødselsnummer (a teacher who is also a parent sees both)."""
    index, ids = municipality.index, {}
    if account.kind == AccountKind.EMPLOYEE:
        employee_id = account.employee_id
        ids = {"holder": index.ids("holder", employee_id),
               "actor": index.ids("actor", employee_id),
               "reader": index.ids("reader", employee_id)}
    family = set(index.ids("account", account.username))
    if account.fnr:
        family |= set(index.ids("account", person_key(account.fnr)))
    ids["family"] = [log_id for log_id in family if _family_of(account, municipality, log_id)]
    return ids


def _family_of(account, municipality, log_id) -> bool:
    """The subject's own log counts from 16 only (R9); the index holds the number younger."""
    log = municipality.logs.get(log_id)
    return log is not None and bool(family_roles(account, log))


def _grouped(request, municipality, ids_by_role: dict) -> list[dict]:
    """One list per role, active first, then by last activity; the first ``PAGE`` logs of
    each, ordered from the index without loading the others (``?all=<role>`` shows all)."""
    index, groups = municipality.index, []
    for role, ids in ids_by_role.items():
        keys = sorted(_order_key(index, log_id) for log_id in ids)
        if role != "holder":  # R13: a draft is for its holder (and their leader) only
            keys = [k for k in keys if k[0] != STATE_ORDER.index("draft")]
        shown = keys if request.params.get("all") == role else keys[:PAGE]
        logs = [municipality.logs[k[-1]] for k in shown if k[-1] in municipality.logs]
        if logs:
            groups.append({"role": role, "logs": logs, "total": len(keys),
                           "all_url": request.resource_url(request.context,
                                                           query={"all": role})
                           if len(keys) > len(shown) else None})
    return groups


def _order_key(index, log_id: str) -> tuple:
    state = next(iter(index.indexed_values(log_id, "state")), "")
    recent = next(iter(index.indexed_values(log_id, "unit_recent")), ("", 0.0))
    return (STATE_ORDER.index(state) if state in STATE_ORDER else 9, recent[1], log_id)


# -- what needs attention ------------------------------------------------------------------
def _attention(request, municipality, employee, unit_consents) -> list[SimpleNamespace]:
    """Read from this person's own index entries, so the cost follows what is shown."""
    if employee is None:
        return []
    items = _due_measures(municipality, "holder_due", employee.id)
    items += _due_measures(municipality, "actor_due", employee.id)
    items += _expiring_consents(municipality, "holder_consent_expiry", employee.id)
    items += unit_consents
    items += _log_attention(request, municipality, employee.id)
    return _by_log(items)


def _unit_consents(request, municipality, employee) -> tuple[list, str | None]:
    """R10: a leader's first few of the unit's expiring consents, and the console's list
    when there are more than the front page shows."""
    if employee is None or not employee.is_leader:
        return [], None
    items = _expiring_consents(municipality, "unit_consent_expiry", employee.unit_id,
                               UNIT_QUEUE + 1)
    if len(items) <= UNIT_QUEUE:
        return items, None
    unit = municipality.units[employee.unit_id]
    return items[:UNIT_QUEUE], request.resource_url(unit, "console-consents")


def _by_log(items: list) -> list[SimpleNamespace]:
    """One entry per log (its name once), urgent logs first; each item said once."""
    logs: dict[str, SimpleNamespace] = {}
    for item in items:
        entry = logs.setdefault(item.log.id, SimpleNamespace(log=item.log, items=[],
                                                             urgent=False))
        if item.key not in {i.key for i in entry.items}:
            entry.items.append(item)
        entry.urgent = entry.urgent or item.urgent
    return sorted(logs.values(), key=lambda entry: not entry.urgent)


def _item(log, key, text, urgent: bool = False) -> SimpleNamespace:
    return SimpleNamespace(log=log, key=key, text=text, urgent=urgent)


def _own_range(municipality, field: str, who: str, until: str = "\uffff"):
    """(index value, log) for this person's entries of ``field`` up to ``until``."""
    for value, ids in municipality.index.value_range(field, (who,), (who, until, "\uffff")):
        for log_id in ids:
            log = municipality.logs.get(log_id)
            if log is not None:
                yield value, log


def _due_measures(municipality, field: str, who: str) -> list:
    """Evaluations due within two weeks or overdue: in the logs one holds, and one's own
    measures as an actor (R27, R37)."""
    items, day = [], today()
    for (_who, _deadline, concern_id, measure_id), log in _own_range(
            municipality, field, who, (day + DUE_SOON).isoformat()):
        concern = log.concerns.get(concern_id)
        measure = concern.measures.get(measure_id) if concern is not None else None
        if measure is None:
            continue
        overdue = measure.deadline < day
        mapping = {"date": measure.deadline, "measure": measure.text}
        text = _("lc_attention_overdue", default="Evaluation overdue since ${date}: ${measure}",
                 mapping=mapping) if overdue else _(
            "lc_attention_due", default="Evaluation due ${date}: ${measure}", mapping=mapping)
        items.append(_item(log, ("measure", measure_id), text, overdue))
    return items


def _expiring_consents(municipality, field: str, who: str, most: int | None = None) -> list:
    """R10: consents that have expired or expire within 30 days, on running logs; the
    ``most`` earliest when given."""
    items, day = [], today()
    for (_who, _expires, consent_id), log in islice(_own_range(
            municipality, field, who, (day + EXPIRES_SOON).isoformat()), most):
        consent = log.consents.get(consent_id)
        if consent is None:
            continue
        expired = consent.expires < day
        mapping = {"date": consent.expires}
        text = _("lc_attention_consent_expired", default="The consent expired ${date}.",
                 mapping=mapping) if expired else _(
            "lc_attention_consent_expiring", default="The consent expires ${date}.",
            mapping=mapping)
        items.append(_item(log, ("consent", consent_id), text, expired))
    return items


ATTENTION_TEXTS = {
    "transfer_consent": _("lc_attention_transfer_consent",
                          default="The transfer waits for the family's consent."),
    "transfer_waiting": _("lc_attention_transfer_waiting",
                          default="The transfer waits for the receiver."),
    "draft": _("lc_attention_draft",
               default="A draft: record the consent and activate the log."),
}


def _log_attention(request, municipality, holder_id: str) -> list:
    """Outgoing transfers waiting, drafts waiting for consent, and concerns missing a
    measure in the service, at home or for the child (R26), from the holder's entries."""
    items = []
    for (_holder, _log_id, what, concern_id), log in _own_range(
            municipality, "holder_attention", holder_id):
        if what in ATTENTION_TEXTS:
            items.append(_item(log, (what,), ATTENTION_TEXTS[what]))
            continue
        concern = log.concerns.get(concern_id)
        if concern is None:
            continue
        arenas = ", ".join(request.translate(ARENA_NAMES[a]) for a in what.split(":")[1:])
        items.append(_item(log, (what, concern_id), _(
            "lc_attention_missing_measure", default="“${concern}” has no measure ${arenas}.",
            mapping={"concern": concern.text, "arenas": arenas})))
    return items


def _incoming(request, municipality, employee) -> tuple[list[SimpleNamespace], str | None]:
    """Open transfers addressed to this employee, or to their unit when they lead it (R19),
    from this municipality and from others (R23): the oldest few, and for a leader with
    more waiting a link to the unit's transfers in the console."""
    if employee is None:
        return [], None
    offered = heapq.merge(*(_offered(source, municipality.id, employee)
                            for source in request.app_root.values()),
                          key=lambda item: item.transfer.created)
    found = list(islice(offered, UNIT_QUEUE + 1))
    more = None
    if len(found) > UNIT_QUEUE and employee.is_leader:
        more = request.resource_url(municipality.units[employee.unit_id], "console-transfers")
    return found[:UNIT_QUEUE], more


def _offered(source, municipality_id: str, employee):
    """The transfers of ``source`` offered to the employee, the oldest first: a leader
    walks the unit's, anyone else their own entries."""
    if employee.is_leader:
        low = (municipality_id, employee.unit_id)
        entries = source.index.value_range("transfer_to_since", low, low + ("\uffff",))
        named = ((transfer_id, ids) for (*_where, transfer_id), ids in entries)
    else:
        entries = source.index.value_range("transfer_to_employee_since", (employee.id,),
                                           (employee.id, "\uffff"))
        named = ((transfer_id, ids) for (_who, _since, transfer_id), ids in entries)
    for transfer_id, ids in named:
        for log_id in ids:
            log = source.logs.get(log_id)
            transfer = log.transfers.get(transfer_id) if log is not None else None
            if transfer is not None and transfer.is_open and _addressed_to(transfer, employee):
                yield SimpleNamespace(log=log, transfer=transfer)


def _addressed_to(transfer, employee) -> bool:
    if transfer.to_employee_id:
        return transfer.to_employee_id == employee.id
    return employee.is_leader and transfer.to_unit_id == employee.unit_id
