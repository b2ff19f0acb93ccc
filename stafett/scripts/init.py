"""stafett-init [--dry-run] CONFIG: create the app root and run the pending evolve steps.

Before it changes anything it prints the database's generation and each pending step
(number, name, what it does). With ``--dry-run`` it prints the same and changes nothing.
The steps run in one transaction: a step that fails leaves the database as it was.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from typing import TextIO

import transaction

from ..storage import EVOLVE_STEPS, ROOT_KEY, app_root, evolve
from . import open_db


def describe(step) -> str:
    """A step's docstring's first paragraph on one line (docstrings name no person)."""
    paragraph = inspect.cleandoc(step.__doc__ or "").split("\n\n")[0]
    return " ".join(paragraph.split())


def report_pending(root, created: bool, out: TextIO) -> None:
    if created:
        print(f"no app root yet: one is made at generation {len(EVOLVE_STEPS)}", file=out)
        return
    print(f"database at generation {root.generation}, this version needs "
          f"{len(EVOLVE_STEPS)}", file=out)
    if root.generation >= len(EVOLVE_STEPS):
        print("no evolve steps pending", file=out)
        return
    print("pending evolve steps:", file=out)
    for number, step in enumerate(EVOLVE_STEPS[root.generation:], root.generation + 1):
        print(f"  {number} {step.__name__.lstrip('_')}: {describe(step)}", file=out)


def init(db, dry_run: bool, out: TextIO) -> None:
    """Report, then evolve and commit; or, in a dry run, abort."""
    manager = transaction.TransactionManager()
    conn = db.open(transaction_manager=manager)
    try:
        manager.begin()
        created = ROOT_KEY not in conn.root()
        root = app_root(conn)
        report_pending(root, created, out)
        if dry_run:
            print("dry run: nothing changed", file=out)
            return
        ran = evolve(root)
        manager.commit()
        print(f"database ready at generation {root.generation} ({ran} evolve steps run)",
              file=out)
    finally:
        manager.abort()
        conn.close()


def main(argv=None, out: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dry-run", action="store_true",
                        help="print the pending evolve steps and change nothing")
    parser.add_argument("config_uri")
    args = parser.parse_args(argv)
    db = open_db(args.config_uri)
    try:
        init(db, args.dry_run, out or sys.stdout)
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
