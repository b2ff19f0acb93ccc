"""Import of an export file from another installation (R20, R21, R23), and the receipts
that travel back.

``read_package`` checks everything before anything is stored: the zip's limits (size,
number of members, unpacked size counted while reading, flat names only), the format and
its version, the Ed25519 signature over ``manifest.json``, the sha256 of every member, the
JSON Schema of both JSON files and that every date parses. Any failure raises
``PackageRefused`` with a translatable message id; the caller answers 400 and stores
nothing. ``import_log`` then creates the log (new -> draft -> active) with its history and
content, in the caller's transaction.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from functools import cache

import jsonschema
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..models.base import DomainError, utcnow
from ..models.concern import Concern, Evaluation, Goal, Measure
from ..models.consent import Consent
from ..models.log import Guardian, Log, Subject
from ..models.notes import LogNote, Meeting
from . import export_package as ep

MB = 1024 * 1024
MAX_FILE_BYTES = 60 * MB
MAX_MEMBERS = 500
MAX_UNPACKED_BYTES = 200 * MB
MAX_JSON_BYTES = 20 * MB
MAX_RECEIPT_BYTES = 64 * 1024
SCHEMA_DIR = os.path.join(os.path.dirname(__file__), "..", "export_schema")


class PackageRefused(DomainError):
    """The file was refused; ``msg`` says why, in words a leader understands."""

    def __init__(self, msg: str, **mapping):
        super().__init__(msg, rule="R23", **mapping)


@dataclass
class Package:
    manifest: dict
    content: dict
    members: dict[str, bytes] = field(repr=False)
    fingerprint: str = ""
    trusted: bool = False

    @property
    def concerns(self) -> list[dict]:
        return self.content["concerns"]


@cache
def schema(name: str) -> dict:
    with open(os.path.join(SCHEMA_DIR, f"{name}.schema.json"), encoding="utf-8") as f:
        return json.load(f)


def trusted_fingerprints(settings) -> set[str]:
    """``stafett.trusted_exporters``: fingerprints, separated by commas or new lines."""
    raw = (settings or {}).get("stafett.trusted_exporters", "") or ""
    return {part.strip().upper() for part in raw.replace(",", "\n").splitlines()
            if part.strip()}


# -- reading and checking --------------------------------------------------------------------
def _safe_name(name: str) -> bool:
    return (bool(name) and len(name) <= 100 and "/" not in name and "\\" not in name
            and ".." not in name and not name.startswith(".") and ":" not in name
            and name.isprintable())


def _unzip(data: bytes) -> dict[str, bytes]:
    if len(data) > MAX_FILE_BYTES:
        raise PackageRefused("export_file_too_large", limit=MAX_FILE_BYTES // MB)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise PackageRefused("export_file_not_zip") from None
    if len(infos) > MAX_MEMBERS:
        raise PackageRefused("export_file_too_many_members")
    members: dict[str, bytes] = {}
    total = 0
    for info in infos:
        if not _safe_name(info.filename) or info.is_dir() or info.filename in members:
            raise PackageRefused("export_file_bad_name")
        if info.flag_bits & 0x1:
            raise PackageRefused("export_file_not_zip")
        total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            raise PackageRefused("export_file_unpacked_too_large")
        members[info.filename] = _read_bounded(archive, info, MAX_UNPACKED_BYTES - total
                                               + info.file_size)
    return members


def _read_bounded(archive: zipfile.ZipFile, info, limit: int) -> bytes:
    """Read a member counting what really comes out, whatever its header claims."""
    out = bytearray()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(MB):
                out += chunk
                if len(out) > limit or len(out) > info.file_size:
                    raise PackageRefused("export_file_unpacked_too_large")
    except PackageRefused:
        raise
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError,
            RuntimeError):
        raise PackageRefused("export_file_not_zip") from None
    return bytes(out)


def _json(data: bytes, name: str) -> dict:
    if len(data) > MAX_JSON_BYTES:
        raise PackageRefused("export_file_unpacked_too_large")
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise PackageRefused("export_file_bad_content", member=name) from None
    if not isinstance(value, dict):
        raise PackageRefused("export_file_bad_content", member=name)
    return value


def _validate(value: dict, schema_name: str, member: str) -> None:
    try:
        jsonschema.validate(value, schema(schema_name))
    except jsonschema.ValidationError:
        raise PackageRefused("export_file_bad_content", member=member) from None


def _public_key(text: str) -> Ed25519PublicKey:
    try:
        raw = base64.b64decode(text, validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise PackageRefused("export_file_bad_signature") from None


def read_package(data: bytes, trusted=()) -> Package:
    """The checked content of an export file, or ``PackageRefused``."""
    members = _unzip(data)
    if ep.MANIFEST not in members or ep.SIGNATURE not in members:
        raise PackageRefused("export_file_bad_format")
    manifest_bytes = members.pop(ep.MANIFEST)
    signature = members.pop(ep.SIGNATURE)
    manifest = _json(manifest_bytes, ep.MANIFEST)
    if manifest.get("format") != ep.FORMAT:
        raise PackageRefused("export_file_bad_format")
    version = str(manifest.get("version", ""))
    if version.split(".")[0] != ep.VERSION.split(".")[0]:
        raise PackageRefused("export_file_bad_version", version=version[:20])
    _validate(manifest, "manifest", ep.MANIFEST)
    public = _public_key(manifest["sender"]["public_key"])
    try:
        public.verify(signature, manifest_bytes)
    except InvalidSignature:
        raise PackageRefused("export_file_bad_signature") from None
    fingerprint = ep.fingerprint(ep.public_bytes(public))
    if manifest["sender"]["fingerprint"] != fingerprint:
        raise PackageRefused("export_file_bad_signature")
    digests = manifest["members"]
    if set(digests) != set(members):
        raise PackageRefused("export_file_digest_mismatch")
    for name, data_ in members.items():
        if hashlib.sha256(data_).hexdigest() != digests[name]:
            raise PackageRefused("export_file_digest_mismatch")
    content = _json(members[ep.LOG], ep.LOG)
    _validate(content, "log", ep.LOG)
    _check_dates(manifest, content)
    for note in content["notes"]:
        if note.get("attachment") and note["attachment"] not in members:
            raise PackageRefused("export_file_digest_mismatch")
    return Package(manifest, content, members, fingerprint,
                   fingerprint in {t.upper() for t in trusted})


DATE_KEYS = {"date", "expires", "start", "deadline"}
DATETIME_KEYS = {"created", "closed", "closed_at", "at"}


def _check_dates(manifest: dict, content: dict) -> None:
    try:
        _aware(dt.datetime.fromisoformat(manifest["created"]))
        _walk_dates(content)
    except (ValueError, TypeError):
        raise PackageRefused("export_file_bad_date") from None


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError("naive")
    return value


def _walk_dates(value) -> None:
    if isinstance(value, list):
        for item in value:
            _walk_dates(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and key in DATE_KEYS:
                dt.date.fromisoformat(item)
            elif isinstance(item, str) and key in DATETIME_KEYS:
                _aware(dt.datetime.fromisoformat(item))
            else:
                _walk_dates(item)


def _date(text):
    return dt.date.fromisoformat(text) if text else None


def _time(text):
    return dt.datetime.fromisoformat(text) if text else None


# -- creating the log ------------------------------------------------------------------------
def _goal(data: dict | None):
    if not data:
        return None
    goal = Goal(data["text"], data.get("sub_goals", ()))
    goal.created = _time(data["created"])
    return goal


def _measure(data: dict, holder_id: str) -> Measure:
    # An actor of the sending installation is nobody here: the new holder answers for the
    # measure until it is given to someone (R25 keeps exactly one responsible party).
    actor = holder_id if data["party"] == "actor" else None
    measure = Measure(data["text"], data["party"], data["arena"], _date(data["start"]),
                      _date(data["deadline"]), actor)
    measure.state = data["state"]
    measure.created = _time(data["created"])
    measure.replaces, measure.replaced_by = data.get("replaces"), data.get("replaced_by")
    if data.get("evaluation"):
        e = data["evaluation"]
        evaluation = Evaluation(e["meeting_id"], e["service_view"], e["family_verdict"],
                                e["decision"], e.get("family_comment", ""))
        evaluation.created = _time(e["created"])
        measure.evaluation = evaluation
    return measure


def _concern(data: dict, holder_id: str) -> Concern:
    concern = Concern(data["text"], data["category"])
    concern.maintaining_factors = data.get("maintaining_factors", "")
    concern.created = _time(data["created"])
    concern.closed = _time(data.get("closed"))
    concern.former_goals = tuple(_goal(g) for g in data.get("former_goals", ()))
    if data.get("goal"):
        concern.goal = None
        concern.set_goal(_goal(data["goal"]))
    for m in data["measures"]:
        concern.measures.add(_measure(m, holder_id), m["id"])
    return concern


HISTORY_FIELDS = ("machine", "trigger", "source", "dest", "reason", "note")


def build_log(package: Package, holder, actor_id: str) -> Log:
    """The log as the file holds it, not yet stored (state ``new``); what the schema lets
    through but the model refuses (an id twice, an unknown code) refuses the file."""
    try:
        return _build_log(package, holder, actor_id)
    except (KeyError, ValueError, TypeError):
        raise PackageRefused("export_file_bad_content", member=ep.LOG) from None


def _build_log(package: Package, holder, actor_id: str) -> Log:
    from ..models.files import pdf_upload

    content = package.content
    s = content["subject"]
    head = content["log"]
    log = Log(Subject(s["name"], s["fnr"], s["kind"]), holder.id, holder.unit_id,
              head.get("level", 1))
    log.guardians_live_together = head.get("guardians_live_together", True)
    for g in content["guardians"]:
        log.guardians.add(Guardian(g["name"], g.get("email", ""), g.get("phone", ""),
                                   lives_with_child=g.get("lives_with_child", True),
                                   protected=g.get("protected", False), fnr=g.get("fnr")),
                          g["id"])
    for c in content["consents"]:
        consent = Consent(c["given_by"], _date(c["date"]), c["scope"], form=c["form"],
                          expires=_date(c.get("expires")),
                          exception_reason=c.get("exception_reason", ""))
        consent.state = c["state"]
        log.consents.add(consent, c["id"])
    for c in content["concerns"]:
        log.concerns.add(_concern(c, holder.id), c["id"])
    for m in content["meetings"]:
        log.meetings.add(Meeting(_date(m["date"]), m.get("agenda", ""),
                                 summary=m.get("summary", ""),
                                 concern_ids=m.get("concern_ids", ())), m["id"])
    for n in content["notes"]:
        note = LogNote(n["text"], actor_id, n.get("concern_id"), n.get("visibility", "family"))
        note.created = _time(n["created"])
        if n.get("attachment"):
            note.attachment = pdf_upload(package.members[n["attachment"]], n["attachment"])
        log.notes.add(note, n["id"])
    for record in content["history"]:
        log.add_history({**{k: record.get(k) for k in HISTORY_FIELDS},
                         "at": _time(record["at"])})
    return log


# -- receipts ----------------------------------------------------------------------------
def _canonical(value: dict) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def build_receipt(root, manifest: dict, decision: str, reason: str = "") -> bytes:
    """A signed answer to the sender: ``accepted`` or ``declined`` (R21)."""
    if decision not in ("accepted", "declined"):
        raise ValueError(decision)
    body = {"format": ep.RECEIPT_FORMAT, "version": ep.VERSION,
            "transfer_id": manifest.get("transfer_id"),
            "receipt_token": manifest.get("receipt_token"),
            "decision": decision, "reason": reason, "at": utcnow().isoformat(),
            "receiver": ep.signer_fields(root)}
    signature = base64.b64encode(ep.sign(root, _canonical(body))).decode("ascii")
    return _canonical({"receipt": body, "signature": signature})


def read_receipt(data: bytes) -> dict:
    """The verified body of a receipt, or ``PackageRefused``."""
    if len(data) > MAX_RECEIPT_BYTES:
        raise PackageRefused("export_receipt_bad")
    try:
        outer = json.loads(data.decode("utf-8"))
        body, signature = outer["receipt"], base64.b64decode(outer["signature"], validate=True)
        if body.get("format") != ep.RECEIPT_FORMAT or body.get("decision") not in (
                "accepted", "declined"):
            raise ValueError("format")
        if not all(isinstance(body.get(k), str) for k in ("receipt_token", "transfer_id")):
            raise ValueError("token")
        public = Ed25519PublicKey.from_public_bytes(
            base64.b64decode(body["receiver"]["public_key"], validate=True))
        public.verify(signature, _canonical(body))
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError,
            binascii.Error, InvalidSignature, RecursionError):
        raise PackageRefused("export_receipt_bad") from None
    body["fingerprint"] = ep.fingerprint(ep.public_bytes(public))
    return body

