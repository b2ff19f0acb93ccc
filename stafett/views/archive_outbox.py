"""What has not reached the municipal archive yet (R35, R17): the unit leader's console tab
lists the unit's undelivered archive copies (log id, reason, dates, attempts, last error) and
tries one again on request; the superuser sees the whole municipality's list. Nothing about
a child is shown: the log's id stands for it."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config

from ..i18n import _
from ..messages import name_of
from ..models.org import Municipality, Unit
from ..security import Permission
from ..services.archive_delivery import deliver_entry
from .admin import back_to

P = Permission

ERRORS = {
    "archive_folder_missing": _("ad_error_folder_missing",
                                default="The archive's drop folder does not exist."),
    "archive_folder_not_writable": _("ad_error_folder_not_writable",
                                     default="Stafett may not write to the archive's drop "
                                             "folder."),
    "archive_write_failed": _("ad_error_write_failed",
                              default="Writing the package to the drop folder failed."),
    "archive_transport_unknown": _("ad_error_transport_unknown",
                                   default="The way to the archive is not set up correctly."),
    "archive_transport_off": _("ad_error_transport_off",
                               default="Delivery to the archive is turned off."),
}


def _rows(request, entries) -> list[dict]:
    def error(code):
        return request.translate(ERRORS[code]) if code in ERRORS else (code or "")

    return [{"key": e.key, "log_id": e.log_id,
             "reason": request.translate(name_of("copy_reason", e.reason)),
             "created": e.created, "attempts": e.attempts, "error": error(e.error),
             "next_try": e.next_try, "detached": e.archived.__parent__ is None}
            for e in entries]


@view_config(context=Unit, name="console-archive",
             renderer="stafett:templates/admin/archive_outbox.pt", permission=P.ADMIN_UNIT)
def console_archive(request):
    unit = request.context
    entries = unit.municipality.archive_outbox.for_unit(unit.id)
    return {"unit": unit, "tab": "archive", "rows": _rows(request, entries)}


@view_config(context=Unit, name="console-archive-retry", request_method="POST",
             permission=P.ADMIN_UNIT)
def console_archive_retry(request):
    """Try one copy again now, in this request's transaction; its result is told."""
    unit = request.context
    municipality = unit.municipality
    entry = municipality.archive_outbox.get(request.POST.get("entry", ""))
    if entry is None or entry.unit_id != unit.id:
        raise HTTPNotFound()
    if deliver_entry(municipality, entry, request.registry.archive_transport):
        request.notice(request.translate(_("ad_delivered",
                                           default="The copy is delivered to the archive.")))
    else:
        request.notice(request.translate(_("ad_not_delivered",
                                           default="The copy could not be delivered: "
                                                   "${error}",
                                           mapping={"error": request.translate(
                                               ERRORS.get(entry.error, entry.error))})))
    return back_to(request, unit, "console-archive")


@view_config(context=Municipality, name="archive-outbox",
             renderer="stafett:templates/admin/archive_outbox_all.pt",
             permission=P.ADMIN_MUNICIPALITY)
def municipality_archive(request):
    """The superuser's view of the whole municipality's undelivered copies, by unit."""
    municipality = request.context
    entries = list(municipality.archive_outbox.values())
    units = municipality.units
    return {"municipality": municipality,
            "rows": [{**row, "unit": units[e.unit_id].name if e.unit_id in units else ""}
                     for row, e in zip(_rows(request, entries), entries, strict=True)]}
