"""Export of a log to another installation (R20, R21, R23): one zip file in a documented,
versioned format (docs/export-format.md, JSON Schemas in ``stafett/export_schema``).

Members, all at the top of the zip (no folders):

- ``manifest.json``: format and version, the sending installation (id, Ed25519 public key
  and its fingerprint), when, why (``purpose``), to whom, the transfer, where the receipt
  goes (callback URL and receipt token), and the sha256 of every other member;
- ``signature``: the Ed25519 signature over the bytes of ``manifest.json``;
- ``log.json``: the subject, guardians, consents, the history and the concerns the family
  chose with their goals, measures and evaluations, and the notes on them;
- ``concerns.pdf``: the chosen concerns as PDF/A, for a reader without Stafett;
- ``attachment-<note id>.pdf``: the PDFs attached to the notes that go along.

Only the chosen concerns go into the file (R20): what belongs to another concern (its
measures, notes, meetings about it only, its history) is left out, so it is not in the
file's bytes at all.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import hashlib
import io
import json
import zipfile

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from ..audit import reason_code
from ..models.base import utcnow
from ..models.export import ExportIdentity
from .receiver_pdf import receiver_pdf

FORMAT = "stafett-log-export"
VERSION = "1.0"
RECEIPT_FORMAT = "stafett-log-receipt"
PURPOSES = ("transfer", "individual_plan")
MANIFEST, SIGNATURE, LOG, PDF = "manifest.json", "signature", "log.json", "concerns.pdf"
IDENTITY_ATTR = "export_identity"


# -- this installation's key ---------------------------------------------------------------
def identity(root) -> ExportIdentity:
    """The installation's signing identity, made at first use and kept in the app root."""
    found = getattr(root, IDENTITY_ATTR, None)
    if found is None:
        raw = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
            serialization.NoEncryption())
        found = ExportIdentity(raw)
        setattr(root, IDENTITY_ATTR, found)
    return found


def private_key(ident: ExportIdentity) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(ident.private_key)


def public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public: bytes) -> str:
    """What a leader compares by eye or by phone: sha256 of the raw public key, in groups."""
    digest = hashlib.sha256(public).hexdigest()[:32].upper()
    return ":".join(digest[i:i + 4] for i in range(0, 32, 4))


def installation_fingerprint(root) -> str:
    return fingerprint(public_bytes(private_key(identity(root))))


def sign(root, data: bytes) -> bytes:
    return private_key(identity(root)).sign(data)


def signer_fields(root) -> dict:
    ident = identity(root)
    public = public_bytes(private_key(ident))
    return {"installation_id": ident.installation_id,
            "public_key": base64.b64encode(public).decode("ascii"),
            "fingerprint": fingerprint(public)}


# -- the content --------------------------------------------------------------------------
def _plain(value):
    """JSON for what the model holds: dates and times as ISO 8601, enums as their code."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _goal(goal) -> dict | None:
    if goal is None:
        return None
    return {"text": goal.text, "sub_goals": list(goal.sub_goals), "created": goal.created}


def _evaluation(evaluation) -> dict | None:
    if evaluation is None:
        return None
    return {"meeting_id": evaluation.meeting_id, "service_view": evaluation.service_view,
            "family_verdict": evaluation.family_verdict, "decision": evaluation.decision,
            "family_comment": evaluation.family_comment, "created": evaluation.created}


def _measure(measure) -> dict:
    return {"id": measure.id, "text": measure.text, "state": measure.state,
            "party": measure.party, "arena": measure.arena, "start": measure.start,
            "deadline": measure.deadline, "created": measure.created,
            "replaces": measure.replaces, "replaced_by": measure.replaced_by,
            "evaluation": _evaluation(measure.evaluation)}


def _concern(concern) -> dict:
    return {"id": concern.id, "text": concern.text, "category": concern.category,
            "maintaining_factors": concern.maintaining_factors or "",
            "created": concern.created, "closed": concern.closed,
            "goal": _goal(concern.goal),
            "former_goals": [_goal(g) for g in concern.former_goals],
            "measures": [_measure(m) for m in concern.measures.values()]}


def _excluded_ids(log, chosen: set[str]) -> set[str]:
    """Ids of everything that belongs to a concern not chosen: left out everywhere."""
    out: set[str] = set()
    for concern in log.concerns.values():
        if concern.id not in chosen:
            out.add(concern.id)
            out.update(m.id for m in concern.measures.values())
    return out


def _history(log, chosen, excluded: set[str]) -> list[dict]:
    """The log's history without what belongs to a concern left out. Free text (a reason
    in words, a note) goes along only on the chosen concerns' own measures: text written on
    the log as a whole may speak of any concern, so there only the reason's code goes."""
    own = {m.id for c in chosen for m in c.measures.values()}
    history = []
    for record in log.history.values():
        if record.get("object") in excluded:
            continue
        free = record.get("object") in own
        reason = record.get("reason") or ""
        history.append({"at": record.get("at"), "machine": record.get("machine"),
                        "trigger": record.get("trigger"), "source": record.get("source"),
                        "dest": record.get("dest"),
                        "reason": reason if free or reason_code(reason) == reason else "",
                        "note": (record.get("note") or "") if free else ""})
    return history


def log_content(log, concern_ids) -> dict:
    """``log.json`` as a dict (the schema is ``export_schema/log.schema.json``)."""
    chosen = [c for c in log.concerns.values() if c.id in set(concern_ids)]
    chosen_ids = {c.id for c in chosen}
    excluded = _excluded_ids(log, chosen_ids)
    subject = log.subject
    notes = [n for n in log.notes.values()
             if (n.concern_id in chosen_ids)
             or (n.concern_id is None and str(n.visibility) == "family")]
    meetings = []
    for meeting in log.meetings.values():
        about = set(meeting.concern_ids)
        whole = not (about & excluded)  # a meeting about a concern left out: date only
        meetings.append({"id": meeting.id, "date": meeting.date,
                         "agenda": meeting.agenda if whole else "",
                         "summary": meeting.summary if whole else "",
                         "concern_ids": sorted(about & chosen_ids)})
    history = _history(log, chosen, excluded)
    content = {
        "log": {"id": log.id, "state": log.state, "level": int(log.level),
                "created": log.created, "closed_at": log.closed_at,
                "guardians_live_together": log.guardians_live_together},
        "subject": {"name": subject.name, "fnr": subject.fnr, "kind": subject.kind},
        "guardians": [{"id": g.id, "name": g.name, "email": g.email, "phone": g.phone,
                       "lives_with_child": g.lives_with_child, "protected": g.protected,
                       "fnr": g.fnr} for g in log.guardians.values()],
        "consents": [{"id": c.id, "scope": c.scope, "state": c.state, "form": c.form,
                      "given_by": list(c.given_by), "date": c.date, "expires": c.expires,
                      "exception_reason": c.exception_reason}
                     for c in log.consents.values()],
        "history": history,
        "concerns": [_concern(c) for c in chosen],
        "meetings": meetings,
        "notes": [{"id": n.id, "text": n.text, "concern_id": n.concern_id,
                   "visibility": n.visibility, "created": n.created,
                   "attachment": f"attachment-{n.id}.pdf" if n.attachment is not None
                   else None} for n in notes],
    }
    return _plain(content)


def _attachments(log, content: dict) -> dict[str, bytes]:
    out = {}
    for note in content["notes"]:
        if note["attachment"]:
            stored = log.notes[note["id"]].attachment
            out[note["attachment"]] = bytes(stored.data)
    return out


def _dumps(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def build_package(log, concern_ids, *, purpose: str = "transfer", receiver: str = "",
                  transfer_id: str | None = None, callback: str | None = None,
                  receipt_token: str | None = None, locale_name: str = "nb",
                  pdf: bool = True) -> bytes:
    """The export file of ``log`` with only ``concern_ids`` in it (R20, R23), signed with this
    installation's key (made now at first use: the caller's transaction stores it)."""
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    unknown = set(concern_ids) - set(log.concerns.keys())
    if unknown:
        raise KeyError("unknown concern")
    root = log.municipality.__parent__
    content = log_content(log, concern_ids)
    members = {LOG: _dumps(content)}
    members.update(_attachments(log, content))
    if pdf:
        members[PDF] = receiver_pdf(log, concern_ids, purpose=purpose, receiver=receiver,
                                    locale_name=locale_name)
    manifest = {
        "format": FORMAT, "version": VERSION, "sender": signer_fields(root),
        "sender_municipality": log.municipality.name,
        "created": utcnow().isoformat(), "purpose": purpose, "receiver": receiver,
        "transfer_id": transfer_id, "callback": callback, "receipt_token": receipt_token,
        "members": {name: hashlib.sha256(data).hexdigest()
                    for name, data in sorted(members.items())},
    }
    manifest_bytes = _dumps(manifest)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive_zip:
        archive_zip.writestr(MANIFEST, manifest_bytes)
        archive_zip.writestr(SIGNATURE, sign(root, manifest_bytes))
        for name, data in sorted(members.items()):
            archive_zip.writestr(name, data)
    return buffer.getvalue()
