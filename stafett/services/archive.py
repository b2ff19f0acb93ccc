"""PDFs rendered by WeasyPrint from Chameleon templates (R35): the archive copy of the whole
log (at closing, at a change of service, before deletion) and a meeting's agreed measures."""

from __future__ import annotations

import os

from chameleon import PageTemplateLoader
from pyramid.i18n import TranslationString

from ..formatting import formatter
from ..i18n import DEFAULT_LOCALE, localizer, translated
from ..messages import name_of
from ..models.base import find_parent, utcnow
from ..models.files import StoredFile
from ..models.log import ARCHIVE_NAME_TIME, ArchivedPdf, Log
from ..models.org import Municipality
from ..storage import in_own_transaction
from . import archive_delivery
from .background import BackgroundWorker

_TEMPLATES = PageTemplateLoader(os.path.join(os.path.dirname(__file__), "..", "templates"))


def render_html(template_name: str, locale_name: str = DEFAULT_LOCALE, **values) -> str:
    """A template rendered without a request (PDFs are made in workflows and scripts too)."""
    local = localizer(locale_name)

    def translate(msgid, domain=None, mapping=None, context=None, target_language=None,
                  default=None):
        return translated(local, TranslationString(msgid, domain="stafett", default=default,
                                                   mapping=mapping))

    def word(kind: str, code: str | None) -> str:
        return translate(name_of(kind, code))

    values = {"generated": utcnow(), **values}
    return _TEMPLATES[template_name](translate=translate, fmt=formatter(locale_name), word=word,
                                     **values)


def render_log_html(log: Log, locale_name: str = DEFAULT_LOCALE) -> str:
    return render_html("archive.pt", locale_name, log=log, employee=log.municipality.employee)


# PDF/A-2u: fonts embedded, XMP metadata, no script, and text that can be copied out again,
# as an archive (Arkivverket) takes it.
PDF_VARIANT = "pdf/a-2u"


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported late: loading pango is slow at start-up

    return HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)


def archive_log(log: Log, reason: str, locale_name: str = DEFAULT_LOCALE) -> ArchivedPdf:
    """The copy kept with the log: at closing and before deletion (R15, R17, R35)."""
    archived = _archived_copy(log, reason, locale_name)
    archived.__parent__, archived.__name__ = log, _archive_name(archived)
    log.archives[archived.created] = archived
    _file_with_unit(log.municipality, archived)
    _after_commit(log.municipality, archived)
    return archived


def archive_for_sending_unit(log: Log, locale_name: str = DEFAULT_LOCALE) -> ArchivedPdf:
    """R20, R35: at a change of service the sending unit keeps a copy of the whole log as it
    stood. The copy stays with the sending municipality and never travels with the log, so
    concerns the family chose not to send along do not reach the receiver."""
    archived = _archived_copy(log, "change_of_service", locale_name)
    municipality = log.municipality
    archived.__parent__, archived.__name__ = municipality, _archive_name(archived)
    municipality.archive_copies[(log.id, archived.created)] = archived
    _file_with_unit(municipality, archived)
    _after_commit(municipality, archived)
    return archived


def _archive_name(archived: ArchivedPdf) -> str:
    return f"archive-{archived.log_id}-{archived.created.strftime(ARCHIVE_NAME_TIME)}"


def _file_with_unit(municipality, archived: ArchivedPdf) -> None:
    """Every copy is listed for the unit it was made in, wherever the log goes (R20)."""
    municipality.copies_by_unit[archived.unit_key] = archived


def _archived_copy(log: Log, reason: str, locale_name: str) -> ArchivedPdf:
    """The log as it stands now, as HTML: quick to write in the transition; the PDF is made
    from it after the commit, so the content is the same whenever that happens."""
    return ArchivedPdf(reason, html=render_log_html(log, locale_name), log_id=log.id,
                       unit_id=log.unit_id)


# -- the PDF, after the commit -----------------------------------------------------------------
def produce(archived: ArchivedPdf) -> None:
    """Make the PDF of a copy written as HTML (in the caller's transaction)."""
    if archived.produced:
        return
    archived.blob = StoredFile(render_pdf(archived.html), archived.filename)
    archived.html = None
    archive_delivery.enqueue(archived)  # to the municipal archive (R35)
    pending = getattr(find_parent(archived, Municipality), "pending_archives", None)
    if pending is not None:
        pending.pop(archived.__name__, None)


def _still_waiting(archived: ArchivedPdf) -> bool:
    """Not produced meanwhile, and not erased with its log (R17)."""
    municipality = find_parent(archived, Municipality)
    return municipality is not None and archived.__name__ in municipality.pending_archives


def produce_pending(municipality) -> int:
    """Every copy still waiting for its PDF (the nightly run; a worker that died)."""
    waiting = list(municipality.pending_archives.values())
    for archived in waiting:
        produce(archived)
    return len(waiting)


def _after_commit(municipality, archived: ArchivedPdf) -> None:
    """Render the PDF once the transaction that wrote the copy has committed, on a worker
    thread: a retried request never renders twice, and the transition stays fast. Until
    then the copy is listed as waiting (``stafett-daily`` finishes what a worker left)."""
    municipality.pending_archives[archived.__name__] = archived
    jar = municipality._p_jar
    if jar is None:  # not in a database (a build in memory): render now
        produce(archived)
        return
    jar.transaction_manager.get().addAfterCommitHook(
        lambda committed: committed and WORKER.submit(jar.db(), archived))


class ArchiveWorker(BackgroundWorker):
    """Turns committed HTML copies into PDFs, each in a transaction of its own, retried
    when it meets another writer."""

    name = "archive-pdf"
    left_for = "stafett-daily"
    ATTEMPTS = 5

    def submit(self, db, archived: ArchivedPdf) -> None:
        self.put((db, archived._p_oid))

    def handle(self, job) -> None:
        self._produce(*job)

    def _produce(self, db, oid) -> None:
        def make(conn) -> None:
            archived = conn.get(oid)
            if _still_waiting(archived):
                produce(archived)

        in_own_transaction(db, make, self.ATTEMPTS)


WORKER = ArchiveWorker()
