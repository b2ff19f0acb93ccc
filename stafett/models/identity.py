"""Fødselsnummer / D-number validation and the age derived from it (R1, R9)."""

from __future__ import annotations

import datetime as dt

from stdnum.exceptions import ValidationError
from stdnum.no import fodselsnummer

from .base import DomainError, today


def validate_fnr(value: str) -> str:
    """Return the compact 11 digits or raise DomainError naming the problem exactly (R1)."""
    try:
        return fodselsnummer.validate(value or "")
    except ValidationError as exc:
        raise DomainError(_FNR_MESSAGES.get(type(exc).__name__, "fnr_invalid"), rule="R1") from None


_FNR_MESSAGES = {
    "InvalidLength": "fnr_length",
    "InvalidFormat": "fnr_digits",
    "InvalidChecksum": "fnr_checksum",
    "InvalidComponent": "fnr_date",
}


def birth_date(fnr: str) -> dt.date:
    return fodselsnummer.get_birth_date(fnr)


def age_on(fnr: str, day: dt.date | None = None) -> int:
    day = day or today()
    born = birth_date(fnr)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
