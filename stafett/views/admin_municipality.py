"""The superuser's pages (R1): units of the municipality, their leaders, municipality-wide
figures. Views on the ``Municipality`` and its ``Unit``s, permission ``admin_municipality``."""

from __future__ import annotations

import deform
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.view import view_config

from ..forms import make_form, validated
from ..forms.admin import SERVICE_NAMES, NewEmployeeSchema, UnitSchema
from ..i18n import _
from ..models.base import DomainError
from ..models.org import Municipality, Unit
from ..security import Permission
from ..services import staff, stats
from .admin import back_to, error_text

P = Permission
UNIT_FIELDS = ("name", "service", "org_number", "children")  # Unit(...) in this order


def _unit_form(request, action, button):
    return make_form(UnitSchema(), request, formid="unit", action=action,
                     buttons=(deform.Button("save", button),))


@view_config(context=Municipality, name="admin",
             renderer="stafett:templates/admin/municipality.pt",
             permission=P.ADMIN_MUNICIPALITY)
def municipality_admin(request):
    municipality = request.context
    form = _unit_form(request, request.resource_url(municipality, "admin"),
                      _("adm_add_unit", default="Add unit"))
    rendered = None
    if request.method == "POST":
        data, rendered = validated(form, request)
        if data is not None:
            unit = municipality.add_unit(Unit(*(data[name] for name in UNIT_FIELDS)))
            municipality.journal.append("unit_added", unit=unit.id,
                                        actor=request.identity.uid)
            return back_to(request, unit, "admin-unit")
    return {"municipality": municipality, "figures": stats.municipality_figures(municipality),
            "form": rendered or form.render(), "services": SERVICE_NAMES}


@view_config(context=Unit, name="admin-unit", renderer="stafett:templates/admin/unit_edit.pt",
             permission=P.ADMIN_MUNICIPALITY)
def unit_admin(request):
    """Edit the unit, appoint or replace its leaders, add a new leader (R1)."""
    unit = request.context
    form = _unit_form(request, request.resource_url(unit, "admin-unit"),
                      _("adm_save", default="Save"))
    leader_form = make_form(NewEmployeeSchema(), request, formid="leader",
                            action=request.resource_url(unit, "admin-leader"),
                            buttons=(deform.Button("add", _("adm_add_leader",
                                                            default="Add new leader")),))
    rendered = None
    if request.method == "POST":
        data, rendered = validated(form, request)
        if data is not None:
            for name in UNIT_FIELDS:
                setattr(unit, name, data[name])
            unit.municipality.journal.append("unit_changed", unit=unit.id,
                                             actor=request.identity.uid)
            return back_to(request, unit.municipality, "admin")
    return _unit_page(request, unit, rendered or form.render(_unit_values(unit)),
                      leader_form.render({"may_hold": True, "may_act": True}), None)


def _unit_values(unit) -> dict:
    return {name: str(getattr(unit, name)) if name == "service" else getattr(unit, name)
            for name in UNIT_FIELDS}


def _unit_page(request, unit, form, leader_form, error) -> dict:
    employees = sorted((e for e in unit.employees.values() if e.active), key=lambda e: e.name)
    return {"unit": unit, "form": form, "leader_form": leader_form, "error": error,
            "employees": employees, "leaders": [e for e in employees if e.is_leader]}


@view_config(context=Unit, name="admin-leader", request_method="POST",
             renderer="stafett:templates/admin/unit_edit.pt",
             permission=P.ADMIN_MUNICIPALITY)
def add_leader(request):
    unit = request.context
    leader_form = make_form(NewEmployeeSchema(), request, formid="leader")
    form = _unit_form(request, request.resource_url(unit, "admin-unit"),
                      _("adm_save", default="Save"))
    current = _unit_values(unit)
    data, failed = validated(leader_form, request)
    if data is None:
        return _unit_page(request, unit, form.render(current), failed, None)
    try:
        staff.add_employee(unit, dict(data, is_leader=True), request.identity)
    except DomainError as exc:
        return _unit_page(request, unit, form.render(current), leader_form.render(data),
                          error_text(request, exc))
    return back_to(request, unit, "admin-unit")


@view_config(context=Unit, name="admin-appoint", request_method="POST",
             permission=P.ADMIN_MUNICIPALITY)
def appoint(request):
    unit = request.context
    employee = unit.employees.get(request.POST.get("employee") or "")
    if employee is None:
        raise HTTPBadRequest()
    try:
        staff.appoint_leader(unit, employee, request.identity,
                             replace=request.POST.get("replace") == "yes")
    except DomainError as exc:
        request.session.flash(error_text(request, exc))
    return back_to(request, unit, "admin-unit")
