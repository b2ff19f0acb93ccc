"""Validators shared by the forms (issue 8): every field refuses what it cannot hold with a
message naming the problem, and Deform re-renders the form with the text as typed. Text
refuses control characters (multi-line text keeps tab, line feed and carriage return) and
is bounded in length; choices must come from their list; dates and whole numbers must be
what they say, within sensible bounds. Hand-read form fields use ``posted_text``."""

from __future__ import annotations

import datetime as dt
import re

import colander

from ..i18n import _
from ..messages import message_for
from ..models.base import DomainError
from ..models.identity import validate_fnr

LINE_MAX = 200
TEXT_MAX = 2000
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
# C0 and C1 control characters and DEL; a multi-line text may hold tab, LF and CR.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAK = re.compile(r"[\t\n\r]")

NOT_A_CHOICE = _("input_not_a_choice", default="Choose one of the values in the list.")
NOT_CHOICES = _("input_not_choices", default="Tick only values from the list.")
BAD_DATE = _("input_bad_date", default="Write a valid date as YYYY-MM-DD, for example "
                                       "2025-03-31.")
NOT_A_NUMBER = _("input_not_a_number", default="Write a whole number, for example 25.")


def strip(value):
    """Preparer: leading and trailing white space is never meant."""
    return value.strip() if isinstance(value, str) else value


def control_character(value: str, multiline: bool = False) -> str | None:
    """The first control character a text may not hold, or None."""
    found = (CONTROL_IN_TEXT if multiline else CONTROL).search(value)
    return found.group() if found else None


def text_problem(value: str, max_length: int, *, min_length: int = 0, multiline: bool = False,
                 min_err=None):
    """What is wrong with a text, as a translatable message; None when nothing is.
    ``min_err`` names what a too short text lacks ("Give the reason")."""
    bad = control_character(value, multiline)
    if bad is not None:
        if LINE_BREAK.match(bad):
            return _("input_line_break", default="This field holds one line: remove the line "
                                                 "break or tab.")
        return _("input_control_character", default="The text contains a control character "
                 "(${code}) that cannot be stored. Remove it and save again.",
                 mapping={"code": f"U+{ord(bad):04X}"})
    if len(value) > max_length:
        return _("input_too_long", default="Write at most ${max} characters (now ${length}).",
                 mapping={"max": max_length, "length": len(value)})
    if len(value) < min_length:
        return min_err or _("input_too_short", default="Write at least ${min} characters.",
                            mapping={"min": min_length})
    return None


class Text:
    """A colander validator over ``text_problem``."""

    def __init__(self, max_length: int = TEXT_MAX, *, min_length: int = 0,
                 multiline: bool = True, min_err=None):
        self.limits = dict(max_length=max_length, min_length=min_length, multiline=multiline,
                           min_err=min_err)

    def __call__(self, node, value) -> None:
        problem = text_problem(value, **self.limits) if isinstance(value, str) else None
        if problem is not None:
            raise colander.Invalid(node, problem)


def line(max_length: int = LINE_MAX, **kw) -> Text:
    """One line of text: no tab or line break either."""
    return Text(max_length, multiline=False, **kw)


def text(max_length: int = TEXT_MAX, **kw) -> Text:
    return Text(max_length, multiline=True, **kw)


def one_of(values, msg=NOT_A_CHOICE) -> colander.OneOf:
    """A value from the list; the message never echoes what was sent."""
    return colander.OneOf(list(values), msg_err=msg)


def only(values, msg=NOT_CHOICES):
    """Every ticked value (a ``colander.Set``) from the list."""
    allowed = set(values)

    def validator(node, value) -> None:
        if not set(value) <= allowed:
            raise colander.Invalid(node, msg)

    return validator


def at_most(count: int):
    """A sequence (guardians) of at most ``count`` items."""
    return colander.Length(max=count, max_err=_("input_too_many", default="Add at most "
                                                "${max}.", mapping={"max": count}))


def deferred_one_of(choices_key: str, msg=NOT_A_CHOICE) -> colander.deferred:
    """``one_of`` the ids bound as ``choices_key`` ((id, label) pairs) by the view."""
    return colander.deferred(lambda node, kw: one_of(
        (value for value, _label in kw.get(choices_key, ())), msg))


def number_range(low: int, high: int) -> colander.Range:
    message = _("input_number_range", default="Give a number from ${min} to ${max}.",
                mapping={"min": low, "max": high})
    return colander.Range(min=low, max=high, min_err=message, max_err=message)


class Date(colander.Date):
    """A calendar date as YYYY-MM-DD between 1900 and 2199, with a message saying so."""

    err_template = BAD_DATE

    def deserialize(self, node, cstruct):
        if isinstance(cstruct, str) and control_character(cstruct):
            raise colander.Invalid(node, BAD_DATE)
        try:
            value = super().deserialize(node, cstruct)
        except colander.Invalid:
            raise colander.Invalid(node, BAD_DATE) from None
        if value is not colander.null and not FIRST_DATE <= value <= LAST_DATE:
            raise colander.Invalid(node, _("input_date_range",
                                           default="Give a date between 1900 and 2199."))
        return value


class WholeNumber(colander.Integer):
    """An integer, refused with a message that does not echo what was typed."""

    def deserialize(self, node, cstruct):
        try:
            return super().deserialize(node, cstruct)
        except colander.Invalid:
            raise colander.Invalid(node, NOT_A_NUMBER) from None


class Fodselsnummer(colander.String):
    """An 11-digit fødselsnummer or D-number, validated exactly (R1), stored compact."""

    def deserialize(self, node, cstruct):
        value = super().deserialize(node, cstruct)
        if value is colander.null:
            return value
        try:
            return validate_fnr(value)
        except DomainError as exc:
            raise colander.Invalid(node, message_for(exc)) from None


def posted_text(params, name: str, max_length: int = TEXT_MAX, multiline: bool = True) -> str:
    """A free-text field a view reads by hand, stripped; a DomainError naming the problem
    (shown like the view's other refusals) when it cannot be stored."""
    value = (params.get(name) or "").strip()
    problem = text_problem(value, max_length, multiline=multiline)
    if problem is not None:
        raise DomainError(str(problem), rule="input", **(problem.mapping or {}))
    return value
