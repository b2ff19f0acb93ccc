"""Meeting mode (R34): one log on the projector, and the room where the meeting's work is
done (R27, R29, R40): the meeting's agenda, attendance and summary, evaluations, new,
corrected and replaced measures, the child's voice, and the agreed measures as a PDF at the
end, with no way out to another log, another person's name, log notes or private notes until
the holder leaves it."""

from __future__ import annotations

from pyramid.events import ContextFound, subscriber
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from ..models.base import find_parent
from ..models.concern import Concern, Measure
from ..models.family import ChildVoice
from ..models.log import Log
from ..models.notes import Meeting
from ..models.org import AppRoot
from ..security import Permission
from . import MEETING_MODE_KEY, in_meeting_mode
from .logs import page_values

PAGE = "stafett:templates/log/page.pt"

# What meeting mode lets through, by the kind of object and the view's name; anything else
# leads back to the meeting page.
MEETING_WORK = {
    Log: {"meeting-mode", "leave-meeting-mode", "child-view", "add-voice", "add-concern",
          "add-meeting"},
    Concern: {"", "edit", "autosave", "add-measure", "close"},
    Measure: {"evaluate", "correct", "misregister"},
    Meeting: {"edit", "pdf"},
    ChildVoice: {"edit"},
}
OPEN_VIEWS = {"login", "logout", "accessibility", "writing-help"}  # they name no one
OPEN_PREFIXES = ("/static/", "/static-deform/")


@view_config(context=Log, name="meeting-mode", request_method="POST",
             permission=Permission.EDIT)
def enter_meeting_mode(request):
    request.session[MEETING_MODE_KEY] = request.resource_path(request.context)
    return HTTPSeeOther(location=request.resource_url(request.context, "meeting-mode"))


@view_config(context=Log, name="meeting-mode", request_method="GET", renderer=PAGE,
             permission=Permission.EDIT)
def meeting_mode(request):
    """The log alone, without navigation or lists, safe on a projector, with today's
    meeting on top."""
    log = request.context
    if not in_meeting_mode(request, log):
        return HTTPSeeOther(location=request.resource_url(log))
    return page_values(request, log, meeting_mode=True)


@view_config(context=Log, name="leave-meeting-mode", request_method="POST",
             permission=Permission.VIEW_HEADER)
def leave_meeting_mode(request):
    request.session.pop(MEETING_MODE_KEY, None)
    return HTTPSeeOther(location=request.resource_url(request.context))


def let_through(request, log_path: str) -> bool:
    if request.path_info.startswith(OPEN_PREFIXES):
        return True
    context, name = request.context, request.view_name
    if isinstance(context, AppRoot):
        return name in OPEN_VIEWS
    log = find_parent(context, Log)
    if log is None or request.resource_path(log) != log_path:
        return False
    return name in MEETING_WORK.get(type(context), ())


@subscriber(ContextFound)
def stay_in_meeting_mode(event) -> None:
    """R34: while meeting mode is on, every page outside the meeting's work leads back to
    it, so no other log or name can be reached until the holder leaves it deliberately."""
    request = event.request
    log_path = request.session.get(MEETING_MODE_KEY)
    if log_path and not let_through(request, log_path):
        raise HTTPSeeOther(location=request.application_url + log_path + "meeting-mode")
