"""The archive copies of a log (R35) for its holder and its unit's leaders: a list per log,
a tab in the unit's console, and a download of one copy. Every download is a read of the
child's data and is journaled (on a log by the ``read_journal`` deriver; from the console,
where the log may have left the unit, here)."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPBadRequest, HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from .. import audit
from ..models.log import Log
from ..models.org import Unit
from ..security import Permission, request_principals
from ..services import copies
from .downloads import file_response

P = Permission


@view_config(context=Log, name="archive-copies", request_method=("GET", "HEAD"),
             renderer="stafett:templates/archive_copies/log.pt", permission=P.ARCHIVE_COPIES)
def log_copies(request):
    log = request.context
    return {"log": log, "copies": copies.copies_of_log(log),
            "link": lambda a: request.resource_url(log, "archive-copy",
                                                   query={"copy": a.__name__})}


@view_config(context=Log, name="archive-copy", request_method=("GET", "HEAD"),
             permission=P.ARCHIVE_COPIES)
def log_copy(request):
    log = request.context
    name = request.params.get("copy")
    if not name:
        raise HTTPSeeOther(location=request.resource_url(log, "archive-copies"))
    return _pdf(request, copies.find_copy(log, name), "archive-copies")


@view_config(context=Unit, name="console-archive-copies", request_method=("GET", "HEAD"),
             renderer="stafett:templates/archive_copies/unit.pt", permission=P.ADMIN_UNIT)
def unit_copies(request):
    """The copies made in the unit, a page at a time, of the logs it holds and of those
    that left it (R20)."""
    unit = request.context
    try:
        page, after = copies.copies_of_unit(unit.municipality, unit.id,
                                            after=request.GET.get("after"))
    except ValueError:
        raise HTTPBadRequest() from None
    return {"unit": unit, "tab": "archive_copies", "copies": page,
            "next_url": after and request.resource_url(unit, request.view_name,
                                                       query={"after": after}),
            "link": lambda a: request.resource_url(unit, "console-archive-copy",
                                                   query={"copy": a.__name__})}


@view_config(context=Unit, name="console-archive-copy", request_method=("GET", "HEAD"),
             permission=P.ADMIN_UNIT)
def unit_copy(request):
    unit = request.context
    archived = copies.unit_copy(unit.municipality, unit.id, request.params.get("copy", ""))
    response = _pdf(request, archived, "console-archive-copies")
    audit.record_copy_read(request, unit, archived, request_principals(request, unit))
    return response


def _pdf(request, archived, list_name: str):
    """The copy's PDF; a copy still being made sends the reader back to the list, which
    says so."""
    if archived is None:
        raise HTTPNotFound()
    if not archived.produced:
        raise HTTPSeeOther(location=request.resource_url(request.context, list_name))
    return file_response(archived.blob.data, archived.filename, "application/pdf")
