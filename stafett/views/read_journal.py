"""Every read of a child's data is journaled with its basis (Normen fact sheets 14 and 15).

A view deriver wraps every view: when a view on anything inside a log (the log page, a
concern, a meeting's PDF, an attachment, a consent form, the access log, a form showing
the log) answers with a page or a file, one read entry is written. Views on a unit that
show one log by ``?log=`` call ``journal_read`` themselves.
"""

from __future__ import annotations

from .. import audit
from ..models.base import find_parent
from ..models.log import Log
from ..security import request_principals

READ_METHODS = ("GET", "HEAD")


def journal_read(request, log: Log, context=None) -> None:
    context = log if context is None else context
    audit.record_read(request, log, request_principals(request, context), context,
                      view=request.view_name or "")


def journal_reads(view, info):
    if info.exception_only:
        return view

    def journaled(context, request):
        response = view(context, request)
        log = find_parent(context, Log)
        if log is not None and log.state != "deleted" and _shows_data(request, response):
            journal_read(request, log, context)
        return response

    return journaled


def _shows_data(request, response) -> bool:
    """A successful page or file; a POST counts when it answers with a page (a form shown
    again), not with JSON (autosave) or a redirect."""
    if request.identity is None or not 200 <= response.status_int < 300:
        return False
    return request.method in READ_METHODS or response.content_type == "text/html"
