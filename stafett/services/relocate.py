"""Hand a log over to its new holder, unit or municipality when a transfer is accepted."""

from __future__ import annotations

from ..models.transfer import TransferKind
from .copies import keep_with_sending_unit
from .purge import erase_concerns


def hand_over_log(log, transfer, new_holder) -> None:
    """R20, R21, R38: the chosen concerns go along (none chosen: all). Within the unit the
    others are closed; to another unit or municipality they do not go at all: they leave
    the log (the sending unit's archive copy keeps them)."""
    left = [c for c in log.concerns.values()
            if transfer.concern_ids and c.id not in transfer.concern_ids]
    if transfer.kind == TransferKind.INTERNAL:
        for concern in left:
            if concern.closed is None:
                concern.close()
    else:
        erase_concerns(log, [c.id for c in left])
        keep_with_sending_unit(log)  # R20: no archive copy goes along
    if transfer.kind == TransferKind.MUNICIPALITY:
        _move_to(log, new_holder.unit.municipality)
    log.holder_id = new_holder.id
    log.unit_id = new_holder.unit_id


def _move_to(log, target) -> None:
    source = log.municipality
    source.index.unindex(log)
    source.logs.remove(log.id)
    target.logs.add(log, log.id)
    for concern in log.concerns.values():
        for measure in concern.measures.values():
            target.index.index_measure(log.id, measure)
    for consent in log.consents.values():
        target.index.index_consent(log.id, consent)
