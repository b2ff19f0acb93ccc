"""stafett-restore CONFIG --from DIR [--until TIME] [--pg-data DIR] [--datafs PATH]: restore.

Writes the state of the backup set made by ``stafett-backup`` (as of its newest files, or of
the newest ones at or before ``--until``) into the places CONFIG names: the FileStorage with
``repozo -R`` (checked on the fly), the SQLite file by copying, a PostgreSQL database with
``pg_restore``; or, with ``--pg-data``, a new PostgreSQL data folder from the base backup
and archived WAL, which the server replays up to ``--until`` when it starts. It restores
into fresh places only: the FileStorage and SQLite files and the data folder must not exist,
a PostgreSQL database for ``pg_restore`` must exist and be empty (``createdb``). Afterwards run
``stafett-audit verify CONFIG``, and redo every deletion made after the restored time
(README, "Backups and restore").
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil

from pyramid.paster import get_appsettings
from ZODB.scripts import repozo

from . import pgwal
from .backup import SQL_DIR, STAMP, ZODB_DIR, Sources, run_pg, sources, sql_parts, stamp_of


def restore(found: Sources, folder: str, until: str | None = None,
            pg_data: str | None = None) -> list[str]:
    """Restore every part CONFIG names; return what was written. ``until``: a UTC stamp."""
    written = []
    for path in (found.datafs, found.sqlite):
        if path:
            _fresh(path)
    if pg_data:
        base = pgwal.restore(folder, pg_data, until)
        written.append(f"{pg_data} from {base}: start PostgreSQL on it to replay the WAL")
        found.dumps.clear()
    repository = os.path.join(folder, ZODB_DIR)
    if found.datafs:
        repozo.main(["-R", "-w", "-r", repository, "-o", found.datafs]
                    + (["-D", until] if until else []))
        written.append(found.datafs)
    parts = sql_parts(os.path.join(folder, SQL_DIR))
    if found.sqlite:
        source = _newest(folder, parts, "journal.sqlite", until)
        shutil.copyfile(source, found.sqlite)
        os.chmod(found.sqlite, 0o600)
        written.append(found.sqlite)
    for part, url in found.dumps.items():
        source = _newest(folder, parts, f"{part}.pgdump", until)
        run_pg("pg_restore", "--no-owner", "--exit-on-error", "-d", url, source)
        written.append(f"PostgreSQL database ({part})")
    return written


def _fresh(path: str) -> None:
    if os.path.exists(path):
        raise SystemExit(f"stafett-restore: {path} exists; restore into a fresh place")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)


def _newest(folder: str, parts: dict[str, list[str]], part: str, until: str | None) -> str:
    names = [name for name in parts.get(part, []) if until is None or stamp_of(name) <= until]
    if not names:
        raise SystemExit(f"stafett-restore: the backup set has no {part} part"
                         + (f" from before {until}" if until else ""))
    return os.path.join(folder, SQL_DIR, names[-1])


def utc_stamp(text: str) -> str:
    """ISO 8601 (``2026-12-05T13:00``, ``…+01:00``; UTC when no offset) as repozo's stamp."""
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).strftime(STAMP)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config_uri", help="the ini file of the installation to restore into")
    parser.add_argument("--from", dest="folder", required=True, metavar="DIR")
    parser.add_argument("--until", type=utc_stamp, metavar="TIME",
                        help="the state as of this time (ISO 8601, UTC unless an offset)")
    parser.add_argument("--pg-data", metavar="DIR",
                        help="PostgreSQL: a new data folder from the base backup and WAL")
    parser.add_argument("--datafs", metavar="PATH",
                        help="the FileStorage behind a ZEO server, on its machine")
    args = parser.parse_args(argv)
    found = sources(get_appsettings(args.config_uri), args.datafs)
    for place in restore(found, args.folder, args.until, args.pg_data):
        print(f"restored {place}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
