"""How a Noark 5 package reaches the municipal archive: a drop folder by default, which the
archive system imports from (``stafett.archive.transport = folder``,
``stafett.archive.folder``).

A package is written under a temporary name beginning with a dot, flushed to disk, then
renamed to its final name in the same folder: an importer never sees half a file. Failures
raise ``TransportError`` with a code; its text never holds anything about a child.
"""

from __future__ import annotations

import os
import tempfile
import weakref

FOLDER = "folder"


class TransportError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class FolderTransport:
    """Packages dropped into a folder with an atomic rename."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def deliver(self, filename: str, data: bytes) -> str:
        if not os.path.isdir(self.folder):
            raise TransportError("archive_folder_missing")
        if not os.access(self.folder, os.W_OK | os.X_OK):
            raise TransportError("archive_folder_not_writable")
        target = os.path.join(self.folder, os.path.basename(filename))
        try:
            handle, temporary = tempfile.mkstemp(prefix=".incoming-", suffix=".part",
                                                 dir=self.folder)
        except PermissionError:
            raise TransportError("archive_folder_not_writable") from None
        except OSError:
            raise TransportError("archive_write_failed") from None
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o640)
            os.replace(temporary, target)
            _fsync_folder(self.folder)
        except OSError:
            if os.path.exists(temporary):
                os.remove(temporary)
            raise TransportError("archive_write_failed") from None
        return target


class NoTransport:
    """``stafett.archive.transport = off``: copies stay in the outbox."""

    def deliver(self, filename: str, data: bytes) -> str:
        raise TransportError("archive_transport_off")


def _fsync_folder(folder: str) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def transport_from_settings(settings: dict):
    kind = settings.get("stafett.archive.transport", FOLDER)
    if kind == FOLDER:
        folder = settings.get("stafett.archive.folder") or os.path.join(os.getcwd(), "var",
                                                                        "archive-out")
        return FolderTransport(folder)
    if kind == "off":
        return NoTransport()
    return UnknownTransport()


class UnknownTransport:
    def deliver(self, filename: str, data: bytes) -> str:
        raise TransportError("archive_transport_unknown")


# The transport of each open database, for the worker delivering after a commit (it has the
# database, not the settings).
_BY_DATABASE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def register(db, transport) -> None:
    _BY_DATABASE[db] = transport


def for_database(db):
    return _BY_DATABASE.get(db)


def includeme(config) -> None:
    transport = transport_from_settings(config.get_settings())
    config.registry.archive_transport = transport
    for db in getattr(config.registry, "_zodb_databases", {}).values():
        register(db, transport)
