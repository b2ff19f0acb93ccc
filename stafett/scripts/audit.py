"""stafett-audit {seal,verify} CONFIG: seal the audit journals, or verify their hash chains.

Two journals: each municipality's journal of changes (transitions, staff, grants) in the
object database, and the installation's access journal (reads, logins, refused pages; see
``stafett/access_journal.py``). ``seal`` links every entry older than the grace period into
its chain.
``verify`` seals first, then checks every link: it prints each broken link (the first one
first) and exits with 1, or prints the head of each chain and exits with 0. Keep the printed
heads elsewhere: a chain rebuilt from scratch by someone with write access to the database
no longer ends in the head recorded before.
"""

from __future__ import annotations

import argparse
import sys

from pyramid.paster import get_appsettings

from ..access_journal import open_access_journal
from ..audit import GRACE_NS
from ..services.sealing import journal_slugs, municipality_journal, seal_access, seal_all
from . import open_db_unless_held

SHOWN = 20


def verify_access(access, out=sys.stdout) -> int:
    problems = list(access.verify())
    for problem in problems[:SHOWN]:
        print(f"access journal: BROKEN {problem.describe()}", file=out)
    if len(problems) > SHOWN:
        print(f"access journal: ... and {len(problems) - SHOWN} more", file=out)
    if not problems:
        sealed, head, _until = access.head()
        print(f"access journal: ok, {sealed} sealed entries, head {head}, "
              f"{access.unsealed()} waiting", file=out)
    return len(problems)


def verify_all(db, out=sys.stdout) -> int:
    """Print broken links per municipality; return how many were found."""
    broken = 0
    for slug in journal_slugs(db):
        with municipality_journal(db, slug, commit=False) as journal:
            tick = journal._p_jar.cacheGC
            problems = list(journal.verify(tick))
            for problem in problems[:SHOWN]:
                print(f"{slug}: BROKEN {problem.describe()}", file=out)
            if len(problems) > SHOWN:
                print(f"{slug}: ... and {len(problems) - SHOWN} more", file=out)
            if not problems:
                print(f"{slug}: ok, {journal.sealed} sealed entries, head {journal.head}, "
                      f"{journal.unsealed()} waiting", file=out)
            broken += len(problems)
    return broken


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("seal", "verify"))
    parser.add_argument("config_uri")
    parser.add_argument("--grace", type=float, default=GRACE_NS / 1e9,
                        help="seal only entries older than this many seconds (default 2)")
    args = parser.parse_args(argv)
    db = open_db_unless_held(args.config_uri, "the journals are sealed by it every night; "
                             "to seal them now, run stafett-daily with this configuration, "
                             "and to verify, stop the server or use ZEO")
    if db is None:
        return 2
    access = open_access_journal(get_appsettings(args.config_uri))
    grace_ns = int(args.grace * 1e9)
    try:
        for slug, count in seal_all(db, grace_ns).items():
            print(f"{slug}: sealed {count} entries")
        print(f"access journal: sealed {seal_access(access, grace_ns)} entries")
        if args.command == "verify":
            broken = verify_all(db) + verify_access(access)
            return 1 if broken else 0
        return 0
    finally:
        db.close()
        access.close()


if __name__ == "__main__":
    sys.exit(main())
