"""The forms of the child's own login under 15 (R39): username and password, a new
password, and the code from the phone that confirms it."""

from __future__ import annotations

import re

import colander
import deform

from ..i18n import _
from .validators import line, strip

USERNAME = re.compile(r"[A-Za-z0-9._-]{3,40}")
PASSWORD_MIN = 10
PASSWORD_MAX = 200

BAD_USERNAME = _("enrol_username_rule", default="Use 3 to 40 characters: letters a to z, "
                                                "digits, dot, hyphen or underscore.")
PASSWORDS_DIFFER = _("enrol_passwords_differ", default="The two passwords are not the same. "
                                                       "Type the same password twice.")


def _username(node, value) -> None:
    if not USERNAME.fullmatch(value):
        raise colander.Invalid(node, BAD_USERNAME)


def _password_node(name: str, title) -> colander.SchemaNode:
    return colander.SchemaNode(
        colander.String(), name=name, title=title,
        validator=line(PASSWORD_MAX, min_length=PASSWORD_MIN, min_err=_(
            "enrol_password_short", default="The password must have at least 10 characters.")),
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "new-password"}))


def _same_password(node, value) -> None:
    if value["password"] != value["password_again"]:
        error = colander.Invalid(node)
        again = node["password_again"]
        error.add(colander.Invalid(again, PASSWORDS_DIFFER), node.children.index(again))
        raise error


class PasswordSchema(colander.Schema):
    """A password typed twice; never shown again, never kept in the browser."""

    password = _password_node("password", _("enrol_password", default="Password for the child"))
    password_again = _password_node("password_again", _("enrol_password_again",
                                                        default="The same password again"))

    def validator(self, node, value) -> None:
        _same_password(node, value)


class EnrolSchema(PasswordSchema):
    """A username, then the password typed twice."""

    username = colander.SchemaNode(
        colander.String(), title=_("enrol_username", default="Username for the child"),
        description=BAD_USERNAME, preparer=strip, validator=_username, insert_before="password",
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "off"}))


class CodeSchema(colander.Schema):
    code = colander.SchemaNode(
        colander.String(), title=_("enrol_code", default="The code the app shows now"),
        description=_("enrol_code_help", default="6 digits"), preparer=strip,
        validator=colander.Regex(r"^\d{6}$", msg=_("enrol_code_format",
                                                   default="Type the 6 digits from the app.")),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "one-time-code",
                                                         "inputmode": "numeric"}))
