"""stafett-catalogs: compile the message catalogues.

Each area keeps its own part (``core.po``, ``lifecycle.po``, ``admin.po``, ``audit.po``…)
under ``stafett/locale/<lang>/LC_MESSAGES/``; all parts form the one ``stafett`` domain and
are merged into ``stafett.mo``. A msgid defined in two parts is an error. ``colander.po`` and
``deform.po`` are those libraries' own domains (they ship no Norwegian) and compile alone, as
does ``consent_form.po``: the printable consent form's own domain, in more languages than the
app (``pl`` and ``ar`` hold only that part; the app never offers them, see ``i18n.LOCALES``).
"""

from __future__ import annotations

import glob
import os
import sys

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = os.path.join(os.path.dirname(__file__), "..", "locale")
LIBRARY_DOMAINS = ("colander", "deform")
SEPARATE_DOMAINS = (*LIBRARY_DOMAINS, "consent_form")


def compile_catalogs(locale_dir: str = LOCALE_DIR) -> list[str]:
    written = []
    for lang_dir in sorted(glob.glob(os.path.join(locale_dir, "*", "LC_MESSAGES"))):
        parts = sorted(glob.glob(os.path.join(lang_dir, "*.po")))
        own = [p for p in parts if _domain_of(p) not in SEPARATE_DOMAINS]
        groups = [("stafett", own)] + [(_domain_of(p), [p]) for p in parts if p not in own]
        for domain, sources in groups:
            target = os.path.join(lang_dir, f"{domain}.mo")
            if sources and not _fresh(target, sources):
                _write(target, domain, sources)
                written.append(target)
    return written


def _domain_of(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def _write(target: str, domain: str, sources: list[str]) -> None:
    locale = os.path.basename(os.path.dirname(os.path.dirname(target)))
    merged = Catalog(locale=locale, domain=domain)
    for part in sources:
        with open(part, "rb") as handle:
            for message in read_po(handle):
                if not message.id:
                    continue
                if message.id in merged:
                    raise SystemExit(f"{part}: msgid {message.id!r} is defined twice")
                merged[message.id] = message
    with open(target, "wb") as handle:
        write_mo(handle, merged, use_fuzzy=True)


def _fresh(target: str, parts: list[str]) -> bool:
    return os.path.exists(target) and all(
        os.path.getmtime(target) >= os.path.getmtime(p) for p in parts)


def main(argv=None) -> int:
    for path in compile_catalogs():
        print(f"compiled {os.path.relpath(path)}", file=sys.stderr)
    return 0
