"""Reading a log: the header for everyone with access, the content as each role may see it."""

from __future__ import annotations

from pyramid.view import view_config

from .. import audit
from ..models.log import Log
from ..security import Permission, principals_for


@view_config(context=Log, renderer="stafett:templates/log.pt",
             permission=Permission.VIEW_HEADER)
def log_page(request):
    log = request.context
    audit.record_read(request, log, principals_for(request.identity, log))
    return {
        "log": log,
        "full": request.has_permission(Permission.VIEW, log),
        "concerns": [c for c in log.concerns.values()
                     if request.has_permission(Permission.VIEW, c)],
        "employee": log.municipality.employee,
    }
