"""The archive PDF of the whole log (R15, R17, R35), rendered by WeasyPrint."""

from __future__ import annotations

import os

from chameleon import PageTemplateLoader

from ..i18n import DEFAULT_LOCALE, localizer
from ..models.base import utcnow
from ..models.files import StoredFile
from ..models.log import ArchivedPdf, Log

_TEMPLATES = PageTemplateLoader(os.path.join(os.path.dirname(__file__), "..", "templates"))


def render_log_html(log: Log, locale_name: str = DEFAULT_LOCALE) -> str:
    local = localizer(locale_name)

    def translate(msgid, domain=None, mapping=None, context=None, target_language=None,
                  default=None):
        from pyramid.i18n import TranslationString

        return local.translate(TranslationString(msgid, domain="stafett", default=default,
                                                 mapping=mapping))

    template = _TEMPLATES["archive.pt"]
    return template(log=log, generated=utcnow(), translate=translate,
                    employee=log.municipality.employee)


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
