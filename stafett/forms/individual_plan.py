"""The form that hands a log over to an individual plan (R38): the coordinator as the family
named them, the concerns they chose (R20), and their consent to it, recorded with it."""

from __future__ import annotations

import colander
import deform

from ..i18n import _
from .log_lifecycle import concern_widget, transfer_consent_schema
from .validators import line, only, strip, text


@colander.deferred
def _concern_validator(node, kw):
    return colander.All(
        colander.Length(min=1, min_err=_("plan_choose_concerns",
                                         default="Tick the concerns that go along.")),
        only(kw["log"].concerns.keys()))


def plan_schema() -> colander.Schema:
    """Coordinator and concerns first, then the family's consent (as for a transfer)."""
    schema = transfer_consent_schema()
    fields = [
        colander.SchemaNode(colander.String(), name="coordinator_name", title=_(
            "plan_coordinator_name", default="Coordinator of the individual plan"),
            description=_("plan_coordinator_help",
                          default="The person the family chose as coordinator."),
            preparer=strip, validator=line(min_length=2)),
        colander.SchemaNode(colander.String(), name="coordinator_service", title=_(
            "plan_coordinator_service", default="The coordinator's service or role"),
            missing="", preparer=strip, validator=line()),
        colander.SchemaNode(colander.Set(), name="concern_ids", title=_(
            "plan_concerns", default="Concerns that go along (the family chooses)"),
            widget=concern_widget, validator=_concern_validator),
    ]
    for index, node in enumerate(fields):
        schema.insert(index, node)
    schema.add(colander.SchemaNode(
        colander.String(), name="note", title=_("lc_note", default="Note"), missing="",
        preparer=strip, validator=text(), widget=deform.widget.TextAreaWidget(rows=2)))
    return schema
