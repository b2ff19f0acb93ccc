"""Schemas for the log's lifecycle: the draft, consent, read grants, transfers, closing.

Choices that depend on the log or the municipality (guardians, units, employees, concerns)
are deferred and bound with ``log`` / ``municipality`` by the view.
"""

from __future__ import annotations

from types import SimpleNamespace

import colander
import deform

from ..i18n import _
from ..messages import message_for
from ..models.base import DomainError, today
from ..models.consent import (
    SUBJECT_PARTY,
    ConsentForm,
    ConsentScope,
    consent_is_sufficient,
    required_parties,
)
from ..models.files import pdf_upload
from ..models.log import Level, SubjectKind
from ..models.transfer import TransferKind
from .uploads import upload_widget
from .validators import (
    Date,
    Fodselsnummer,
    WholeNumber,
    at_most,
    line,
    one_of,
    only,
    strip,
    text,
)

MAX_GUARDIANS = 10

KIND_CHOICES = (
    (SubjectKind.CHILD.value, _("lc_kind_child", default="A child")),
    (SubjectKind.YOUTH.value, _("lc_kind_youth", default="A youth")),
    (SubjectKind.PREGNANT.value, _("lc_kind_pregnant", default="A pregnant woman")),
)
LEVEL_CHOICES = tuple((str(int(level)), _(f"lc_level_{int(level)}", default=f"Level {int(level)}"))
                      for level in Level)
SCOPE_CHOICES = (
    (ConsentScope.CREATE.value, _("lc_scope_create", default="Create the log")),
    (ConsentScope.INVOLVE_UNIT.value, _("lc_scope_involve_unit",
                                        default="Involve another unit or service")),
    (ConsentScope.TRANSFER.value, _("lc_scope_transfer", default="Transfer the log")),
    (ConsentScope.REOPEN.value, _("lc_scope_reopen", default="Reopen the log")),
    (ConsentScope.READ_ACCESS.value, _("wd_scope_read_access",
                                       default="Read access for a named employee")),
)
FORM_CHOICES = (
    (ConsentForm.DIGITAL.value, _("lc_form_digital", default="Digital")),
    (ConsentForm.SCANNED.value, _("lc_form_scanned", default="Scanned signed form (PDF)")),
    (ConsentForm.ORAL.value, _("lc_form_oral", default="Oral")),
)
TRANSFER_KIND_CHOICES = (
    (TransferKind.INTERNAL.value, _("lc_transfer_internal", default="Within this unit")),
    (TransferKind.UNIT.value, _("lc_transfer_unit", default="To another unit here")),
    (TransferKind.MUNICIPALITY.value, _("lc_transfer_municipality",
                                        default="To another municipality")),
)
HOW_CHOICES = (
    ("oral", _("lc_how_oral", default="Orally")),
    ("written", _("lc_how_written", default="In writing")),
)
NONE_CHOICE = ("", _("lc_choose", default="- choose -"))


def uploaded_bytes(filedata) -> bytes:
    fp = filedata["fp"]
    fp.seek(0)
    return fp.read()


def uploaded_file(node, value) -> None:
    """An upload Deform could read: a file sent with a name, or one kept from an earlier
    submit of this session (``forms.uploads``); otherwise the file is asked for again."""
    if not isinstance(value, dict) or not hasattr(value.get("fp"), "read"):
        raise colander.Invalid(node, _("lc_upload_again", default="Choose the file again."))


def _pdf_validator(node, value) -> None:
    """R10: a PDF by its content and within the size limit."""
    uploaded_file(node, value)
    try:
        pdf_upload(uploaded_bytes(value), value.get("filename") or "consent.pdf")
    except DomainError as exc:
        raise colander.Invalid(node, message_for(exc)) from None


@colander.deferred
def _guardian_id_validator(node, kw):
    """A guardian already on the log (or none: a new one)."""
    log = kw.get("log")
    return one_of(log.guardians.keys() if log is not None else ())


# -- the subject, guardians and level ------------------------------------------------------
class GuardianSchema(colander.MappingSchema):
    guardian_id = colander.SchemaNode(colander.String(), missing="",
                                      validator=_guardian_id_validator,
                                      widget=deform.widget.HiddenWidget())
    name = colander.SchemaNode(colander.String(), title=_("lc_guardian_name", default="Name"),
                               preparer=strip, validator=line(min_length=2))
    guardian_fnr = colander.SchemaNode(
        Fodselsnummer(), title=_("lc_guardian_fnr", default="Fødselsnummer (optional)"),
        missing=None, description=_(
            "lc_guardian_fnr_help", default="With it, the guardian logs in with ID-porten and "
                                            "sees the log. Without it, send an invitation."))
    email = colander.SchemaNode(colander.String(), title=_("lc_email", default="E-mail"),
                                missing="", preparer=strip, validator=colander.All(
                                    line(254), colander.Email(msg=_(
                                        "lc_bad_email", default="Not a valid e-mail address."))))
    phone = colander.SchemaNode(colander.String(), title=_("lc_phone", default="Phone"),
                                missing="", preparer=strip, validator=line(40))
    lives_with_child = colander.SchemaNode(
        colander.Boolean(), title=_("lc_lives_with_child", default="Lives with the child"),
        default=True, missing=False)
    protected = colander.SchemaNode(
        colander.Boolean(), title=_("lc_protected", default="Protected address (fortrolig "
                                                            "adresse)"),
        description=_("lc_protected_help", default="The e-mail and phone are then shown to "
                                                   "the holder only (R44)."),
        default=False, missing=False)


class GuardiansSchema(colander.SequenceSchema):
    guardian = GuardianSchema(title=_("lc_guardian", default="Guardian"))


class LogSchema(colander.MappingSchema):
    """The draft's facts; the holder edits them while the log is a draft or active."""

    subject_name = colander.SchemaNode(
        colander.String(), title=_("lc_subject_name", default="Name of the child or youth"),
        preparer=strip, validator=line(min_length=2))
    fnr = colander.SchemaNode(Fodselsnummer(), title=_("lc_fnr", default="Fødselsnummer"),
                              description=_("lc_fnr_help",
                                            default="11 digits; a D-number is accepted too"))
    kind = colander.SchemaNode(colander.String(), title=_("lc_kind", default="The log follows"),
                               widget=deform.widget.RadioChoiceWidget(values=KIND_CHOICES),
                               validator=one_of(k for k, _t in KIND_CHOICES),
                               default=SubjectKind.CHILD.value)
    level = colander.SchemaNode(WholeNumber(), title=_("lc_level", default="BTI level"),
                                widget=deform.widget.SelectWidget(values=LEVEL_CHOICES),
                                validator=one_of(int(v) for v in Level), default=1)
    guardians = GuardiansSchema(
        title=_("lc_guardians", default="Guardians"), validator=at_most(MAX_GUARDIANS),
        description=_("lc_guardians_help",
                      default="Required up to and including age 15. Add each guardian."),
        widget=deform.widget.SequenceWidget(min_len=0, add_subitem_text_template=_(
            "lc_add_guardian", default="Add a guardian")))
    guardians_live_together = colander.SchemaNode(
        colander.Boolean(), title=_("lc_live_together", default="The guardians live together"),
        default=True, missing=False)


class NewLogSchema(LogSchema):
    """R13, R29: a first meeting may be prepared before any concern."""

    meeting_date = colander.SchemaNode(
        Date(), title=_("lc_meeting_date", default="First meeting (optional)"),
        missing=None, widget=deform.widget.DateInputWidget())
    meeting_agenda = colander.SchemaNode(
        colander.String(), title=_("lc_meeting_agenda", default="Agenda of the first meeting"),
        missing="", preparer=strip, validator=text(),
        widget=deform.widget.TextAreaWidget(rows=3))


def new_log_schema() -> NewLogSchema:
    schema = NewLogSchema()
    schema["guardians"].default = [{"lives_with_child": True}]
    return schema


# -- consent ------------------------------------------------------------------------------
@colander.deferred
def _party_widget(node, kw):
    log = kw["log"]
    values = [(g.id, g.name) for g in log.guardians.values()]
    values.append((SUBJECT_PARTY, _("lc_the_subject", default="${name} (the child or youth)",
                                    mapping={"name": log.subject.name})))
    return deform.widget.CheckboxChoiceWidget(values=values)


@colander.deferred
def _party_validator(node, kw):
    allowed = set(kw["log"].guardians.keys()) | {SUBJECT_PARTY}
    return colander.All(
        colander.Length(min=1, min_err=_("lc_choose_party", default="Tick who consented.")),
        only(allowed))


@colander.deferred
def _unit_widget(node, kw):
    units = [(u.id, u.name) for u in kw["municipality"].units.values()]
    return deform.widget.SelectWidget(values=[NONE_CHOICE, *sorted(units, key=lambda u: u[1])])


@colander.deferred
def _unit_validator(node, kw):
    return one_of(kw["municipality"].units.keys())


class ConsentSchema(colander.MappingSchema):
    """R9-R11: who consented, when, for what, in which form."""

    given_by = colander.SchemaNode(colander.Set(), title=_("lc_given_by", default="Who consented"),
                                   widget=_party_widget, validator=_party_validator)
    date = colander.SchemaNode(Date(), title=_("lc_consent_date", default="Date given"),
                               widget=deform.widget.DateInputWidget(),
                               default=colander.deferred(lambda node, kw: today()))
    expires = colander.SchemaNode(Date(), title=_("lc_expires", default="Expires (optional)"),
                                  missing=None, widget=deform.widget.DateInputWidget())
    scope = colander.SchemaNode(colander.String(), title=_("lc_scope", default="Consent to"),
                                widget=deform.widget.RadioChoiceWidget(values=SCOPE_CHOICES),
                                validator=one_of(s for s, _t in SCOPE_CHOICES),
                                default=ConsentScope.CREATE.value)
    unit_id = colander.SchemaNode(colander.String(), title=_(
        "lc_consent_unit", default="Unit or service involved"), missing="", widget=_unit_widget,
        validator=_unit_validator)
    grantee_id = colander.SchemaNode(colander.String(), title=_(
        "lc_consent_grantee", default="Employee who may read (read access)"), missing="",
        widget=colander.deferred(lambda node, kw: _grantee_widget(node, kw)),
        validator=colander.deferred(lambda node, kw: _grantee_validator(node, kw)))
    form = colander.SchemaNode(colander.String(), title=_("lc_consent_form", default="Form"),
                               widget=deform.widget.RadioChoiceWidget(values=FORM_CHOICES),
                               validator=one_of(f for f, _t in FORM_CHOICES),
                               default=ConsentForm.DIGITAL.value)
    upload = colander.SchemaNode(deform.FileData(), title=_(
        "lc_upload", default="Scanned signed form (PDF, at most 10 MB)"), missing=None,
        widget=upload_widget,
        validator=_pdf_validator)
    exception_reason = colander.SchemaNode(
        colander.String(), title=_("lc_exception_reason",
                                   default="Why there is no guardian consent (from 12)"),
        description=_("lc_exception_help", default="Only for the rare, recorded exception "
                                                   "where a young person from 12 consents alone."),
        missing="", preparer=strip, validator=text(),
        widget=deform.widget.TextAreaWidget(rows=2))

    def validator(self, node, value) -> None:
        _consent_rules(node, value)


def transfer_consent_schema() -> ConsentSchema:
    """The family's consent to one transfer: its scope is fixed."""
    schema = ConsentSchema()
    del schema["scope"]
    del schema["unit_id"]
    del schema["grantee_id"]
    schema.validator = _consent_rules
    return schema


def _consent_rules(node, value) -> None:
    """A scanned form needs its PDF (R10); involving a unit names it (R11); when both
    guardians must consent (R9), the form says so and names them."""
    problems = {}
    if value["form"] == ConsentForm.SCANNED and value["upload"] is None:
        problems["upload"] = message_for(DomainError("consent_scan_missing"))
    if value.get("scope") == ConsentScope.INVOLVE_UNIT and not value["unit_id"]:
        problems["unit_id"] = message_for(DomainError("consent_involve_needs_unit"))
    if value.get("scope") == ConsentScope.READ_ACCESS and not value["grantee_id"]:
        problems["grantee_id"] = message_for(DomainError("consent_read_access_needs_employee"))
    both = _both_guardians_missing(node.bindings["log"], value)
    if both:
        problems["given_by"] = both
    if problems:
        errors = colander.Invalid(node)
        for name, message in problems.items():
            errors.add(colander.Invalid(node[name], message), node.children.index(node[name]))
        raise errors


def _both_guardians_missing(log, value):
    """R9: guardians who live apart, with a child living with both, must both consent."""
    rule, parties = required_parties(log)
    proposed = SimpleNamespace(given_by=tuple(value["given_by"]),
                               exception_reason=value["exception_reason"])
    if rule != "all_guardians" or consent_is_sufficient(log, proposed):
        return None
    names = ", ".join(sorted(log.guardians[p].name for p in parties))
    return _("input_both_guardians", default="Both guardians must consent: they do not live "
             "together and the child lives with both. Tick ${names}.", mapping={"names": names})


class WithdrawConsentSchema(colander.MappingSchema):
    """R12: orally is enough, but it is recorded."""

    how = colander.SchemaNode(colander.String(), title=_("lc_how", default="How it was withdrawn"),
                              widget=deform.widget.RadioChoiceWidget(values=HOW_CHOICES),
                              validator=one_of(h for h, _t in HOW_CHOICES), default="oral")
    note = colander.SchemaNode(colander.String(), title=_("lc_note", default="Note"), missing="",
                               preparer=strip, validator=text(),
                               widget=deform.widget.TextAreaWidget(rows=3))


# -- read grants --------------------------------------------------------------------------
@colander.deferred
def concern_widget(node, kw):
    return deform.widget.CheckboxChoiceWidget(
        values=[(c.id, c.text) for c in kw["log"].concerns.values()])


@colander.deferred
def concern_validator(node, kw):
    return only(kw["log"].concerns.keys())


def _employee_choices(kw, may_hold: bool = False) -> list[tuple[str, str]]:
    municipality, log = kw["municipality"], kw["log"]
    found = []
    for unit in municipality.units.values():
        for emp in unit.employees.values():
            if emp.active and emp.id != log.holder_id and (emp.may_hold or not may_hold):
                found.append((emp.id, f"{emp.name} ({unit.name})"))
    return sorted(found, key=lambda pair: pair[1])


@colander.deferred
def _grantee_widget(node, kw):
    return deform.widget.SelectWidget(values=[NONE_CHOICE, *_employee_choices(kw)])


@colander.deferred
def _grantee_validator(node, kw):
    return one_of((e for e, _n in _employee_choices(kw)),
                  msg=_("lc_choose_employee", default="Choose an employee."))


@colander.deferred
def _consent_widget(node, kw):
    return deform.widget.SelectWidget(values=[NONE_CHOICE, *_given_consents(kw["log"])])


@colander.deferred
def _consent_validator(node, kw):
    return one_of((c for c, _t in _given_consents(kw["log"])),
                  msg=_("lc_choose_consent", default="Choose the consent it rests on."))


def _given_consents(log) -> list[tuple[str, object]]:
    """The consents a grant may rest on (R4): standing consents to a named employee's read
    access, by whom and when they were given; the date is written for the reader's
    language when the form is rendered."""
    employee = log.municipality.employee
    return [(c.id, _("lc_read_access_choice", default="Read access for ${name}, given ${date}",
                     mapping={"name": getattr(employee(c.grantee_id), "name", ""),
                              "date": c.date}))
            for c in log.consents.values()
            if c.state == "given" and c.scope == ConsentScope.READ_ACCESS]


class GrantSchema(colander.MappingSchema):
    """R4: read access for a named employee, resting on the family's consent."""

    employee_id = colander.SchemaNode(colander.String(), title=_("lc_grantee",
                                                                 default="Employee"),
                                      widget=_grantee_widget, validator=_grantee_validator)
    consent_id = colander.SchemaNode(colander.String(), title=_(
        "lc_grant_consent", default="The consent it rests on"), widget=_consent_widget,
        validator=_consent_validator)
    concern_ids = colander.SchemaNode(colander.Set(), title=_(
        "lc_grant_concerns", default="Concerns (none ticked: the whole log)"), missing=(),
        widget=concern_widget, validator=concern_validator)
    purpose = colander.SchemaNode(colander.String(), title=_("lc_purpose", default="Purpose"),
                                  preparer=strip, validator=text(500, min_length=3),
                                  widget=deform.widget.TextAreaWidget(rows=2))


@colander.deferred
def _narrowed_concerns_validator(node, kw):
    """At least one concern, all of this log (a deferred inside ``All`` is never bound)."""
    return colander.All(colander.Length(min=1, min_err=_(
        "lc_choose_concern", default="Tick at least one concern.")),
        only(kw["log"].concerns.keys()))


class NarrowGrantSchema(colander.MappingSchema):
    concern_ids = colander.SchemaNode(colander.Set(), title=_(
        "lc_grant_concerns_narrow", default="Concerns the employee may still read"),
        widget=concern_widget, validator=_narrowed_concerns_validator)


# -- closing and transfers ----------------------------------------------------------------
class CloseSchema(colander.MappingSchema):
    reason = colander.SchemaNode(colander.String(), title=_(
        "lc_close_reason", default="Why the log is closed"), missing="", preparer=strip,
        validator=text(), widget=deform.widget.TextAreaWidget(rows=2))


def _all_municipalities(kw) -> list:
    here = kw["municipality"]
    others = [m for m in here.__parent__.values() if m is not here]
    return [here, *sorted(others, key=lambda m: m.name)]


def _receiving_units(kw) -> list[tuple[str, str]]:
    here = kw["municipality"]
    return [(u.id, u.name if m is here else f"{u.name} ({m.name})")
            for m in _all_municipalities(kw) for u in m.units.values()]


def _receiving_employees(kw) -> list[tuple[str, str]]:
    here, log = kw["municipality"], kw["log"]
    return [(e.id, f"{e.name} ({u.name})" if m is here else f"{e.name} ({u.name}, {m.name})")
            for m in _all_municipalities(kw) for u in m.units.values()
            for e in u.employees.values()
            if e.active and e.may_hold and e.id != log.holder_id]


@colander.deferred
def _receiver_widget(node, kw):
    return deform.widget.SelectWidget(values=[NONE_CHOICE, *_receiving_employees(kw)])


@colander.deferred
def _receiver_validator(node, kw):
    return one_of(e for e, _n in _receiving_employees(kw))


@colander.deferred
def _receiving_unit_widget(node, kw):
    return deform.widget.SelectWidget(values=[NONE_CHOICE, *_receiving_units(kw)])


@colander.deferred
def _receiving_unit_validator(node, kw):
    return one_of(u for u, _n in _receiving_units(kw))


def transfer_reason_node() -> colander.SchemaNode:
    return colander.SchemaNode(colander.String(), title=_("lc_transfer_reason", default="Reason"),
                               preparer=strip, validator=text(min_length=3),
                               widget=deform.widget.TextAreaWidget(rows=3))


def transfer_concerns_node() -> colander.SchemaNode:
    """R20: the concerns that go along, as the family agrees."""
    return colander.SchemaNode(colander.Set(), title=_(
        "lc_transfer_concerns", default="Concerns that go along (none ticked: all)"),
        missing=(), widget=concern_widget, validator=concern_validator)


class TransferSchema(colander.MappingSchema):
    """R19-R21: to a named employee, or to the leader of the receiving unit; another
    municipality's employees and units are listed with its name."""

    kind = colander.SchemaNode(colander.String(), title=_("lc_transfer_kind", default="Kind"),
                               widget=deform.widget.RadioChoiceWidget(
                                   values=TRANSFER_KIND_CHOICES),
                               validator=one_of(k for k, _t in TRANSFER_KIND_CHOICES),
                               default=TransferKind.INTERNAL.value)
    to_employee_id = colander.SchemaNode(colander.String(), title=_(
        "lc_to_employee", default="Receiving employee"), missing="", widget=_receiver_widget,
        validator=_receiver_validator)
    to_unit_id = colander.SchemaNode(colander.String(), title=_(
        "lc_to_unit", default="Or the receiving unit (its leader names the holder)"),
        missing="", widget=_receiving_unit_widget, validator=_receiving_unit_validator)
    reason = transfer_reason_node()
    concern_ids = transfer_concerns_node()

    def validator(self, node, value) -> None:
        if not value["to_employee_id"] and not value["to_unit_id"]:
            error = colander.Invalid(node)
            error.add(colander.Invalid(node["to_employee_id"], message_for(
                DomainError("transfer_needs_receiver"))),
                node.children.index(node["to_employee_id"]))
            raise error


class DeclineSchema(colander.MappingSchema):
    reason = colander.SchemaNode(colander.String(), title=_("lc_decline_reason",
                                                            default="Why you decline"),
                                 preparer=strip, validator=text(min_length=3),
                                 widget=deform.widget.TextAreaWidget(rows=3))


def _new_holders(kw) -> list[tuple[str, str]]:
    transfer = kw["transfer"]
    unit = kw["municipality"].units.get(transfer.to_unit_id or "")
    return [(e.id, e.name) for e in unit.employees.values()
            if e.active and e.may_hold] if unit is not None else []


@colander.deferred
def _new_holder_widget(node, kw):
    return deform.widget.SelectWidget(values=[NONE_CHOICE, *_new_holders(kw)])


@colander.deferred
def _new_holder_validator(node, kw):
    return one_of((e for e, _n in _new_holders(kw)),
                  msg=_("lc_choose_employee", default="Choose an employee."))


class AcceptSchema(colander.MappingSchema):
    """A transfer addressed to a unit: its leader names the new holder (R19)."""

    new_holder_id = colander.SchemaNode(colander.String(), title=_(
        "lc_new_holder", default="New holder"), widget=_new_holder_widget,
        missing_msg=_("lc_choose_employee", default="Choose an employee."),
        validator=_new_holder_validator)


class ConfirmSchema(colander.MappingSchema):
    """No fields: the button is the confirmation (a transfer to a named employee)."""
