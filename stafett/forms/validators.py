"""Validators shared by the forms."""

from __future__ import annotations

import colander

from ..messages import message_for
from ..models.base import DomainError
from ..models.identity import validate_fnr


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
