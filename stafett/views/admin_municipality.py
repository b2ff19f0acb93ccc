"""The superuser's pages (R1): units of the municipality, their leaders, municipality-wide
figures. Views on the ``Municipality`` and its ``Unit``s, permission ``admin_municipality``."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPBadRequest
from pyramid.view import view_config

from ..forms.admin import SERVICE_NAMES, NewEmployeeSchema, UnitSchema
from ..i18n import _
from ..models.base import DomainError
from ..models.org import Municipality, Unit
from ..security import Permission
from ..services import staff, stats
from .admin import ConsoleForm, back_to, error_text
from .nightly_record import nightly_record

P = Permission


@view_config(context=Municipality, name="admin",
             renderer="stafett:templates/admin/municipality.pt",
             permission=P.ADMIN_MUNICIPALITY)
class AddUnit(ConsoleForm):
    """The municipality's units and figures, and a new unit (R1)."""

    schema_factory = UnitSchema
    formid = "unit"
    button = _("adm_add_unit", default="Add unit")

    def page(self, form_html: str, errors=(), error=None) -> dict:
        return {"municipality": self.context, "form": form_html, "services": SERVICE_NAMES,
                "figures": stats.municipality_figures(self.context), "errors": list(errors),
                "error": error, **nightly_record(self.request)}

    def success(self, data):
        unit = staff.add_unit(self.context, data, self.request.identity)
        return back_to(self.request, unit, "admin-unit")


class UnitPage(ConsoleForm):
    """The unit's page for the superuser: the unit's facts and a new leader, two forms."""

    def page(self, form_html: str, errors=(), error=None) -> dict:
        unit_form, leader_form = self.both_forms(form_html)
        unit = self.context
        employees = sorted((e for e in unit.employees.values() if e.active),
                           key=lambda e: e.name)
        return {"unit": unit, "form": unit_form, "leader_form": leader_form, "error": error,
                "errors": list(errors),
                "employees": employees, "leaders": [e for e in employees if e.is_leader]}


@view_config(context=Unit, name="admin-unit", renderer="stafett:templates/admin/unit_edit.pt",
             permission=P.ADMIN_MUNICIPALITY)
class EditUnit(UnitPage):
    schema_factory = UnitSchema
    formid = "unit"
    button = _("adm_save", default="Save")

    @property
    def action(self) -> str:
        return self.request.resource_url(self.context, "admin-unit")

    def appstruct(self) -> dict:
        unit = self.context
        return {name: str(getattr(unit, name)) if name == "service" else getattr(unit, name)
                for name in staff.UNIT_FIELDS}

    def both_forms(self, form_html: str) -> tuple[str, str]:
        leader = AddLeader(self.context, self.request)
        return form_html, leader.form().render(leader.appstruct())

    def success(self, data):
        staff.change_unit(self.context, data, self.request.identity)
        return back_to(self.request, self.context.municipality, "admin")


@view_config(context=Unit, name="admin-leader", request_method="POST",
             renderer="stafett:templates/admin/unit_edit.pt",
             permission=P.ADMIN_MUNICIPALITY)
class AddLeader(UnitPage):
    """R1: the superuser adds a new employee as the unit's leader."""

    schema_factory = NewEmployeeSchema
    formid = "leader"
    button_name = "add"
    button = _("adm_add_leader", default="Add new leader")

    @property
    def action(self) -> str:
        return self.request.resource_url(self.context, "admin-leader")

    def appstruct(self) -> dict:
        return {"may_hold": True, "may_act": True}

    def both_forms(self, form_html: str) -> tuple[str, str]:
        unit = EditUnit(self.context, self.request)
        return unit.form().render(unit.appstruct()), form_html

    def success(self, data):
        staff.add_employee(self.context, dict(data, is_leader=True), self.request.identity)
        return back_to(self.request, self.context, "admin-unit")


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
        request.notice(error_text(request, exc))
    return back_to(request, unit, "admin-unit")
