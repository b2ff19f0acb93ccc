"""The printable consent form (R9-R12, R42): a PDF prefilled from the log, in the language
the family reads. Whoever gathers the consent prints it: the permission to record consent
(the holder of a draft or running log; the leader, who reopens a passive one, R16)."""

from __future__ import annotations

from pyramid.view import view_config

from ..i18n import _
from ..models.log import Log
from ..security import Permission
from ..services.consent_form import (
    UnknownChoice,
    consent_form_pdf,
    default_scope,
    filename,
    form_language,
    form_scope,
)
from .downloads import file_response
from .logs import log_page_with_error
from .read_journal import journal_read

REFUSALS = {
    "language": _("pf_bad_language", default="The consent form is not available in that "
                                             "language. Choose one of the languages in the "
                                             "list."),
    "scope": _("pf_bad_scope", default="The consent form is for creating, transferring or "
                                       "reopening the log. Choose one of these."),
}


@view_config(context=Log, name="consent-form", request_method=("GET", "HEAD"),
             permission=Permission.RECORD_CONSENT)
def consent_form(request):
    """``?lang=nb|nn|en|pl|ar&scope=create|transfer|reopen``; without them, the user's own
    language and the consent the log needs next. Anything else: the log page with a clear
    message, status 400, nothing rendered."""
    log = request.context
    try:
        lang = form_language(request.GET.get("lang", request.locale_name))
        scope = form_scope(request.GET.get("scope", default_scope(log)))
    except UnknownChoice as refusal:
        journal_read(request, log)  # the log page is shown again: a read, if not a 2xx
        response = log_page_with_error(request, log, request.translate(REFUSALS[refusal.what]))
        response.status = 400
        return response
    may_read = bool(request.has_permission(Permission.VIEW, log))
    return file_response(consent_form_pdf(log, scope, lang, with_concerns=may_read),
                         filename(scope, lang), "application/pdf")
