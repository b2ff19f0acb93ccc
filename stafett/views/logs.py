"""The log page: the header and lifecycle actions for everyone with access (R3, R6), and the
content each role may see; meeting mode, the same page safe on a projector (R34)."""

from __future__ import annotations

from pyramid.events import NewRequest, subscriber
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from ..models.log import Log
from ..security import Permission
from . import MEETING_MODE_KEY
from .family import family_or_child_page
from .lifecycle_panel import lifecycle_panel
from .log_content import content_panel

PAGE = "stafett:templates/log/page.pt"


def page_values(request, log, meeting_mode: bool = False) -> dict:
    values = {"log": log, "employee": log.municipality.employee, "meeting_mode": meeting_mode}
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


# -- meeting mode (R34) --------------------------------------------------------------------
@view_config(context=Log, name="meeting-mode", request_method="POST",
             permission=Permission.EDIT)
def enter_meeting_mode(request):
    request.session[MEETING_MODE_KEY] = request.resource_path(request.context)
    return HTTPSeeOther(location=request.resource_url(request.context, "meeting-mode"))


@view_config(context=Log, name="meeting-mode", request_method="GET", renderer=PAGE,
             permission=Permission.EDIT)
def meeting_mode(request):
    """The log alone, without navigation or lists, safe on a projector."""
    log = request.context
    if request.session.get(MEETING_MODE_KEY) != request.resource_path(log):
        return HTTPSeeOther(location=request.resource_url(log))
    return page_values(request, log, meeting_mode=True)


@view_config(context=Log, name="leave-meeting-mode", request_method="POST",
             permission=Permission.VIEW_HEADER)
def leave_meeting_mode(request):
    request.session.pop(MEETING_MODE_KEY, None)
    return HTTPSeeOther(location=request.resource_url(request.context))


MEETING_MODE_OPEN_PREFIXES = ("/static/", "/static-deform/")
MEETING_MODE_OPEN_PATHS = ("/login", "/logout", "/accessibility")  # no names there
# Within the log: the meeting itself, the child's view shown to the child, and recording
# what the child says (R34, R40).
MEETING_MODE_VIEWS = ("meeting-mode", "leave-meeting-mode", "child-view", "add-voice")


@subscriber(NewRequest)
def stay_in_meeting_mode(event) -> None:
    """R34: while meeting mode is on, every other page leads back to it, so no other log
    or name can be reached until the holder leaves it deliberately."""
    request = event.request
    log_path = request.session.get(MEETING_MODE_KEY)
    if not log_path:
        return
    path = request.path_info
    allowed = (*(log_path + name for name in MEETING_MODE_VIEWS), *MEETING_MODE_OPEN_PATHS)
    if path in allowed or path.startswith(MEETING_MODE_OPEN_PREFIXES):
        return
    raise HTTPSeeOther(location=request.application_url + log_path + "meeting-mode")
