"""This installation's signing identity for exported logs (R23): an Ed25519 key made at
first use and kept in the app root, so every export and receipt from here carries the same
fingerprint a receiving leader can check."""

from __future__ import annotations

from persistent import Persistent

from .base import new_id, utcnow


class ExportIdentity(Persistent):
    """The raw private key bytes and an id naming this installation."""

    def __init__(self, private_key: bytes) -> None:
        self.private_key = private_key
        self.installation_id = new_id()
        self.created = utcnow()
