"""stafett-pack CONFIG [--days N]: pack the storage, keeping no ``.old`` copy.

Packing removes every revision older than the pack time and every unreachable object, so
content erased by a deletion (R17) is gone from the files for good.
"""

from __future__ import annotations

import argparse
import os
import time

from . import open_db


def pack(db, days: float = 0.0) -> list[str]:
    """Pack to ``days`` ago, close the database, and remove what FileStorage leaves beside
    the data file: the ``.old`` copy and the ``.tmp`` commit buffer, which still holds
    bytes of earlier transactions. Returns the removed paths."""
    storage = db.storage
    if hasattr(storage, "pack_keep_old"):
        storage.pack_keep_old = False
    db.pack(t=time.time() - days * 86400)
    path = getattr(storage, "_file_name", None)
    db.close()
    removed = []
    if path:
        for leftover in (path + ".old", path + ".pack", path + ".tmp"):
            if os.path.exists(leftover):
                os.remove(leftover)
                removed.append(leftover)
    return removed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config_uri")
    parser.add_argument("--days", type=float, default=0.0,
                        help="keep history newer than this many days (default 0: none)")
    args = parser.parse_args(argv)
    pack(open_db(args.config_uri), args.days)
    print("packed")
    return 0
