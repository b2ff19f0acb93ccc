"""The front page: the logged-in user's logs."""

from __future__ import annotations

from pyramid.view import view_config

from ..models.org import AccountKind, AppRoot
from ..security import Permission

STATE_ORDER = ("active", "reopened", "draft", "passive")


@view_config(context=AppRoot, renderer="stafett:templates/home.pt", permission=Permission.HOME)
def my_logs(request):
    account = request.identity
    municipality = request.app_root.get(account.municipality)
    if municipality is None:
        return {"groups": [], "municipality": None}
    return {"groups": _grouped(municipality, _my_log_ids(account, municipality)),
            "municipality": municipality}


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
        logs.sort(key=lambda log: (STATE_ORDER.index(log.state) if log.state in STATE_ORDER
                                   else 9, -log.modified.timestamp()))
        if logs:
            groups.append({"role": role, "logs": logs})
    return groups
