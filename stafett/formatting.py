"""Dates, times and numbers as a person reads them: in the user's language (Babel) and on
one clock. Everything is stored in UTC; everything shown is Europe/Oslo wall-clock time, in
pages, PDFs, CSV files and mail alike (R33)."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from numbers import Real

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal, format_percent

from .models.base import OSLO

BABEL_LOCALES = {"nb": "nb_NO", "nn": "nn_NO", "en": "en_GB"}
DEFAULT_LOCALE = "nb"


def oslo(value: dt.datetime | int) -> dt.datetime:
    """A stored moment on the Oslo clock: an aware datetime, or ns since the epoch (the
    journal's keys). A naive datetime is taken to be UTC, as everything stored is."""
    if isinstance(value, int):
        return dt.datetime.fromtimestamp(value / 1e9, OSLO)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(OSLO)


def iso(value: dt.datetime | int) -> str:
    """Oslo time as ISO 8601 with its offset, for CSV files a program reads back."""
    return oslo(value).isoformat(timespec="seconds")


class Formatter:
    """The formats of one language; ``None`` is shown as an empty string."""

    def __init__(self, locale_name: str):
        self.locale_name = locale_name if locale_name in BABEL_LOCALES else DEFAULT_LOCALE
        self.locale = Locale.parse(BABEL_LOCALES[self.locale_name])

    def date(self, value: dt.date | dt.datetime | int | None) -> str:
        """The day; a moment counts on the Oslo calendar (23:30 UTC may be tomorrow)."""
        if value is None:
            return ""
        if isinstance(value, (dt.datetime, int)):
            value = oslo(value).date()
        return format_date(value, "short", locale=self.locale)

    def datetime(self, value: dt.datetime | int | None) -> str:
        if value is None:
            return ""
        return format_datetime(oslo(value), "short", locale=self.locale)

    def time(self, value: dt.datetime | dt.time | int | None) -> str:
        """A moment's time on the Oslo clock; a ``dt.time`` is already a wall-clock time
        (a meeting's hour)."""
        if value is None:
            return ""
        if isinstance(value, dt.time):
            return format_time(value, "short", locale=self.locale)
        return format_time(oslo(value), "short", locale=self.locale)

    def number(self, value: Real | Decimal | None, digits: int | None = None,
               grouped: bool = True) -> str:
        """``digits`` fixes the decimals; ``grouped=False`` leaves out the thousands
        separator (a spreadsheet reads "1234,5" as a number, not "1 234,5")."""
        if value is None:
            return ""
        pattern = None if digits is None else "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, pattern, locale=self.locale, group_separator=grouped)

    def percent(self, value: Real | Decimal | None) -> str:
        """``value`` in percent: 0.6 is shown as "0,6 %" in Norwegian, "0.6%" in English."""
        if value is None:
            return ""
        return format_percent(Decimal(str(value)) / 100, locale=self.locale,
                              decimal_quantization=False)

    def value(self, value) -> object:
        """Any value a message interpolates: dates, moments and fractions formatted, the
        rest (text, whole numbers, translation strings) left as it is."""
        if isinstance(value, dt.datetime):
            return self.datetime(value)
        if isinstance(value, dt.date):
            return self.date(value)
        if isinstance(value, (float, Decimal)):
            return self.number(value)
        return value


@functools.cache
def formatter(locale_name: str = DEFAULT_LOCALE) -> Formatter:
    return Formatter(locale_name)
