"""stafett-pack CONFIG [--days N]: pack the storage, keeping no ``.old`` copy.

Packing removes every revision older than the pack time and every unreachable object, so
content erased by a deletion (R17) is gone from the files for good.
"""

from __future__ import annotations

import argparse
import os
import sys

from .. import storage
from . import open_db_unless_held


def pack(db, days: float = 0.0) -> list[str]:
    """Pack (``storage.pack``), then close the database and remove the ``.tmp`` buffer."""
    removed = storage.pack(db, days)
    path = getattr(db.storage, "_file_name", None)
    db.close()
    if path and os.path.exists(path + ".tmp"):
        os.remove(path + ".tmp")
    return removed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config_uri")
    parser.add_argument("--days", type=float, default=0.0,
                        help="keep history newer than this many days (default 0: none)")
    args = parser.parse_args(argv)
    db = open_db_unless_held(args.config_uri, "run stafett-daily with this configuration "
                             "(it packs as its last step)")
    if db is None:
        return 2
    pack(db, args.days)
    print("packed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
