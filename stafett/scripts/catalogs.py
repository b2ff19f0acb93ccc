"""stafett-catalogs: compile the message catalogues.

Each area keeps its own part (``core.po``, ``log.po``, ``admin.po``, ``audit.po``…) under
``stafett/locale/<lang>/LC_MESSAGES/``; all parts form the one ``stafett`` domain and are
merged into ``stafett.mo``. A msgid defined in two parts is an error.
"""

from __future__ import annotations

import glob
import os
import sys

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = os.path.join(os.path.dirname(__file__), "..", "locale")


def compile_catalogs(locale_dir: str = LOCALE_DIR) -> list[str]:
    written = []
    for lang_dir in sorted(glob.glob(os.path.join(locale_dir, "*", "LC_MESSAGES"))):
        parts = sorted(glob.glob(os.path.join(lang_dir, "*.po")))
        target = os.path.join(lang_dir, "stafett.mo")
        if not parts or _fresh(target, parts):
            continue
        merged = Catalog(locale=os.path.basename(os.path.dirname(lang_dir)), domain="stafett")
        for part in parts:
            with open(part, "rb") as handle:
                for message in read_po(handle):
                    if not message.id:
                        continue
                    if message.id in merged:
                        raise SystemExit(f"{part}: msgid {message.id!r} is defined twice")
                    merged[message.id] = message
        with open(target, "wb") as handle:
            write_mo(handle, merged, use_fuzzy=True)
        written.append(target)
    return written


def _fresh(target: str, parts: list[str]) -> bool:
    return os.path.exists(target) and all(
        os.path.getmtime(target) >= os.path.getmtime(p) for p in parts)


def main(argv=None) -> int:
    for path in compile_catalogs():
        print(f"compiled {os.path.relpath(path)}", file=sys.stderr)
    return 0
