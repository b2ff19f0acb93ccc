"""The login form (R39: username, password and, where set up, a one-time code)."""

from __future__ import annotations

import colander
import deform

from ..i18n import _
from .validators import line


class LoginSchema(colander.Schema):
    username = colander.SchemaNode(colander.String(), title=_("username", default="Username"),
                                   validator=line(100), widget=deform.widget.TextInputWidget(
                                       attributes={"autocomplete": "username"}))
    password = colander.SchemaNode(colander.String(), title=_("password", default="Password"),
                                   validator=line(1000), widget=deform.widget.PasswordWidget(
                                       attributes={"autocomplete": "current-password"}))
    otp = colander.SchemaNode(colander.String(), title=_("otp", default="One-time code"),
                              missing="", validator=line(20), description=_(
                                  "otp_help", default="Only if your account uses one-time codes"),
                              widget=deform.widget.TextInputWidget(
                                  attributes={"autocomplete": "one-time-code",
                                              "inputmode": "numeric"}))
