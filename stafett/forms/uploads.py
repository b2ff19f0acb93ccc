"""Where an upload waits between a form that failed validation and the next submit, so the
user does not pick the file again (R28): files in a folder every app process of the
machine shares (``stafett.upload_dir``), each bound to the session that sent it and removed
after an hour. Nothing is kept in a process's memory.

Deform's ``FileUploadWidget`` takes this as its ``tmpstore`` (a mapping of upload ids to
file dicts); the widget is bound per request (``upload_widget``).
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import tempfile
import time

import colander
import deform

from ..models.files import MAX_UPLOAD_BYTES

SETTING = "stafett.upload_dir"
KEPT_SECONDS = 3600
OWNER_KEY = "upload_owner"
SAFE_UID = re.compile(r"[A-Za-z0-9]{1,64}")


class SessionUploads:
    """The uploads of one browser session, as Deform's tmpstore."""

    def __init__(self, folder: str, owner: str):
        self.folder, self.owner = folder, owner

    @classmethod
    def for_request(cls, request) -> SessionUploads:
        folder = request.registry.settings.get(SETTING) or os.path.join(
            tempfile.gettempdir(), "stafett-uploads")
        os.makedirs(folder, mode=0o700, exist_ok=True)
        owner = request.session.get(OWNER_KEY)
        if owner is None:
            owner = request.session[OWNER_KEY] = secrets.token_hex(16)
        return cls(folder, owner)

    def _path(self, uid: str) -> str | None:
        return os.path.join(self.folder, f"{self.owner}-{uid}") if SAFE_UID.fullmatch(
            uid or "") else None

    def __setitem__(self, uid: str, value: dict) -> None:
        path = self._path(uid)
        fp = value.get("fp") if hasattr(value, "get") else None
        if path is None or fp is None:
            return
        if hasattr(fp, "seek"):
            fp.seek(0)
        data = fp.read(MAX_UPLOAD_BYTES + 1)
        meta = {k: value.get(k) for k in ("filename", "mimetype", "size", "uid")}
        with open(path + ".json", "w") as out:
            json.dump(meta, out)
        with open(path, "wb") as out:
            out.write(data)
        value["fp"] = io.BytesIO(data)
        self._forget_old()

    def get(self, uid: str, default=None):
        path = self._path(uid)
        if path is None or not os.path.exists(path):
            return default
        with open(path + ".json") as meta, open(path, "rb") as data:
            return dict(json.load(meta), fp=io.BytesIO(data.read()))

    def __getitem__(self, uid: str):
        found = self.get(uid)
        if found is None:
            raise KeyError(uid)
        return found

    def __contains__(self, uid: str) -> bool:
        path = self._path(uid)
        return path is not None and os.path.exists(path)

    def preview_url(self, uid):
        return None

    def put_bytes(self, name: str, data: bytes) -> str:
        """A file kept for this session under a new id (an import waiting for a decision,
        a receipt waiting for its download); old ones are forgotten as uploads are."""
        uid = name + secrets.token_hex(16)
        with open(self._path(uid), "wb") as out:
            out.write(data)
        self._forget_old()
        return uid

    def read_bytes(self, uid: str) -> bytes | None:
        path = self._path(uid)
        if path is None or not os.path.exists(path):
            return None
        with open(path, "rb") as f:
            return f.read()

    def discard(self, uid: str) -> None:
        path = self._path(uid)
        if path is not None and os.path.exists(path):
            os.remove(path)

    def _forget_old(self) -> None:
        cutoff = time.time() - KEPT_SECONDS
        for name in os.listdir(self.folder):
            path = os.path.join(self.folder, name)
            try:
                if os.path.getmtime(path) < cutoff:
                    os.remove(path)
            except FileNotFoundError:
                pass  # another process removed it first


@colander.deferred
def upload_widget(node, kw) -> deform.widget.FileUploadWidget:
    request = kw.get("request")  # a schema bound without one only reads values
    store = SessionUploads.for_request(request) if request is not None else {}
    return deform.widget.FileUploadWidget(store, accept="application/pdf")
