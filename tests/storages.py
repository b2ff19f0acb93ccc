"""The three storages the app runs on, for tests that must hold on each: an embedded
FileStorage, a ZEO server (Stafett's purgeable FileStorage behind it) on loopback, and
RelStorage on PostgreSQL (a database of its own in the session's server). Each gives the
app's ``zodbconn.uri`` and access journal, a way to open the database from the test, and
every byte it keeps on disk, so a test can search them for a deleted child (R17)."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import ZEO
from ZODB import DB, FileStorage
from zodburi import resolve_uri

KINDS = ("file", "zeo", "relstorage")
PURGEABLE = "%import stafett\n<purgeablefilestorage 1>\npath {path}\n</purgeablefilestorage>\n"


@dataclass
class StorageUnderTest:
    kind: str
    uri: str  # zodbconn.uri
    journal: str  # stafett.access_journal
    datafs: str  # where app_settings keeps the app's own files (mail, uploads, SQLite)
    folder: str  # the folder whose files hold the data
    dump: Callable[[], bytes] = field(repr=False)  # every byte of stored state
    database: str = ""  # RelStorage: the PostgreSQL database's name
    _postgres: object = field(default=None, repr=False)

    def settings(self) -> dict:
        return {"zodbconn.uri": self.uri, "stafett.access_journal": self.journal}

    def open_db(self) -> DB:
        """A database on the storage, from the test's side (FileStorage: when the app is
        closed)."""
        factory, dbkw = resolve_uri(self.uri)
        return DB(factory(), **dbkw)

    def ini(self, path, **extra) -> str:
        """An ini file for the console scripts and for served app processes."""
        lines = {"use": "egg:stafett", **self.settings(), **extra}
        path.write_text("[app:main]\n" + "".join(f"{k} = {v}\n" for k, v in lines.items()))
        return str(path)

    def records(self) -> Iterator[bytes]:
        """Every object state stored (the app and test databases closed for a file)."""
        if self.kind == "relstorage":
            for (state,) in self._postgres.sql(self.database,
                                               "SELECT state FROM object_state"):
                yield bytes(state)
            return
        path = os.path.join(self.folder, "Data.fs")
        storage = FileStorage.FileStorage(path, read_only=True)
        try:
            for txn in storage.iterator():
                yield from (record.data for record in txn if record.data)
        finally:
            storage.close()

    def files_holding(self, traces: list[bytes]) -> list[str]:
        """``name: trace`` for each file in ``folder`` that holds one of ``traces``."""
        found = []
        for dirpath, _dirs, names in os.walk(self.folder):
            for name in names:
                try:
                    data = open(os.path.join(dirpath, name), "rb").read()
                except FileNotFoundError:  # a file the server removed meanwhile
                    continue
                found += [f"{name}: {t.decode()}" for t in traces if t in data]
        return found


def _folder_bytes(folder: str) -> bytes:
    return b"".join(open(os.path.join(d, n), "rb").read()
                    for d, _dirs, names in os.walk(folder) for n in names)


@contextmanager
def storage_of(kind: str, tmp_path, datafs: str, request, demo: bool = True):
    """The storage of ``kind``: the FileStorage at ``datafs`` (a copy of the demo data or a
    new file), or a ZEO server or PostgreSQL database holding what it holds."""
    if kind == "file":
        yield file_storage(datafs)
    elif kind == "zeo":
        with zeo_storage(tmp_path, datafs if os.path.exists(datafs) else None) as storage:
            yield storage
    else:
        template = request.getfixturevalue("demo_relstorage") if demo else None
        with relstorage(tmp_path, request.getfixturevalue("postgres"), template) as storage:
            yield storage


def file_storage(datafs: str) -> StorageUnderTest:
    folder = os.path.dirname(datafs)
    return StorageUnderTest("file", f"file://{datafs}", f"sqlite://{folder}/access.sqlite",
                            datafs, folder, lambda: _folder_bytes(folder))


@contextmanager
def zeo_storage(tmp_path, source: str | None) -> Iterator[StorageUnderTest]:
    server_dir = tmp_path / "zeo"
    server_dir.mkdir()
    _copy(source, str(server_dir / "Data.fs"))
    address, stop = ZEO.server(storage_conf=PURGEABLE.format(path=server_dir / "Data.fs"),
                               port=("127.0.0.1", 0), threaded=True)
    try:
        yield StorageUnderTest(
            "zeo", f"zeo://{address[0]}:{address[1]}?connection_cache_size=1000",
            f"sqlite://{tmp_path}/access.sqlite", str(tmp_path / "Data.fs"),
            str(server_dir), lambda: _folder_bytes(str(server_dir)))
    finally:
        stop()


@contextmanager
def relstorage(tmp_path, postgres, template: str | None) -> Iterator[StorageUnderTest]:
    """A database of its own, made from ``template`` (the demo data) or empty."""
    name = "t" + uuid.uuid4().hex[:12]
    postgres.sql("postgres", f'CREATE DATABASE "{name}"'
                 + (f' TEMPLATE "{template}"' if template else ""))
    oid = postgres.sql("postgres", f"SELECT oid FROM pg_database WHERE datname = '{name}'")
    try:
        yield StorageUnderTest(
            "relstorage", postgres.relstorage_uri(name, connection_cache_size="1000"),
            postgres.url(name), str(tmp_path / "Data.fs"),
            os.path.join(postgres.data, "base", str(oid[0][0])),
            lambda: pg_dump(postgres, name), database=name, _postgres=postgres)
    finally:
        postgres.sql("postgres", f'DROP DATABASE "{name}" WITH (FORCE)')


def pg_dump(postgres, dbname: str) -> bytes:
    """The whole database as SQL text, bytea columns in hex: the raw bytes of every stored
    value, decoded, so a trace is found whether PostgreSQL compressed the value or not."""
    dump = subprocess.run([os.path.join(postgres.bin, "pg_dump"), "-h", postgres.folder,
                           "-p", str(postgres.port), "-U", "stafett", dbname],
                          capture_output=True, check=True, timeout=120).stdout
    return dump + b"\n" + _hex_values(dump)


def _hex_values(dump: bytes) -> bytes:
    """Every ``\\x…`` bytea value of a plain dump, decoded back into bytes."""
    import re

    return b"\n".join(bytes.fromhex(m.decode())
                      for m in re.findall(rb"\\\\x((?:[0-9a-f]{2})+)", dump))


def load_into_relstorage(postgres, name: str, source: str) -> None:
    """A database ``name`` holding what the FileStorage ``source`` holds (as zodbconvert)."""
    postgres.create_database(name)
    factory, _dbkw = resolve_uri(postgres.relstorage_uri(name))
    target = factory()
    origin = FileStorage.FileStorage(source, read_only=True)
    try:
        target.copyTransactionsFrom(origin)
    finally:
        origin.close()
        target.close()


def _copy(source: str | None, target: str) -> None:
    if source is None:
        return
    shutil.copy(source, target)
    if os.path.exists(source + ".index"):
        shutil.copy(source + ".index", target + ".index")
