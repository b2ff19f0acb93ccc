"""stafett-demo CONFIG: load a demo municipality and print the demo accounts.

The fictive families are built by ``workflows.fictive``, through the same workflows the web
app uses; the demo municipality gets its practice municipality too (R43).
"""

from __future__ import annotations

import argparse

from ..services.archive import produce_pending
from ..workflows.fictive import DEMO_PASSWORD, DEMO_SLUG, DemoBuilder, make_fnr, years_ago
from ..workflows.practice import open_practice
from . import app_root_of, open_db

__all__ = ["DEMO_PASSWORD", "DEMO_SLUG", "DemoBuilder", "load_demo", "make_fnr", "years_ago"]


def load_demo(root, password: str = DEMO_PASSWORD) -> list[tuple[str, str]]:
    if DEMO_SLUG in root:
        return []
    builder = DemoBuilder(root, password)
    demo = builder.build()
    produce_pending(demo)  # a script has no worker waiting for the commit
    practice = open_practice(root, demo)  # R43: the demo's staff rehearse in it
    builder.accounts.append(("", f"practice municipality: /{practice.id}/practice"))
    return builder.accounts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config_uri")
    parser.add_argument("--password", default=DEMO_PASSWORD)
    args = parser.parse_args(argv)
    db = open_db(args.config_uri)
    try:
        with app_root_of(db) as root:
            accounts = load_demo(root, args.password)
    finally:
        db.close()
    if not accounts:
        print("demo data already loaded")
        return 0
    print(f"Demo accounts (password for all: {args.password}):")
    for username, about in accounts:
        print(f"  {username:<18} {about}")
    return 0
