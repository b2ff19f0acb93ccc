"""stafett-deletions-to-redo CONFIG --reference OLD_CONFIG: after a restore, the deleted logs
that came back (R17).

A restore to a time before a deletion brings the deleted child back. Each deletion leaves a
tombstone (log id, unit, time, who, reason code; nothing about the child) in its
municipality, so a database from after the deletion knows it: the installation as it was
before the restore, or the newest backup restored into a scratch place. This prints each log
that is in CONFIG's database and has a tombstone in OLD_CONFIG's, and exits with 1 when there
is any: delete those logs again (a superuser, on the log's page) before the installation is
opened to users.
"""

from __future__ import annotations

import argparse

from . import app_root_of, open_db


def tombstones(db) -> dict[tuple[str, str], tuple]:
    """``(municipality, log id) -> (deleted, deleted_by, reason)`` for every deleted log."""
    with app_root_of(db) as root:
        return {(slug, log_id): (stone.deleted, stone.deleted_by, stone.reason)
                for slug, municipality in root.items()
                for log_id, stone in getattr(municipality, "tombstones", {}).items()}


def to_redo(db, gone: dict[tuple[str, str], tuple]) -> list[tuple[str, str, tuple]]:
    """The logs in ``db`` that ``gone`` says were deleted, in the order of their deletion."""
    with app_root_of(db) as root:
        back = [(slug, log_id, info) for (slug, log_id), info in gone.items()
                if slug in root and log_id in getattr(root[slug], "logs", ())]
    return sorted(back, key=lambda found: found[2][0])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config_uri", help="the restored installation")
    parser.add_argument("--reference", required=True, metavar="OLD_CONFIG",
                        help="an installation from after the deletions (read only)")
    args = parser.parse_args(argv)
    reference = open_db(args.reference)
    try:
        gone = tombstones(reference)
    finally:
        reference.close()
    restored = open_db(args.config_uri)
    try:
        back = to_redo(restored, gone)
    finally:
        restored.close()
    for slug, log_id, (deleted, deleted_by, reason) in back:
        print(f"{slug}/logs/{log_id}: deleted {deleted:%Y-%m-%d %H:%M} UTC by {deleted_by} "
              f"({reason}); delete it again")
    print(f"{len(back)} deleted logs came back with the restore")
    return 1 if back else 0


if __name__ == "__main__":
    raise SystemExit(main())
