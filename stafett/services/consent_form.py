"""The printable consent form (samtykkeerklæring, R9-R12, R42): a PDF/A prefilled from the
log, in the language the family reads, for them to read and sign on paper.

The guides keep the consent form "på mange språk": besides the app's bokmål, nynorsk and
English the form exists in Polish and Arabic (right to left). Its texts are a translation
domain of their own, ``consent_form`` (``locale/<lang>/LC_MESSAGES/consent_form.po``), so the
form's language is chosen apart from the user's; ``pl`` and ``ar`` are never app languages.

What the form carries about the child is what the family must recognise: the name and the
date of birth, never the fødselsnummer; guardians by name only, never their contact details
(a protected address, R44, stays protected on paper as well).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass

from babel.dates import format_date
from chameleon import PageTemplateLoader
from pyramid.i18n import TranslationString, TranslationStringFactory, make_localizer

from ..i18n import LOCALE_DIR
from ..models.base import today
from ..models.consent import ConsentScope
from ..models.log import Log, SubjectKind
from .archive import render_pdf

DOMAIN = "consent_form"
_ = TranslationStringFactory(DOMAIN)


@dataclass(frozen=True)
class FormLanguage:
    code: str
    name: str  # the language's own name, as a reader of it looks for it in a list
    babel: str
    direction: str = "ltr"


FORM_LANGUAGES = {lang.code: lang for lang in (
    FormLanguage("nb", "Norsk bokmål", "nb_NO"),
    FormLanguage("nn", "Norsk nynorsk", "nn_NO"),
    FormLanguage("en", "English", "en_GB"),
    FormLanguage("pl", "Polski", "pl_PL"),
    FormLanguage("ar", "العربية", "ar", "rtl"),
)}
# The consents a family signs on paper before the holder records them: to create the log,
# to move it to another unit or municipality (R11, R20), to reopen it (R16).
FORM_SCOPES = (ConsentScope.CREATE, ConsentScope.TRANSFER, ConsentScope.REOPEN)

TITLES = {
    ConsentScope.CREATE: _("cf_title_create", default="Consent to a stafettlogg"),
    ConsentScope.TRANSFER: _("cf_title_transfer", default="Consent to transfer the stafettlogg"),
    ConsentScope.REOPEN: _("cf_title_reopen", default="Consent to reopen the stafettlogg"),
}
STATEMENTS = {
    ConsentScope.CREATE: _("cf_statement_create", default="I/we consent to a stafettlogg being "
                           "created for the child, and to the services named in this form "
                           "being invited into the log."),
    ConsentScope.TRANSFER: _("cf_statement_transfer", default="I/we consent to the stafettlogg "
                             "being transferred as this form describes, with the concerns we "
                             "have chosen."),
    ConsentScope.REOPEN: _("cf_statement_reopen",
                           default="I/we consent to the stafettlogg being reopened."),
}
SERVICES = {
    "school": _("cf_service_school", default="School"),
    "kindergarten": _("cf_service_kindergarten", default="Kindergarten"),
    "health_station": _("cf_service_health_station",
                        default="Health station for children and young people"),
    "ppt": _("cf_service_ppt", default="Educational and psychological counselling service "
                                       "(PPT)"),
    "child_welfare": _("cf_service_child_welfare", default="Child welfare service "
                                                           "(barnevernet)"),
    "nav": _("cf_service_nav", default="Labour and welfare service (NAV)"),
    "other": _("cf_service_other", default="Other service"),
}
YOUTH_SIGNS_FROM = 15  # R9: from 15 the youth decides on education, from 16 on health data


class UnknownChoice(ValueError):
    """A language or scope the form does not exist in; ``what`` is "language" or "scope"."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


def form_language(code: str | None) -> FormLanguage:
    if code not in FORM_LANGUAGES:
        raise UnknownChoice("language")
    return FORM_LANGUAGES[code]


def form_scope(code: str | None) -> ConsentScope:
    if code not in {str(scope) for scope in FORM_SCOPES}:
        raise UnknownChoice("scope")
    return ConsentScope(code)


def default_scope(log: Log) -> str:
    """The consent the log needs next: to reopen a passive log, else to create it."""
    return str(ConsentScope.REOPEN if log.state == "passive" else ConsentScope.CREATE)


@functools.cache
def _localizer(code: str):
    return make_localizer(code, [LOCALE_DIR])


def translator(code: str):
    """``t(message, **mapping)`` in the form's language; an unknown id falls back to its
    English default, never to a code."""
    local = _localizer(code)

    def t(message, **mapping) -> str:
        if not isinstance(message, TranslationString):
            message = TranslationString(message, domain=DOMAIN)
        if mapping:
            message = TranslationString(message, domain=message.domain, default=message.default,
                                        mapping=mapping)
        return local.translate(message)

    return t


# -- what the form says about this log ---------------------------------------------------------
@dataclass(frozen=True)
class Signer:
    name: str  # may be empty: a line to fill in by hand
    role: TranslationString


def form_values(log: Log, scope: ConsentScope, lang: FormLanguage,
                day: dt.date | None = None, *, with_concerns: bool = True) -> dict:
    """Everything the template shows, already in the form's language where it is text.
    ``with_concerns``: the transfer's chosen concerns are named only for someone who may
    read them (a leader gathering a consent sees the log's header only, R6)."""
    day = day or today()
    t = translator(lang.code)
    subject = log.subject

    def date(value: dt.date) -> str:
        return format_date(value, "long", locale=lang.babel)

    return {
        "lang": lang,
        "scope": str(scope),
        "t": t,
        "title": t(TITLES[scope]),
        "statement": t(STATEMENTS[scope]),
        "child_name": subject.name,
        "birth_date": date(subject.birth_date),
        "guardians": [g.name for g in log.guardians.values()],
        "holder": getattr(log.holder, "name", ""),
        "municipality": getattr(log.municipality, "name", ""),
        "services": _services(log, day, t),
        "transfer": _transfer(log, t, with_concerns) if scope == ConsentScope.TRANSFER
        else None,
        "signers": _signers(log, day),
        "printed": t(_("cf_printed", default="Printed ${date}. Reference ${ref}."),
                     date=date(day), ref=log.id),
    }


@dataclass(frozen=True)
class Place:
    """A unit, or a person at one, and its kind of service in the form's language. Kept
    apart so that a Norwegian name keeps its own direction in an Arabic line."""

    name: str
    service: str = ""


def _unit_line(unit, t, person: str = "") -> Place:
    service = SERVICES.get(str(getattr(unit, "service", "")), SERVICES["other"])
    name = ", ".join(p for p in (person, getattr(unit, "name", "")) if p)
    return Place(name, t(service) if unit is not None else "")


def _services(log: Log, day: dt.date, t) -> dict:
    """The log's own unit first, then the units that take part: by a consent to involve
    them (R11) or by an employee with a measure (R3)."""
    municipality = log.municipality
    others = [c.unit_id for c in log.consents.values()
              if c.scope == ConsentScope.INVOLVE_UNIT and c.is_valid_on(day)]
    for actor_id in sorted(log.actor_ids()):
        employee = municipality.employee(actor_id)
        others.append(getattr(employee, "unit_id", None))
    units = [municipality.units.get(u) for u in dict.fromkeys(others)
             if u and u != log.unit_id]
    own = log.unit
    return {"own": _unit_line(own, t) if own is not None else None,
            "others": [_unit_line(u, t) for u in units if u is not None]}


def _transfer(log: Log, t, with_concerns: bool) -> dict:
    """The open transfer, when there is one: who receives the log and which concerns the
    family chose to send along (R20). Without one, the lines are left to fill in."""
    transfer = next((x for x in log.transfers.values() if x.is_open), None)
    if transfer is None:
        return {"receiver": [], "concerns": []}
    municipality = log.municipality
    unit = municipality.units.get(transfer.to_unit_id or "")
    receiver = municipality.employee(transfer.to_employee_id) if transfer.to_employee_id \
        else None
    if unit is None and receiver is not None:
        unit = municipality.units.get(getattr(receiver, "unit_id", "") or "")
    person = getattr(receiver, "name", "")
    receivers = [_unit_line(unit, t, person)] if unit is not None or person else []
    if transfer.to_municipality:
        receivers.append(Place(transfer.to_municipality))
    return {"receiver": receivers,
            "concerns": [log.concerns[c].text for c in transfer.concern_ids
                         if c in log.concerns] if with_concerns else []}


def _signers(log: Log, day: dt.date) -> list[Signer]:
    """A line for each guardian (two blank ones when none is registered) and for the youth
    from 15; the pregnant woman signs for herself (R9)."""
    subject = log.subject
    if subject.kind == SubjectKind.PREGNANT:
        return [Signer(subject.name, _("cf_role_self", default="The person the log is about"))]
    guardian = _("cf_role_guardian", default="Guardian")
    signers = [Signer(g.name, guardian) for g in log.guardians.values()] or [
        Signer("", guardian), Signer("", guardian)]
    if subject.age(day) >= YOUTH_SIGNS_FROM:
        signers.append(Signer(subject.name, _("cf_role_subject", default="The young person")))
    return signers


# -- rendering ---------------------------------------------------------------------------------
_TEMPLATES = PageTemplateLoader(os.path.join(os.path.dirname(__file__), "..", "templates"))


def consent_form_html(log: Log, scope: ConsentScope, lang: FormLanguage,
                      day: dt.date | None = None, *, with_concerns: bool = True) -> str:
    values = form_values(log, scope, lang, day, with_concerns=with_concerns)
    local = _localizer(lang.code)

    def translate(msgid, domain=None, mapping=None, context=None, target_language=None,
                  default=None):
        return local.translate(TranslationString(msgid, domain=domain or DOMAIN,
                                                 default=default, mapping=mapping))

    return _TEMPLATES["consent_form.pt"](translate=translate, **values)


def consent_form_pdf(log: Log, scope: ConsentScope, lang: FormLanguage,
                     day: dt.date | None = None, *, with_concerns: bool = True) -> bytes:
    """The form as PDF/A-2u (fonts embedded: DejaVu Sans carries the Arabic letters)."""
    return render_pdf(consent_form_html(log, scope, lang, day, with_concerns=with_concerns))


def filename(scope: ConsentScope, lang: FormLanguage) -> str:
    """Without the child's name: the file may lie in a downloads folder."""
    return f"samtykkeskjema-{scope}-{lang.code}.pdf"
