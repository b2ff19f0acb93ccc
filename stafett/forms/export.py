"""The form that proposes a transfer to another Stafett installation (R19, R20, R23)."""

from __future__ import annotations

import colander

from ..i18n import _
from .log_lifecycle import transfer_concerns_node, transfer_reason_node
from .validators import line, strip


class TransferElsewhereSchema(colander.MappingSchema):
    """The receiver in words (the municipality and service), since it is not in this
    database; the concerns that go along, as the family agrees (R20)."""

    receiver = colander.SchemaNode(colander.String(), title=_(
        "ex_receiver", default="Receiving municipality and service"),
        preparer=strip, validator=line(min_length=2))
    reason = transfer_reason_node()
    concern_ids = transfer_concerns_node()
