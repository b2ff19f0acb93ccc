"""Workflow audit reports: ``<unit>/audit`` for its leader, ``<municipality>/audit`` for
superusers, ``<log>/access-log`` for the log's family, holder and leader (Normen: the person
concerned may see who has read their record). Each as a page, ``?format=csv`` (streamed) and
``?format=pdf``."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from urllib.parse import urlencode

import transaction
from pyramid.renderers import render, render_to_response
from pyramid.response import Response
from pyramid.view import view_config
from pyramid_zodbconn import get_connection

from ..i18n import _, translate
from ..messages import name_of
from ..models.log import Log
from ..models.org import Municipality, Unit
from ..reports import audit as reports
from ..reports import diagrams
from ..security import Permission
from ..services.archive import render_pdf
from ..storage import app_root
from ..workflows import WORKFLOWS
from .downloads import file_response

PAGE_ROWS = 200
PDF_ROWS = 1_000
REPORT = "stafett:templates/audit/report.pt"
REPORT_PDF = "stafett:templates/audit/report_pdf.pt"
ACCESS = "stafett:templates/audit/access_log.pt"
ACCESS_PDF = "stafett:templates/audit/access_log_pdf.pt"

ERRORS = {
    "aud_error_date": _("aud_error_date", default="Write the date as YYYY-MM-DD."),
    "aud_error_until_before_since": _("aud_error_until_before_since",
                                      default="The end date is before the start date."),
    "aud_error_unknown_unit": _("aud_error_unknown_unit", default="Choose a unit from the list."),
    "aud_error_unknown_holder": _("aud_error_unknown_holder",
                                  default="Choose a holder from the list."),
    "aud_error_unknown_machine": _("aud_error_unknown_machine",
                                   default="Choose a workflow from the list."),
    "aud_error_unknown_trigger": _("aud_error_unknown_trigger",
                                   default="Choose a transition of the chosen workflow."),
}

COLUMN_LABELS = {
    "time": _("aud_col_time", default="Time"),
    "seq": _("aud_col_seq", default="Seal no."),
    "machine": _("aud_col_machine", default="Workflow"),
    "trigger": _("aud_col_trigger", default="Transition"),
    "source": _("aud_col_source", default="From"),
    "dest": _("aud_col_dest", default="To"),
    "object": _("aud_col_object", default="Object"),
    "log": _("aud_col_log", default="Log"),
    "unit": _("aud_col_unit", default="Unit"),
    "holder": _("aud_col_holder", default="Holder"),
    "from_unit": _("aud_col_from_unit", default="From unit"),
    "from_holder": _("aud_col_from_holder", default="From holder"),
    "actor": _("aud_col_actor", default="Account"),
    "actor_name": _("aud_col_actor_name", default="Who"),
    "reason": _("aud_col_reason", default="Reason"),
    "object_kind": _("aud_col_object_kind", default="What was read"),
    "basis": _("aud_col_basis", default="Basis of access"),
}

BASIS_LABELS = {
    "holder": _("aud_basis_holder", default="holder"),
    "leader": _("aud_basis_leader", default="unit leader"),
    "guardian": _("aud_basis_guardian", default="guardian"),
    "subject": _("aud_basis_subject", default="the child or youth"),
    "actor": _("aud_basis_actor", default="actor"),
    "grant": _("aud_basis_grant", default="read access by consent"),
    "receiver": _("aud_basis_receiver", default="receiver of a transfer"),
    "superuser": _("aud_basis_superuser", default="superuser"),
}
UNKNOWN = _("aud_unknown_account", default="an account no longer registered")
OBJECT_LABELS = {  # (object kind, view) of a read -> what the family reads it as
    "log": _("aud_object_log", default="the log"),
    "log:meeting-mode": _("aud_read_meeting_mode", default="the log in meeting mode"),
    "log:access-log": _("aud_read_access_log", default="who has read the log"),
    "log:supervision": _("aud_read_supervision", default="leaders with read access"),
    "log:full": _("aud_read_full", default="the whole log"),
    "log:child-view": _("aud_read_child_view", default="the child's page"),
    "concern": _("aud_object_concern", default="a concern"),
    "meeting:pdf": _("aud_read_meeting_pdf", default="a meeting's agreed measures (PDF)"),
    "lognote:attachment": _("aud_read_note_attachment", default="a note's attachment"),
    "consent:file": _("aud_read_consent_file", default="a signed consent form"),
    # Finding a child (R45, views/search.py): a search result, or who holds the log.
    "log:search": _("search_read_search", default="the child found in a search"),
    "log:new-log": _("search_read_holder", default="who holds the log, asked before "
                                                   "opening a new one"),
    "log:console-requests": _("search_read_holder", default="who holds the log, asked "
                                                            "before opening a new one"),
}
OTHER_READ = _("aud_read_other", default="a page or form of the log")


def read_label(entry: dict):
    """What a read entry was a read of, in words."""
    kind, view = entry.get("object_kind") or "", entry.get("view") or ""
    return OBJECT_LABELS.get(f"{kind}:{view}" if view else kind, OTHER_READ)


def _formats(**kw) -> Callable:
    """Register a report for a unit and a municipality, as page, CSV and PDF."""
    def decorate(fn):
        for context in (Unit, Municipality):
            for fmt in ("html", "csv", "pdf"):
                predicate = {} if fmt == "html" else {"request_param": f"format={fmt}"}
                view_config(context=context, name="audit", attr=fmt,
                            permission=Permission.AUDIT, **predicate, **kw)(fn)
        return fn
    return decorate


@_formats()
class AuditReport:
    def __init__(self, context, request):
        self.request = request
        self.unit = context if isinstance(context, Unit) else None
        self.municipality = context.municipality if self.unit else context
        self.journal = self.municipality.journal
        self.filters, self.errors = reports.parse_filters(
            request.GET, self.municipality, self.unit.id if self.unit else None)

    def html(self):
        return render_to_response(REPORT, self._values(PAGE_ROWS), self.request,
                                  response=self._response_for_errors())

    def csv(self):
        if self.errors:
            return self.html()
        filters, locale_name = self.filters, self.request.locale_name

        def word(kind: str, code: str | None) -> str:
            return translate(name_of(kind, code), locale_name)

        def produce(root, municipality) -> Iterator[bytes]:
            journal = municipality.journal
            names = reports.ActorNames(root, municipality)
            rows = (reports.transition_row(journal, k, e, names, word)
                    for k, e in reports.transitions(journal, filters))
            yield from reports.csv_chunks(reports.TRANSITION_COLUMNS, rows)

        return _csv_response(self.request, self.municipality.id, produce,
                             f"audit-{filters.since}-{filters.until}.csv")

    def pdf(self):
        if self.errors:
            return self.html()
        html = render(REPORT_PDF, self._values(PDF_ROWS), self.request)
        return _pdf_response(render_pdf(html), f"audit-{self.filters.since}-"
                                               f"{self.filters.until}.pdf")

    def _response_for_errors(self) -> Response:
        response = Response()
        if self.errors:
            response.status = 400
        return response

    def _values(self, row_limit: int) -> dict:
        filters, municipality = self.filters, self.municipality
        summary = reports.summarise(self.journal, filters)
        rows = list(itertools.islice(reports.transitions(self.journal, filters), row_limit + 1))
        return dict(
            title=self.unit.name if self.unit else municipality.name, unit=self.unit,
            filters=filters, errors={k: ERRORS[v] for k, v in self.errors.items()},
            params=self.request.GET, summary=summary, rows=rows[:row_limit],
            more=len(rows) > row_limit, labels=COLUMN_LABELS,
            actor_name=reports.ActorNames(self.request.app_root, municipality),
            diagrams=self._diagrams(summary), units=list(municipality.units.values()),
            holders=self._holders(), machines=[w.name for w in WORKFLOWS],
            triggers=reports.all_triggers(), unit_name=_unit_name(municipality),
            employee_name=_employee_name(municipality),
            transfers=reports.open_transfers(municipality, filters.unit_id),
            journal=self.journal, query=filters.query(),
            urlencode=urlencode)

    def _diagrams(self, summary: reports.Summary) -> list[dict]:
        translate = self.request.translate

        def state(code: str) -> str:
            return translate(name_of("state", code))

        def trigger(code: str) -> str:
            return translate(name_of("trigger", code))

        return [dict(name=w.name,
                     svg=diagrams.svg(w, summary.counts_of(w.name), state, trigger,
                                      translate(name_of("machine", w.name))),
                     mermaid=diagrams.mermaid(w, summary.counts_of(w.name), state, trigger))
                for w in WORKFLOWS]

    def _holders(self) -> list:
        source = (self.unit.employees.values() if self.unit
                  else self.municipality.employees.values())
        return sorted((e for e in source if e.may_hold), key=lambda e: e.name)


@view_config(context=Log, name="access-log", permission=Permission.ACCESS_LOG)
@view_config(context=Log, name="access-log", request_param="format=csv",
             permission=Permission.ACCESS_LOG, attr="csv")
@view_config(context=Log, name="access-log", request_param="format=pdf",
             permission=Permission.ACCESS_LOG, attr="pdf")
class AccessLog:
    """Who has read this log: every read of its page and its concern pages, newest first."""

    def __init__(self, context, request):
        self.log, self.request = context, request
        self.access = request.access_journal.for_municipality(context.municipality.id)

    def __call__(self):
        return render_to_response(ACCESS, self._values(PAGE_ROWS), self.request)

    def csv(self):
        log_id, access = self.log.id, self.access

        def produce(root, municipality) -> Iterator[bytes]:
            names = reports.ActorNames(root, municipality, municipality.logs.get(log_id))
            rows = (reports.access_row(k, e, names) for k, e in access.of_log(log_id))
            yield from reports.csv_chunks(reports.ACCESS_COLUMNS, rows)

        return _csv_response(self.request, self.log.municipality.id, produce,
                             f"access-log-{log_id}.csv")

    def pdf(self):
        html = render(ACCESS_PDF, self._values(PDF_ROWS), self.request)
        return _pdf_response(render_pdf(html), f"access-log-{self.log.id}.pdf")

    def _values(self, row_limit: int) -> dict:
        municipality = self.log.municipality
        rows = self.access.of_log(self.log.id, limit=row_limit + 1)
        return dict(log=self.log, rows=rows[:row_limit], more=len(rows) > row_limit,
                    actor_name=reports.ActorNames(self.request.app_root, municipality, self.log),
                    labels=COLUMN_LABELS, basis=BASIS_LABELS, read_label=read_label,
                    unknown=UNKNOWN)


def _unit_name(municipality) -> Callable[[str | None], str]:
    def name(unit_id: str | None) -> str:
        unit = municipality.units.get(unit_id or "")
        return unit.name if unit is not None else (unit_id or "")
    return name


def _employee_name(municipality) -> Callable[[str | None], str]:
    def name(employee_id: str | None) -> str:
        employee = municipality.employee(employee_id)
        return employee.name if employee is not None else (employee_id or "")
    return name


def _csv_response(request, slug: str, produce, filename: str) -> Response:
    """Stream the CSV after the request's transaction has ended, from a connection of its
    own, so a long period is never held in memory."""
    db = get_connection(request).db()
    return file_response(_stream(db, slug, produce), filename, "text/csv", charset="utf-8")


def _stream(db, slug: str, produce) -> Iterator[bytes]:
    manager = transaction.TransactionManager()
    conn = db.open(transaction_manager=manager)
    try:
        root = app_root(conn)
        for chunk in produce(root, root[slug]):
            yield chunk
            conn.cacheGC()
    finally:
        manager.abort()
        conn.close()


def _pdf_response(data: bytes, filename: str) -> Response:
    return file_response(data, filename, "application/pdf")
