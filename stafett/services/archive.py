"""PDFs rendered by WeasyPrint from Chameleon templates (R35): the archive copy of the whole
log (at closing, at a change of service, before deletion) and a meeting's agreed measures."""

from __future__ import annotations

import os

from chameleon import PageTemplateLoader
from pyramid.i18n import TranslationString

from ..formatting import formatter, oslo
from ..i18n import DEFAULT_LOCALE, localizer, translated
from ..messages import name_of
from ..models.base import utcnow
from ..models.files import StoredFile
from ..models.log import ArchivedPdf, Log

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


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported late: loading pango is slow at start-up

    return HTML(string=html).write_pdf()


def archive_log(log: Log, reason: str, locale_name: str = DEFAULT_LOCALE) -> ArchivedPdf:
    """The copy kept with the log: at closing and before deletion (R15, R17, R35)."""
    archived = _archived_copy(log, reason, locale_name)
    archived.__parent__, archived.__name__ = log, _archive_name(archived)
    log.archives[archived.created] = archived
    return archived


def archive_for_sending_unit(log: Log, locale_name: str = DEFAULT_LOCALE) -> ArchivedPdf:
    """R20, R35: at a change of service the sending unit keeps a copy of the whole log as it
    stood. The copy stays with the sending municipality and never travels with the log, so
    concerns the family chose not to send along do not reach the receiver."""
    archived = _archived_copy(log, "change_of_service", locale_name)
    municipality = log.municipality
    archived.__parent__, archived.__name__ = municipality, _archive_name(archived)
    municipality.archive_copies[(log.id, archived.created)] = archived
    return archived


def _archive_name(archived: ArchivedPdf) -> str:
    return f"archive-{archived.log_id}-{archived.created:%Y%m%d%H%M%S%f}"


def _archived_copy(log: Log, reason: str, locale_name: str) -> ArchivedPdf:
    data = render_pdf(render_log_html(log, locale_name))
    created = utcnow()
    filename = f"stafettlogg-{log.id}-{oslo(created):%Y%m%d}.pdf"  # the Oslo day
    return ArchivedPdf(reason, StoredFile(data, filename), log_id=log.id, unit_id=log.unit_id)
