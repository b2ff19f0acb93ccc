"""What the audit journals record (R18, Normen fact sheets 14 and 15): transitions and
refusals in the municipality's journal of changes (``models.journal``), reads, logins and
refused pages in the access journal (``access_journal``). Entries hold ids, codes and roles,
never a name or any text a person wrote."""

from __future__ import annotations

import re

from .models.base import find_parent

# The journal's parts, by the names their users know; databases written before the journal
# moved to ``models.journal`` name its classes by this module in their pickles.
from .models.journal import (  # noqa: F401
    FOREVER,
    GENESIS,
    GRACE_NS,
    EntryTree,
    Journal,
    Key,
    KeySet,
    Problem,
    SealState,
    check_ids_only,
    format_key,
    link_hash,
)
from .models.log import Log
from .models.org import Municipality
from .models.transfer import Transfer

_CODE = re.compile(r"[a-z][a-z0-9_:]{0,63}")


def reason_code(reason: str) -> str:
    """A reason code (``goals_met``) is journaled; free text stays in the log's own history,
    which is erased with the log (R17), and the journal only notes that there was one."""
    reason = (reason or "").strip()
    if not reason:
        return ""
    return reason if _CODE.fullmatch(reason) else "text"


# -- what is recorded ----------------------------------------------------------------------
def placement(obj, log: Log | None) -> dict:
    """Unit and holder ids of the log an object belongs to, for the unit reports. A transfer
    also names where it comes from, so both units see it after the log has moved."""
    if log is None:
        return {}
    where = dict(unit=getattr(log, "unit_id", None), holder=getattr(log, "holder_id", None))
    if isinstance(obj, Transfer) and obj.from_holder_id != where["holder"]:
        municipality = log.municipality
        sender = municipality.employee(obj.from_holder_id) if municipality else None
        where.update(from_holder=obj.from_holder_id,
                     from_unit=sender.unit_id if sender is not None else None)
    return where


def record_transition(journal: Journal, *, machine: str, trigger: str, object_id: str,
                      log_id: str | None, source: str | None, dest: str, actor: str,
                      reason: str = "", **where: str | None) -> Key:
    """R18: who, when, object, from, to, why; ``where`` = ``placement(obj, log)``."""
    return journal.append("transition", machine=machine, trigger=trigger, object=object_id,
                          log=log_id, source=source, dest=dest, actor=actor,
                          reason=reason_code(reason), **where)


def record_refusal(journal: Journal, *, what: str, object_id: str, log_id: str | None,
                   actor: str, cause: str, **where: str | None) -> Key:
    """A refused transition (``what`` = ``transition:<trigger>``) or a refused page."""
    return journal.append("refused", what=what, object=object_id, log=log_id, actor=actor,
                          cause=cause, **where)


INSTALLATION = "-"  # the access journal's part for attempts that name no municipality


def record_login(request, account, succeeded: bool, reason: str = "") -> None:
    """Logins and failed logins, in the access journal. A failure for an unknown username
    is recorded without the name (it may be a person's name or a mistyped password)."""
    fields = {"reason": reason} if reason else {}
    if account is None or not account.municipality:
        request.access_journal.for_municipality(INSTALLATION).append(
            "login_failed", actor=getattr(account, "uid", None), actor_kind="unknown",
            **fields)
        return
    request.access_journal.for_municipality(account.municipality).append(
        "login" if succeeded else "login_failed", actor=account.uid,
        actor_kind=str(account.kind), **fields)


BASIS = {"holder": "holder", "leader": "leader", "guardian": "guardian", "subject": "subject",
         "actor": "actor", "concern_actor": "actor", "reader": "grant",
         "partial_reader": "grant", "concern_reader": "grant", "receiver": "receiver",
         "superuser": "superuser"}


def access_basis(principals) -> tuple[str, ...]:
    """The roles that gave access: holder, leader, guardian, subject, actor, grant..."""
    roles = (p.split(":", 1)[1] for p in principals if p.startswith("role:"))
    return tuple(sorted({BASIS[r] for r in roles if r in BASIS}))


def record_read(request, log, principals, context=None, view: str = "") -> None:
    """A read of a child's data (Normen): who, which log, which object and view (page,
    file, PDF, form), and the basis of access; in the access journal, on disk before the
    page is sent, and nothing in the object database."""
    context = request.context if context is None else context
    request.access_journal.for_municipality(log.municipality.id).append(
        "read", log=log.id, object=getattr(context, "id", None) or log.id,
        object_kind=type(context).__name__.lower(), view=view, actor=request.identity.uid,
        basis=access_basis(principals), unit=log.unit_id, holder=log.holder_id)


def record_request_read(request, log_request, principals) -> None:
    """A read of a family's waiting request for a log (R41), which names a child: as a
    log's read, with the request in place of the log."""
    request.access_journal.for_municipality(log_request.unit.municipality.id).append(
        "read", log=None, object=log_request.id, object_kind="logrequest",
        view=request.view_name or "", actor=request.identity.uid,
        basis=access_basis(principals) + (("asker",) if request.identity.username
                                          == log_request.asker else ()),
        unit=log_request.unit.id)


def record_import_read(request, unit, manifest: dict, leads: bool) -> None:
    """A read of an export file's child before it is a log here (the import's preview): as
    a log's read, with the sender's transfer in place of the log; the basis is leading the
    unit or receiving the log as its holder."""
    request.access_journal.for_municipality(unit.municipality.id).append(
        "read", log=None, object=manifest.get("transfer_id"), object_kind="exportfile",
        view=request.view_name or "", actor=request.identity.uid,
        basis=("leader",) if leads else ("receiver",), unit=unit.id)


def record_copy_read(request, unit, archived, principals) -> None:
    """A download of an archive copy from the unit's console: a read of the copy's log,
    which may have left the unit since (R20)."""
    request.access_journal.for_municipality(unit.municipality.id).append(
        "read", log=archived.log_id, object=archived.__name__, object_kind="archivedpdf",
        view=request.view_name or "", actor=request.identity.uid,
        basis=access_basis(principals), unit=unit.id, holder=None)


def record_denied(request) -> None:
    """A refused page (403) of a logged-in user, in the access journal: the request's own
    transaction is aborted with the error."""
    account = request.identity
    context = getattr(request, "context", None)
    if account is None or not getattr(account, "uid", None):
        return
    municipality = (find_parent(context, Municipality)
                    or request.app_root.get(account.municipality))
    if municipality is None:
        return
    log = find_parent(context, Log)
    request.access_journal.for_municipality(municipality.id).append(
        "refused", what=f"view:{request.view_name or 'default'}",
        object=getattr(context, "id", None), log=log.id if log else None, actor=account.uid,
        cause="forbidden", **placement(None, log))
