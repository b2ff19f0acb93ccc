"""Forms of the unit leader's console and the superuser's pages (R1, R36)."""

from __future__ import annotations

import colander
import deform

from ..i18n import _
from ..models.org import ServiceType
from .validators import Fodselsnummer, WholeNumber, line, number_range, one_of, strip

SERVICE_NAMES = {
    "school": _("adm_service_school", default="School"),
    "kindergarten": _("adm_service_kindergarten", default="Kindergarten"),
    "health_station": _("adm_service_health_station", default="Health station"),
    "ppt": _("adm_service_ppt", default="Educational-psychological service (PPT)"),
    "child_welfare": _("adm_service_child_welfare", default="Child welfare"),
    "nav": _("adm_service_nav", default="NAV"),
    "other": _("adm_service_other", default="Other"),
}


def _text(title, max_length: int = 200, **kw) -> colander.SchemaNode:
    return colander.SchemaNode(colander.String(), title=title, preparer=strip,
                               validator=line(max_length), **kw)


def _children(**kw) -> colander.SchemaNode:
    return colander.SchemaNode(
        WholeNumber(), title=_("adm_field_children", default="Number of children"),
        validator=number_range(0, 100000), **kw)


class EmployeeSchema(colander.Schema):
    """R1: an employee with an exactly validated fødselsnummer and the two flags."""

    name = _text(_("adm_field_name", default="Name"))
    fnr = colander.SchemaNode(
        Fodselsnummer(), title=_("adm_field_fnr", default="Fødselsnummer or D-number"),
        widget=deform.widget.TextInputWidget(attributes={"inputmode": "numeric",
                                                         "autocomplete": "off"}))
    email = colander.SchemaNode(colander.String(), title=_("adm_field_email", default="E-mail"),
                                preparer=strip, validator=colander.All(line(254), colander.Email()),
                                missing="")
    phone = _text(_("adm_field_phone", default="Phone"), 40, missing="")
    may_act = colander.SchemaNode(colander.Boolean(), missing=False,
                                  title=_("adm_field_may_act", default="May be actor"))
    may_hold = colander.SchemaNode(colander.Boolean(), missing=False,
                                   title=_("adm_field_may_hold", default="May be holder"))


class NewEmployeeSchema(EmployeeSchema):
    username = _text(_("adm_field_username", default="Username (login)"), 100, missing="",
                     description=_("adm_field_username_help",
                                   default="Leave empty if the employee logs in with ID-porten "
                                           "only."))


class UnitSchema(colander.Schema):
    name = _text(_("adm_field_unit_name", default="Name of the unit"))
    service = colander.SchemaNode(
        colander.String(), title=_("adm_field_service", default="Service type"),
        validator=one_of(s.value for s in ServiceType),
        widget=deform.widget.SelectWidget(values=list(SERVICE_NAMES.items())))
    org_number = colander.SchemaNode(
        colander.String(), title=_("adm_field_org_number", default="Organisation number"),
        missing="", preparer=strip, validator=colander.All(line(9), colander.Regex(
            r"^\d{9}$", msg=_("adm_org_number_nine_digits",
                              default="An organisation number has exactly 9 digits."))))
    children = _children(missing=0)


class ChildrenSchema(colander.Schema):
    """R36: the unit records its number of children, the base of the 10 % target."""

    children = _children()
