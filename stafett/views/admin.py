"""The unit leader's console (R1, R6, R36): overview with statistics, the unit's logs, staff.

Every console page is a view on the ``Unit`` (or one of its employees) with the permission
``admin_unit``; actions on logs are fired through the workflows, which check the leader's
permission on the log itself. Log ids come from the index, never from a walk of all logs.
"""

from __future__ import annotations

import csv
import io

from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from ..forms.admin import ChildrenSchema, EmployeeSchema, NewEmployeeSchema
from ..i18n import _
from ..messages import STATE_NAMES, message_for
from ..models.base import DomainError
from ..models.concern import Arena, Category
from ..models.log import Level
from ..models.org import Employee, Unit
from ..security import Permission
from ..services import staff, stats
from ..services.charts import bar_chart
from .formview import FormView

P = Permission


CATEGORY_NAMES = {str(c): _(f"adm_category_{c}", default=str(c).replace("_", " ").capitalize())
                  for c in Category}
ARENA_NAMES = {str(a): _(f"adm_arena_{a}", default=str(a).capitalize()) for a in Arena}


def error_text(request, error: DomainError) -> str:
    """The refusal's message in the user's language."""
    return request.translate(message_for(error))


def flash_error(request, error: DomainError) -> None:
    request.notice(error_text(request, error))


def acting_employee(request):
    account = request.identity
    municipality = request.app_root.get(account.municipality)
    return municipality.employee(account.employee_id) if municipality is not None else None


def unit_log(request, unit: Unit, log_id: str | None):
    """A log of this unit by id, or 404 (never one of another unit); 400 when the id came
    in a form field, where no such log can have been offered."""
    log = unit.municipality.logs.get(log_id or "")
    if log is None or log.unit_id != unit.id:
        raise HTTPBadRequest() if request.method == "POST" else HTTPNotFound()
    return log


def back_to(request, context, name: str = "", **query) -> HTTPSeeOther:
    return HTTPSeeOther(location=request.resource_url(context, name, query=query or None))


# -- overview and statistics (R36) -----------------------------------------------------------
class ConsoleForm(FormView):
    """A form on a console page: no log to go back to, nothing kept in the browser."""

    autosave = False

    def bind(self) -> dict:
        return {}

    def back_url(self) -> None:
        return None


@view_config(context=Unit, name="console-children", request_method="POST",
             renderer="stafett:templates/admin/console.pt", permission=P.ADMIN_UNIT)
class RecordChildren(ConsoleForm):
    """R36: the unit records its number of children, the base of the 10 % target."""

    schema_factory = ChildrenSchema
    formid = "children"
    button = _("adm_save", default="Save")

    @property
    def action(self) -> str:
        return self.request.resource_url(self.context, "console-children")

    def appstruct(self) -> dict:
        return {"children": self.context.children}

    def page(self, form_html: str, errors=(), error=None) -> dict:
        unit, request = self.context, self.request
        weeks = _int_param(request, "weeks", stats.DEFAULT_IDLE_WEEKS, 1, 104)
        figures = stats.unit_dashboard(unit.municipality, unit, idle_weeks=weeks)
        return {"unit": unit, "figures": figures, "tables": dashboard_tables(request, figures),
                "tab": "console", "children_form": form_html}

    def success(self, data):
        staff.change_unit(self.context, {"children": data["children"]}, self.request.identity)
        return back_to(self.request, self.context, "console")


@view_config(context=Unit, name="console", renderer="stafett:templates/admin/console.pt",
             permission=P.ADMIN_UNIT)
def console(request):
    form = RecordChildren(request.context, request)
    return form.page(form.form().render(form.appstruct()))


@view_config(context=Unit, name="console-csv", permission=P.ADMIN_UNIT)
def console_csv(request):
    """Every statistics table as CSV (R36)."""
    unit = request.context
    weeks = _int_param(request, "weeks", stats.DEFAULT_IDLE_WEEKS, 1, 104)
    figures = stats.unit_dashboard(unit.municipality, unit, idle_weeks=weeks)
    tables = {t["name"]: t for t in dashboard_tables(request, figures)}
    table = tables.get(request.params.get("table", ""))
    if table is None:
        raise HTTPNotFound()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table["header"])
    writer.writerows(table["rows"])
    return Response(buffer.getvalue(), content_type="text/csv", charset="utf-8",
                    content_disposition=f'attachment; filename="{table["name"]}.csv"')


def dashboard_tables(request, figures: dict) -> list[dict]:
    """The statistics as (name, title, header, rows, chart) tables, translated."""
    t = request.translate
    count = t(_("adm_col_count", default="Number"))
    share, feedback = figures["share"], figures["feedback"]
    tables = [
        _table(request, "states", _("adm_stat_states", default="Logs per state"),
               [t(_("adm_col_state", default="State")), count],
               [(t(STATE_NAMES[s]), n) for s, n in figures["states"]]),
        _table(request, "categories", _("adm_stat_categories",
                                        default="Open concerns by category"),
               [t(_("adm_col_category", default="Category")), count],
               [(t(CATEGORY_NAMES.get(c, CATEGORY_NAMES["other"])), n)
                for c, n in figures["categories"]]),
        _table(request, "arenas", _("adm_stat_arenas", default="Active measures per arena"),
               [t(_("adm_col_arena", default="Arena")), count],
               [(t(ARENA_NAMES[a]), n) for a, n in figures["arenas"]]),
        _table(request, "transfers", _("adm_stat_transfers_oldest",
                                       default="Transfers waiting longest"),
               [t(_("adm_col_direction", default="Direction")),
                t(_("adm_col_state", default="State")),
                t(_("adm_col_age_days", default="Waiting (days)"))],
               [(t(_("adm_direction_in", default="Incoming")) if w.direction == "in"
                 else t(_("adm_direction_out", default="Outgoing")),
                 t(STATE_NAMES[w.state]), w.age_days)
                for w in figures["transfers"]], chart=False),
        _table(request, "summary", _("adm_stat_summary", default="Follow-up"),
               [t(_("adm_col_figure", default="Figure")), count], [
                   (t(_("adm_stat_overdue", default="Evaluations overdue")), figures["overdue"]),
                   (t(_("adm_stat_transfers_waiting", default="Transfers waiting")),
                    figures["transfers_waiting"]),
                   (t(_("adm_stat_idle",
                        default="Running logs with no activity for ${weeks} weeks",
                        mapping={"weeks": figures["idle_weeks"]})), figures["idle"]),
                   (t(_("adm_stat_children", default="Children in the unit")), share["children"]),
                   (t(_("adm_stat_with_log", default="Children with a running log")),
                    share["with_log"]),
                   (t(_("adm_stat_share", default="Share with a log (%), target 10 %")),
                    request.fmt.number(share["percent"], 1, grouped=False)),
                   (t(_("adm_stat_meetings_held", default="Meetings held, last 12 months")),
                    feedback["held"]),
                   (t(_("adm_stat_meetings_answered",
                        default="Of these, meetings the family gave feedback on")),
                    feedback["answered"]),
                   (t(_("adm_stat_feedback_share",
                        default="Share of meetings with family feedback (%)")),
                    request.fmt.number(feedback["percent"], 1, grouped=False)),
               ], chart=False),
    ]
    return tables


def _table(request, name, title, header, rows, chart=True) -> dict:
    text = request.translate(title)
    return {"name": name, "title": text, "header": header, "rows": rows,
            "chart": bar_chart(rows, text) if chart else None}


def _int_param(request, name: str, default: int, low: int, high: int) -> int:
    """A number from the query, within its bounds; not a number at all is a bad request."""
    try:
        return min(max(int(request.params.get(name, default)), low), high)
    except ValueError:
        raise HTTPBadRequest() from None


# -- every log of the unit (R6) --------------------------------------------------------------
@view_config(context=Unit, name="console-logs", renderer="stafett:templates/admin/logs.pt",
             permission=P.ADMIN_UNIT)
def console_logs(request):
    unit = request.context
    municipality = unit.municipality
    flt = stats.LogFilter.from_params(request.params)
    ids, following = stats.unit_log_ids(municipality.index, unit.id, flt,
                                         after=request.params.get("after"))
    logs = [municipality.logs[i] for i in ids if i in municipality.logs]
    holders = sorted((e for e in unit.employees.values() if e.may_hold),
                     key=lambda e: e.name)
    query = {k: str(v) for k, v in flt.query().items()}
    next_url = (request.resource_url(unit, "console-logs", query=dict(query, after=following))
                if following else None)
    return {"unit": unit, "logs": logs, "filter": flt, "holders": holders, "tab": "logs",
            "categories": CATEGORY_NAMES, "levels": [int(lv) for lv in Level],
            "state_choices": stats.STATES, "next_url": next_url,
            "first_url": request.resource_url(unit, "console-logs", query=query or None)
            if request.params.get("after") else None,
            "employee": municipality.employee}


# -- staff (R1) ----------------------------------------------------------------------------
@view_config(context=Unit, name="console-staff", renderer="stafett:templates/admin/staff.pt",
             permission=P.ADMIN_UNIT)
class AddEmployee(ConsoleForm):
    schema_factory = NewEmployeeSchema
    formid = "employee"
    button_name = "add"
    button = _("adm_add_employee", default="Add employee")

    def appstruct(self) -> dict:
        return {"may_act": True}

    def page(self, form_html: str, errors=(), error=None) -> dict:
        unit = self.context
        employees = sorted(unit.employees.values(), key=lambda e: (not e.active, e.name))
        return {"unit": unit, "employees": employees, "tab": "staff", "error": error,
                "errors": list(errors),
                "form": form_html,
                "holding": lambda e: unit.municipality.index.count("holder", e.id)}

    def success(self, data):
        employee = staff.add_employee(self.context, data, self.request.identity)
        return back_to(self.request, employee)


@view_config(context=Employee, renderer="stafett:templates/admin/employee.pt",
             permission=P.ADMIN_UNIT)
def employee_page(request):
    """One employee: their data, their logs with 'transfer on behalf' (R22), deactivation."""
    employee = request.context
    municipality = employee.unit.municipality
    logs = [municipality.logs[i] for i in municipality.index.ids("holder", employee.id)
            if i in municipality.logs]
    receivers = sorted((e for e in municipality.employees.values()
                        if e.active and e.may_hold and e.id != employee.id),
                       key=lambda e: (e.unit.name, e.name))
    return {"person": employee, "unit": employee.unit, "logs": logs, "tab": "staff",
            "receivers": receivers, "units": list(municipality.units.values()),
            "blocking": staff.held_logs(employee),
            "can_transfer": lambda log: request.has_permission(P.TRANSFER, log)}


@view_config(context=Employee, name="edit", renderer="stafett:templates/admin/form.pt",
             permission=P.ADMIN_UNIT)
class EditEmployee(ConsoleForm):
    schema_factory = EmployeeSchema
    formid = "employee"
    title = _("adm_edit_employee", default="Edit employee")
    button = _("adm_save", default="Save")

    def appstruct(self) -> dict:
        return {k: getattr(self.context, k)
                for k in ("name", "fnr", "email", "phone", "may_act", "may_hold")}

    def page(self, form_html: str, errors=(), error=None) -> dict:
        return {"unit": self.context.unit, "title": self.title, "tab": "staff",
                "form": form_html, "error": error, "errors": list(errors)}

    def success(self, data):
        staff.update_employee(self.context, data, self.request.identity)
        return back_to(self.request, self.context)


@view_config(context=Employee, name="deactivate", request_method="POST",
             permission=P.ADMIN_UNIT)
def deactivate_employee(request):
    """Refused while they hold running logs; the employee page lists which (R21)."""
    try:
        staff.deactivate(request.context, request.identity)
        request.notice(request.translate(_("adm_deactivated",
                                           default="The employee is deactivated.")))
    except DomainError as exc:
        flash_error(request, exc)
    return back_to(request, request.context)


@view_config(context=Employee, name="reactivate", request_method="POST",
             permission=P.ADMIN_UNIT)
def reactivate_employee(request):
    staff.reactivate(request.context, request.identity)
    return back_to(request, request.context)
