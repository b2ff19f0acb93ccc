"""``stafett-audit verify`` on each real storage (FileStorage, ZEO, RelStorage): a clean
journal passes; an entry altered or removed directly in the database is named, by its seal
number and key."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import transaction

from stafett.audit import format_key
from stafett.storage import app_root

from ..storages import KINDS

SCRIPT = os.path.join(os.path.dirname(sys.executable), "stafett-audit")


@pytest.fixture(params=KINDS)
def storage_kind(request) -> str:
    return request.param


@pytest.fixture
def ini(tmp_path, storage) -> str:
    return storage.ini(tmp_path / "audit.ini")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([SCRIPT, *args], capture_output=True, text=True, timeout=120)


def tamper(storage, change) -> tuple:
    """Change the journal of the demo municipality outside the app; return the key touched."""
    db = storage.open_db()
    try:
        with transaction.manager:
            journal = app_root(db.open())["demo"].journal
            key = list(journal.entries())[3][0]
            change(journal, key)
            seq = journal.seq_of(key)
    finally:
        db.close()
    return key, seq


def test_verify_passes_a_journal_nobody_touched(ini):
    sealed = run("seal", ini, "--grace", "0")
    assert sealed.returncode == 0 and "demo: sealed" in sealed.stdout
    result = run("verify", ini)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "demo: ok" in result.stdout


def test_verify_names_an_entry_altered_in_the_database(ini, storage):
    assert run("seal", ini, "--grace", "0").returncode == 0

    def alter(journal, key):
        journal._entries[key] = tuple(sorted(dict(journal.get(key), actor="x").items()))

    key, seq = tamper(storage, alter)
    result = run("verify", ini)
    assert result.returncode == 1
    first = next(line for line in result.stdout.splitlines() if "BROKEN" in line)
    assert f"BROKEN link {seq} entry {format_key(key)}" in first and "altered" in first


def test_verify_names_the_gap_of_an_entry_removed_from_the_database(ini, storage):
    assert run("seal", ini, "--grace", "0").returncode == 0

    def remove(journal, key):
        del journal._entries[key]

    key, seq = tamper(storage, remove)
    result = run("verify", ini)
    assert result.returncode == 1
    assert f"BROKEN link {seq} entry {format_key(key)}: the sealed entry has been removed " \
           "(gap in the journal)" in result.stdout
