"""The log page: the header and lifecycle actions for everyone with access (R3, R6), and the
content each role may see (meeting mode, the same page on a projector: ``meeting_mode``)."""

from __future__ import annotations

from pyramid.renderers import render_to_response
from pyramid.view import view_config

from ..models.log import Log
from ..security import Permission
from ..workflows import family
from .family import family_or_child_page
from .lifecycle_panel import lifecycle_panel
from .log_content import content_panel

PAGE = "stafett:templates/log/page.pt"


def page_values(request, log, meeting_mode: bool = False) -> dict:
    values = {"log": log, "employee": log.municipality.employee, "meeting_mode": meeting_mode,
              "meeting_now": family.todays_meeting(log) if meeting_mode else None}
    values.update(lifecycle_panel(request, log))
    values.update(content_panel(request, log))
    return values


@view_config(context=Log, renderer=PAGE, permission=Permission.VIEW_HEADER)
def log_page(request):
    """Staff see the whole log; the family and the child open it on their own page, with the
    whole log one click away (``full``)."""
    log = request.context
    return family_or_child_page(request, log) or page_values(request, log)


@view_config(context=Log, name="full", renderer=PAGE, permission=Permission.VIEW_HEADER)
def full_log_page(request):
    return page_values(request, request.context)


def log_page_with_error(request, log, error: str):
    """The log page again, with a refusal's message (a button whose rule said no)."""
    values = page_values(request, log)
    values["lc"].error = error
    return render_to_response(PAGE, values, request=request)
