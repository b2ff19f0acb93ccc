"""The storage addresses production.ini documents are ones zodburi accepts: the ZEO default
and, commented, FileStorage and RelStorage on PostgreSQL (an address with ``dsn=`` was
refused: UnknownDatabaseKeywords)."""

from __future__ import annotations

import os
import re

import pytest
from zodburi import resolve_uri

from stafett.access_journal import backend_for

INI = os.path.join(os.path.dirname(__file__), "..", "..", "production.ini")


def documented(setting: str) -> list[str]:
    """Every value of ``setting`` in production.ini, set or commented out, with the
    environment's secrets filled in."""
    text = open(INI).read().replace("%(STAFETT_PG_PASSWORD)s", "secret")
    return re.findall(rf"^[#\s]*{re.escape(setting)} = (\S+)$", text, flags=re.M)


def test_production_ini_documents_zeo_filestorage_and_relstorage():
    schemes = [uri.split(":", 1)[0] for uri in documented("zodbconn.uri")]
    assert sorted(schemes) == ["file", "postgres", "zeo"]


@pytest.mark.parametrize("uri", documented("zodbconn.uri"))
def test_each_documented_storage_address_is_accepted(uri):
    _factory, dbkw = resolve_uri(uri)
    assert dbkw["cache_size"] == 50000 and dbkw["pool_size"] == 8


def test_the_relstorage_address_names_every_part_and_keeps_no_history():
    [uri] = [u for u in documented("zodbconn.uri") if u.startswith("postgres:")]
    assert re.match(r"postgres://\w+:[^@]+@[\w.]+:\d+/\w+\?keep_history=false", uri)


def test_the_documented_postgresql_access_journal_is_accepted():
    [uri] = [u for u in documented("stafett.access_journal") if u.startswith("postgresql:")]
    backend = backend_for(uri)
    assert "host='db.kommune.example'" in backend.dsn and "port='5432'" in backend.dsn
