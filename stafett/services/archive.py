"""PDFs rendered by WeasyPrint from Chameleon templates (R35): the archive copy of the whole
log (at closing, at a change of service, before deletion) and a meeting's agreed measures."""

from __future__ import annotations

import os

from chameleon import PageTemplateLoader
from pyramid.i18n import TranslationString

from ..i18n import DEFAULT_LOCALE, localizer
from ..models.base import utcnow
from ..models.files import StoredFile
from ..models.log import ArchivedPdf, Log

_TEMPLATES = PageTemplateLoader(os.path.join(os.path.dirname(__file__), "..", "templates"))


def render_html(template_name: str, locale_name: str = DEFAULT_LOCALE, **values) -> str:
    """A template rendered without a request (PDFs are made in workflows and scripts too)."""
    local = localizer(locale_name)

    def translate(msgid, domain=None, mapping=None, context=None, target_language=None,
                  default=None):
        return local.translate(TranslationString(msgid, domain="stafett", default=default,
                                                 mapping=mapping))

    return _TEMPLATES[template_name](translate=translate, generated=utcnow(), **values)


def render_log_html(log: Log, locale_name: str = DEFAULT_LOCALE) -> str:
    return render_html("archive.pt", locale_name, log=log, employee=log.municipality.employee)


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported late: loading pango is slow at start-up

    return HTML(string=html).write_pdf()


def archive_log(log: Log, reason: str, locale_name: str = DEFAULT_LOCALE) -> ArchivedPdf:
    data = render_pdf(render_log_html(log, locale_name))
    created = utcnow()
    archived = ArchivedPdf(reason, StoredFile(data, f"stafettlogg-{log.id}-{created:%Y%m%d}.pdf"))
    archived.__parent__, archived.__name__ = log, f"archive-{created:%Y%m%d%H%M%S%f}"
    log.archives[created] = archived
    return archived
