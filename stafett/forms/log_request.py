"""The family's request for a log (R41). The asker's own fødselsnummer comes from their
ID-porten login and is never typed; the child's is validated exactly (R1)."""

from __future__ import annotations

import colander
import deform

from ..i18n import _
from ..models.log_request import AskedFor
from .validators import Fodselsnummer, deferred_one_of, line, one_of, strip, text

ASKED_FOR_CHOICES = (
    (AskedFor.CHILD.value, _("req_for_child", default="My child")),
    (AskedFor.SELF.value, _("req_for_self", default="Myself (I am 16 or older)")),
)
MESSAGE_MAX = 1000


@colander.deferred
def _unit_widget(node, kw):
    return deform.widget.SelectWidget(
        values=[("", _("lc_choose", default="- choose -")), *kw.get("units", ())])


def _email_or_phone(form, value) -> None:
    """The unit must be able to reach the family; a child asked for is named."""
    invalid = colander.Invalid(form)
    if not value["email"] and not value["phone"]:
        invalid["email"] = _("req_needs_contact", default="Give an e-mail address or a phone "
                                                          "number, or both.")
    if value["asked_for"] == AskedFor.CHILD:
        if not value["subject_name"]:
            invalid["subject_name"] = _("req_needs_child_name", default="Write the child's "
                                                                        "name.")
        if not value["subject_fnr"]:
            invalid["subject_fnr"] = _("req_needs_child_fnr", default="Write the child's "
                                                                      "fødselsnummer.")
    if invalid.children:
        raise invalid


class LogRequestSchema(colander.MappingSchema):
    unit = colander.SchemaNode(colander.String(), title=_("req_unit", default="Which unit"),
                               widget=_unit_widget, validator=deferred_one_of("units"))
    asked_for = colander.SchemaNode(
        colander.String(), title=_("req_asked_for", default="Who is the log for"),
        widget=deform.widget.RadioChoiceWidget(values=ASKED_FOR_CHOICES),
        validator=one_of(value for value, _title in ASKED_FOR_CHOICES),
        default=AskedFor.CHILD.value, oid="asked_for")
    subject_name = colander.SchemaNode(
        colander.String(), title=_("req_child_name", default="The child's name"),
        missing="", preparer=strip, validator=line(min_length=2))
    subject_fnr = colander.SchemaNode(
        Fodselsnummer(), title=_("req_child_fnr", default="The child's fødselsnummer"),
        missing=None, description=_("lc_fnr_help",
                                    default="11 digits; a D-number is accepted too"))
    asker_name = colander.SchemaNode(
        colander.String(), title=_("req_asker_name", default="Your name"), preparer=strip,
        validator=line(min_length=2))
    email = colander.SchemaNode(
        colander.String(), title=_("req_email", default="Your e-mail address"), missing="",
        preparer=strip, validator=colander.All(line(254), colander.Email(
            msg=_("lc_bad_email", default="Not a valid e-mail address."))))
    phone = colander.SchemaNode(colander.String(),
                                title=_("req_phone", default="Your phone number"),
                                missing="", preparer=strip, validator=line(40))
    message = colander.SchemaNode(
        colander.String(), title=_("req_message",
                                   default="What you would like help with (optional)"),
        missing="", preparer=strip, validator=text(MESSAGE_MAX),
        widget=deform.widget.TextAreaWidget(rows=4))


def log_request_schema() -> LogRequestSchema:
    return LogRequestSchema(validator=_email_or_phone)
