"""The log page: the header and lifecycle actions for everyone with access (R3, R6), and the
content each role may see. The two panels come from their own modules."""

from __future__ import annotations

from pyramid.view import view_config

from ..models.log import Log
from ..security import Permission
from .log_content import content_panel
from .log_lifecycle import lifecycle_panel


@view_config(context=Log, renderer="stafett:templates/log/page.pt",
             permission=Permission.VIEW_HEADER)
def log_page(request):
    log = request.context
    values = {"log": log, "employee": log.municipality.employee}
    values.update(lifecycle_panel(request, log))
    values.update(content_panel(request, log))
    return values
