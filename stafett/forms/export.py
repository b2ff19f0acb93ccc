"""The form that proposes a transfer to another Stafett installation (R19, R20, R23)."""

from __future__ import annotations

import colander
import deform

from ..i18n import _
from .log_lifecycle import _concern_validator, _concern_widget
from .validators import line, strip, text


class TransferElsewhereSchema(colander.MappingSchema):
    """The receiver in words (the municipality and service), since it is not in this
    database; the concerns that go along, as the family agrees (R20)."""

    receiver = colander.SchemaNode(colander.String(), title=_(
        "ex_receiver", default="Receiving municipality and service"),
        preparer=strip, validator=line(min_length=2))
    reason = colander.SchemaNode(colander.String(), title=_("lc_transfer_reason",
                                                            default="Reason"),
                                 preparer=strip, validator=text(min_length=3),
                                 widget=deform.widget.TextAreaWidget(rows=3))
    concern_ids = colander.SchemaNode(colander.Set(), title=_(
        "lc_transfer_concerns", default="Concerns that go along (none ticked: all)"),
        missing=(), widget=_concern_widget, validator=_concern_validator)
