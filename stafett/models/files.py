"""Stored files (PDF archives, scanned consent forms, note attachments).

Bytes live in their own persistent object, loaded only when the file is opened; packing
removes them with their owner.
"""

from __future__ import annotations

from persistent import Persistent

from .base import DomainError, utcnow

PDF_MAGIC = b"%PDF-"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class StoredFile(Persistent):
    def __init__(self, data: bytes, filename: str, content_type: str = "application/pdf"):
        self.data = data
        self.filename = filename
        self.content_type = content_type
        self.size = len(data)
        self.created = utcnow()


def pdf_upload(data: bytes, filename: str) -> StoredFile:
    """Accept a PDF by its content, not its name, and within the size limit (R10, R31)."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise DomainError("upload_too_large", rule="R10", limit=MAX_UPLOAD_BYTES // (1024 * 1024))
    if not data.startswith(PDF_MAGIC):
        raise DomainError("upload_not_pdf", rule="R10")
    return StoredFile(data, filename)
