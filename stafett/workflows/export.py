"""A log between installations (R20, R21, R23): the sender's export of a consented
transfer, the receiver's import, and the receipt that ends the transfer at the sender.

Until the receipt arrives the sender stays holder and nothing on the sender's log changes
(R21); an accepted receipt closes the log there, its closing copy the sending unit's archive
copy (R35); a declined one leaves it as it was.
"""

from __future__ import annotations

import hmac
import secrets

from BTrees.OOBTree import OOBTree

from ..models.base import DomainError, utcnow
from ..models.consent import Consent, ConsentForm, ConsentScope
from ..models.log import Log
from ..models.transfer import TransferKind
from ..security import SYSTEM
from ..services import export_package as ep
from ..services import import_package as ip
from ..services.import_package import Package
from .engine import actor_ref, create, fire

RECEIPTS_ATTR = "export_receipts"  # on the app root: transfer id -> (municipality, log)
CALLBACK_NAME = "export-receipt"


# -- the sender --------------------------------------------------------------------------
def receipts_index(root) -> OOBTree:
    found = getattr(root, RECEIPTS_ATTR, None)
    if found is None:
        found = OOBTree()
        setattr(root, RECEIPTS_ATTR, found)
    return found


def export_for_transfer(transfer, actor, *, public_url: str = "", locale_name: str = "nb"
                        ) -> bytes:
    """R20, R23: the file of a consented transfer to another installation, with only the
    chosen concerns; the receipt token is made at the first download and kept."""
    log = transfer.__parent__.__parent__
    if transfer.kind != TransferKind.INSTALLATION:
        raise DomainError("transfer_not_elsewhere", rule="R23")
    if transfer.state != "consented":
        raise DomainError("transfer_needs_consent", rule="R20")
    if transfer.receipt_token is None:
        transfer.receipt_token = secrets.token_urlsafe(32)
        root = log.municipality.__parent__
        receipts_index(root)[transfer.id] = (log.municipality.__name__, log.id)
    transfer.exported = utcnow()
    concern_ids = transfer.concern_ids or tuple(log.concerns.keys())
    callback = f"{public_url.rstrip('/')}/{CALLBACK_NAME}" if public_url else None
    return ep.build_package(log, concern_ids, purpose="transfer",
                            receiver=transfer.to_municipality, transfer_id=transfer.id,
                            callback=callback, receipt_token=transfer.receipt_token,
                            locale_name=locale_name)


def transfer_of_receipt(root, body: dict):
    """The open transfer a verified receipt answers, or None (unknown, or the wrong token)."""
    where = receipts_index(root).get(body.get("transfer_id") or "")
    if where is None:
        return None
    municipality = root.get(where[0])
    log = municipality.logs.get(where[1]) if municipality is not None else None
    transfer = log.transfers.get(body["transfer_id"]) if log is not None else None
    if transfer is None or transfer.receipt_token is None or not hmac.compare_digest(
            transfer.receipt_token.encode(), (body.get("receipt_token") or "").encode()):
        return None
    return transfer


def apply_receipt(transfer, body: dict, request=None) -> None:
    """R21: the receiver's answer. Accepted: the transfer is accepted and the log here goes
    passive, the sending unit keeping its copy; declined: the log stays as it was. A receipt
    for a transfer already decided changes nothing (the callback and the upload may both
    come)."""
    if transfer.state != "consented":
        return
    log = transfer.__parent__.__parent__
    note = body.get("fingerprint", "")
    if body["decision"] == "accepted":
        fire(transfer, "receipt_accepted", SYSTEM, reason="receipt", note=note,
             request=request)
        # The log stays here, closed: its closing copy is the sending unit's (R35).
        fire(log, "close", SYSTEM, reason="transferred_elsewhere", note=note,
             request=request)
    else:
        fire(transfer, "receipt_declined", SYSTEM, reason="declined",
             note=(body.get("reason") or "")[:2000], request=request)


# -- the receiver ------------------------------------------------------------------------
def import_log(municipality, package: Package, holder, actor, *,
               form: str = ConsentForm.DIGITAL, request=None) -> Log:
    """R10, R20, R23: the receiving leader or holder accepts; the family's consent to the
    move is recorded, and the log continues here with its history (new -> draft ->
    active; the family is told)."""
    log = ip.build_log(package, holder, actor_ref(actor))
    # The family consented at the sender (R20); the consent is part of the log as it
    # arrives, so it is stored with the log rather than given here by the receiver.
    consent = Consent(_transfer_parties(log), utcnow().date(), ConsentScope.CREATE,
                      form=form, unit_id=holder.unit_id, recorded_by=actor_ref(actor))
    consent.state = "given"
    log.consents.add(consent)
    create(municipality.logs, log, "create", actor, reason="imported", request=request)
    fire(log, "activate", SYSTEM, reason="imported", note=package.fingerprint,
         request=request)
    for consent in log.consents.values():
        municipality.index.index_consent(log.id, consent)
    for concern in log.concerns.values():
        for measure in concern.measures.values():
            municipality.index.index_measure(log.id, measure)
    return log


def _transfer_parties(log) -> list[str]:
    """Those who consented to the transfer at the sender (R20), else every guardian."""
    chosen = [c for c in log.consents.values() if c.scope == ConsentScope.TRANSFER
              and c.state == "given"]
    if chosen:
        return list(max(chosen, key=lambda c: c.date).given_by)
    parties = [g.id for g in log.guardians.values()]
    return parties or ["subject"]


