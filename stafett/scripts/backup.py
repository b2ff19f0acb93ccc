"""stafett-backup CONFIG --to DIR [--keep-days N] [--pg-wal] [--datafs PATH]: one backup run.

A backup set is a folder with two parts, each made by the storage's own tools:

- ``zodb/``: the object database. A FileStorage (``file://`` in CONFIG, or ``--datafs`` on
  the ZEO server's machine) goes through ZODB's ``repozo``: a full backup first, then an
  incremental one per run, gzipped; a pack makes ``repozo`` start over with a full one.
  RelStorage on PostgreSQL goes to ``sql/objects-<time>.pgdump`` (``pg_dump -Fc``, a full
  dump per run).
- ``sql/``: the access journal's SQL store (the journal, login sessions, visits, notice
  failures): SQLite through its online backup API (``journal-<time>.sqlite``), PostgreSQL
  through ``pg_dump -Fc`` (``journal-<time>.pgdump``; nothing more when it is RelStorage's
  own database, which ``objects-`` already holds).
- ``pg/`` with ``--pg-wal``, instead of the dumps: PostgreSQL's base backups and the WAL the
  server archives between them, for restores to any moment (``pgwal``).

Both read a live installation: run it beside the servers. ``--keep-days N`` then removes
what is older than N days, but never the newest full backup nor anything a kept incremental
needs. Times in file names are UTC, as ``repozo`` writes them. ``stafett-restore`` reads
the set back.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from pyramid.paster import get_appsettings
from ZODB.scripts import repozo

from ..access_journal import SETTING, default_uri
from . import pgwal

STAMP = "%Y-%m-%d-%H-%M-%S"  # repozo's own
ZODB_DIR, SQL_DIR = "zodb", "sql"
FULL_EXTENSIONS = (".fs", ".fsz")


@dataclass
class Sources:
    """What one installation's backup holds, read from its ini file."""

    datafs: str | None = None  # a FileStorage for repozo
    sqlite: str | None = None  # the access journal's SQLite file
    dumps: dict[str, str] = field(default_factory=dict)  # part name -> libpq URL


def sources(settings: dict, datafs: str | None = None) -> Sources:
    found = Sources(datafs=datafs)
    uri = settings["zodbconn.uri"]
    zodb = urlsplit(uri)
    if any(key.startswith("blobstorage") for key, _ in parse_qsl(zodb.query)):
        # Stafett keeps files as ordinary persistent objects (models/files.py), not blobs.
        raise SystemExit("stafett-backup: a blob directory is not backed up; Stafett uses none")
    if zodb.scheme == "file":
        found.datafs = found.datafs or unquote(zodb.path)
    elif zodb.scheme == "postgres":
        found.dumps["objects"] = _bare(uri)
    elif not found.datafs:
        raise SystemExit(f"stafett-backup: {zodb.scheme}:// storage: run this on the storage "
                         "server's machine with --datafs /path/to/Data.fs")
    journal = settings.get(SETTING) or default_uri(settings)
    if journal.startswith("sqlite:"):
        found.sqlite = unquote(urlsplit(journal).path)
    elif _bare(journal) != found.dumps.get("objects"):
        found.dumps["journal"] = journal
    return found


def _bare(uri: str) -> str:
    """A PostgreSQL address without RelStorage's options, which libpq would refuse."""
    return "postgresql:" + uri.split(":", 1)[1].split("?", 1)[0]


# -- one run ---------------------------------------------------------------------------------
def backup(found: Sources, folder: str, pg_wal: bool = False,
           full_days: float = 7) -> list[str]:
    """Back up every part; return the names of the files written. ``pg_wal``: PostgreSQL by
    base backups and its archived WAL (``pgwal``) instead of a dump per run."""
    for part in (ZODB_DIR, SQL_DIR):
        os.makedirs(os.path.join(folder, part), mode=0o700, exist_ok=True)
    stamp = _next_stamp(folder)
    before = _listing(folder)
    if found.datafs:
        repozo.main(["-B", "-z", "-r", os.path.join(folder, ZODB_DIR), "-f", found.datafs])
    if found.sqlite:
        _copy_sqlite(found.sqlite, os.path.join(folder, SQL_DIR, f"journal-{stamp}.sqlite"))
    if pg_wal and found.dumps:  # one cluster holds every database
        done = pgwal.run(folder, next(iter(found.dumps.values())), stamp, full_days, run_pg)
        return sorted((_listing(folder) - before) | {done})
    for part, url in found.dumps.items():
        target = os.path.join(folder, SQL_DIR, f"{part}-{stamp}.pgdump")
        run_pg("pg_dump", "-Fc", "-f", target, url)
    return sorted(_listing(folder) - before)


def _next_stamp(folder: str) -> str:
    """A stamp later than every file's: repozo names files by the second, and a full and an
    incremental backup in the same second would sort the wrong way round."""
    newest = max((stamp_of(name) for name in _listing(folder)), default="")
    while (stamp := time.strftime(STAMP, time.gmtime())) <= newest:
        time.sleep(0.1)
    return stamp


def _listing(folder: str) -> set[str]:
    return {os.path.relpath(path, folder) for part in (ZODB_DIR, SQL_DIR, pgwal.PG_DIR)
            for path in glob.glob(os.path.join(folder, part, "*"))
            if "-" in os.path.basename(path)}


def stamp_of(name: str) -> str:
    base = os.path.basename(name).split(".")[0]
    return base.split("-", 1)[1] if base[0].isalpha() else base


def _copy_sqlite(path: str, target: str) -> None:
    """SQLite's online backup: a consistent copy while the app processes write."""
    try:
        source = sqlite3.connect(f"file:{quote(path)}?mode=rw", uri=True, timeout=30)
    except sqlite3.OperationalError as error:
        raise SystemExit(f"stafett-backup: the access journal {path}: {error}") from None
    try:
        fd = os.open(target + ".part", os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        os.close(fd)
        copy = sqlite3.connect(target + ".part")
        try:
            source.backup(copy)
        finally:
            copy.close()
    finally:
        source.close()
    os.replace(target + ".part", target)


def run_pg(program: str, *args: str) -> str:
    """A PostgreSQL client program; its output."""
    return pgwal.program_output([pg_program(program), *args])


def pg_program(name: str) -> str:
    """On PATH, else the newest of Debian's server packages (no client wrapper needed)."""
    found = shutil.which(name) or sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise SystemExit(f"{name} not found: install PostgreSQL's client programs")
    return found if isinstance(found, str) else found[-1]


# -- retention -------------------------------------------------------------------------------
def prune(folder: str, keep_days: float, now: float | None = None) -> list[str]:
    """Remove what is older than ``keep_days``; return the names removed. A repozo chain (a
    full backup and its incrementals) goes as a whole once its newest file is too old, the
    newest chain never; of the SQL files, the newest of each part stays."""
    cutoff = time.strftime(STAMP, time.gmtime((now or time.time()) - keep_days * 86400))
    removed = _prune_zodb(os.path.join(folder, ZODB_DIR), cutoff)
    removed += _prune_sql(os.path.join(folder, SQL_DIR), cutoff)
    return removed + pgwal.prune(folder, cutoff, run_pg)


def _prune_zodb(repository: str, cutoff: str) -> list[str]:
    if not os.path.isdir(repository):
        return []
    chains: list[list[str]] = []
    for name in sorted(filter(repozo.is_data_file, os.listdir(repository))):
        if name.endswith(FULL_EXTENSIONS) or not chains:
            chains.append([])
        chains[-1].append(name)
    removed = []
    for chain in chains[:-1]:
        if stamp_of(chain[-1]) < cutoff:
            for name in chain:
                root = os.path.splitext(name)[0]
                for each in (name, root + ".dat", root + ".index"):
                    if os.path.exists(os.path.join(repository, each)):
                        os.remove(os.path.join(repository, each))
                        removed.append(os.path.join(ZODB_DIR, each))
    return removed


def _prune_sql(folder: str, cutoff: str) -> list[str]:
    if not os.path.isdir(folder):
        return []
    removed = []
    for names in sql_parts(folder).values():
        for name in names[:-1]:
            if stamp_of(name) < cutoff:
                os.remove(os.path.join(folder, name))
                removed.append(os.path.join(SQL_DIR, name))
    return removed


def sql_parts(folder: str) -> dict[str, list[str]]:
    """``{"journal.sqlite": [oldest, ..., newest], "objects.pgdump": [...]}``."""
    parts: dict[str, list[str]] = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith((".sqlite", ".pgdump")):
            part = name.split("-", 1)[0] + os.path.splitext(name)[1]
            parts.setdefault(part, []).append(name)
    return parts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config_uri")
    parser.add_argument("--to", required=True, metavar="DIR", help="the backup set's folder")
    parser.add_argument("--keep-days", type=float, metavar="N",
                        help="then remove backups older than N days (see README, R17)")
    parser.add_argument("--pg-wal", action="store_true",
                        help="PostgreSQL: base backups and the archived WAL, not dumps")
    parser.add_argument("--full-days", type=float, default=7, metavar="N",
                        help="with --pg-wal: a new base backup when the newest is N days old")
    parser.add_argument("--datafs", metavar="PATH",
                        help="the FileStorage behind a ZEO server, on its machine")
    args = parser.parse_args(argv)
    found = sources(get_appsettings(args.config_uri), args.datafs)
    for name in backup(found, args.to, args.pg_wal, args.full_days):
        print(f"wrote {name}")
    if args.keep_days is not None:
        for name in prune(args.to, args.keep_days):
            print(f"removed {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
