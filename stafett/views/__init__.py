"""Thin views, one module per area, registered by context and name (traversal)."""

from __future__ import annotations

from pyramid.events import BeforeRender, subscriber

from ..i18n import LOCALES, _
from ..messages import STATE_NAMES


def includeme(config) -> None:
    config.add_static_view("static", "stafett:static", cache_max_age=3600)
    config.add_request_method(lambda request: request.localizer.translate, "translate",
                              reify=True)
    config.add_request_method(navigation, "nav", reify=True)


def navigation(request) -> list[tuple]:
    """The menu for the logged-in user: (label, url). Consoles are traversal views:
    ``<unit>/console`` and ``<unit>/audit`` for leaders, ``<municipality>/admin`` and
    ``<municipality>/audit`` for superusers."""
    account = request.identity
    if account is None:
        return []
    links = [(_("nav_my_logs", default="My logs"), request.application_url + "/")]
    municipality = request.app_root.get(account.municipality)
    employee = municipality.employee(account.employee_id) if municipality else None
    if employee is None:
        return links
    if employee.is_leader:
        links.append((_("nav_unit_console", default="Unit"),
                      request.resource_url(employee.unit, "console")))
        links.append((_("nav_unit_audit", default="Audit"),
                      request.resource_url(employee.unit, "audit")))
    if employee.id in municipality.superusers:
        links.append((_("nav_municipality_admin", default="Municipality"),
                      request.resource_url(municipality, "admin")))
        links.append((_("nav_municipality_audit", default="Municipality audit"),
                      request.resource_url(municipality, "audit")))
    return links


@subscriber(BeforeRender)
def layout_globals(event) -> None:
    """What the layout needs on every page."""
    request = event.get("request")
    if request is None:
        return
    event.setdefault("identity", request.identity)
    event.setdefault("locales", LOCALES)
    event.setdefault("meeting_mode", False)
    event.setdefault("states", STATE_NAMES)
    event.setdefault("nav_label", _("nav_main", default="Main menu"))
