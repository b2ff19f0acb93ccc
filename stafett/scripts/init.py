"""stafett-init CONFIG: create the app root, run pending evolve steps, optionally add a
municipality with its first superuser."""

from __future__ import annotations

import argparse

from ..storage import evolve
from . import app_root_of, open_db


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config_uri")
    args = parser.parse_args(argv)
    db = open_db(args.config_uri)
    try:
        with app_root_of(db) as root:
            ran = evolve(root)
            print(f"database ready at generation {root.generation} ({ran} evolve steps run)")
    finally:
        db.close()
    return 0
