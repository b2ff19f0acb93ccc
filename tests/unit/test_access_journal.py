"""The access journal (reads, logins, refusals): one entry per read with who, which log,
what and the basis; ids only; its own sealed hash chain, and what verify finds when a row is
altered or removed (Normen fact sheets 14/15)."""

from __future__ import annotations

import secrets
import sqlite3
from types import SimpleNamespace

import pytest

from stafett import audit
from stafett.access_journal import AccessJournal, backend_for, default_uri
from stafett.security import principals_for


@pytest.fixture(params=["sqlite", "postgresql"])
def access(request):
    """The same journal on both stores: SQLite (one machine), PostgreSQL (several)."""
    if request.param == "sqlite":
        uri = "sqlite:///:memory:"
    else:
        server = request.getfixturevalue("postgres")
        uri = server.url(server.create_database(f"access_{secrets.token_hex(4)}"))
    journal = AccessJournal(backend_for(uri))
    yield journal
    journal.close()


def read(access, account, context):
    log = context if context.__class__.__name__ == "Log" else context.__parent__.__parent__
    request = SimpleNamespace(context=context, identity=account, access_journal=access)
    audit.record_read(request, log, principals_for(account, context))
    return log


def test_read_of_log_page_records_who_which_log_and_basis(world, access):
    log = world.active()
    read(access, world.guardian, log)
    [(key, entry)] = access.for_municipality(world.m.id).of_log(log.id)
    assert entry == dict(kind="read", at=key[0], municipality=world.m.id, log=log.id,
                         object=log.id, object_kind="log", view="", actor=world.guardian.uid,
                         basis=("guardian",), unit=world.school.id,
                         holder=world.holder.employee_id, seq=None)


def test_read_of_concern_page_records_the_concern_and_actor_basis(world, access):
    log = world.active()
    concern = world.concern(log)
    world.measure(concern, world.actor)
    before = len(world.m.journal)
    read(access, world.actor, concern)
    [(_key, entry)] = access.for_municipality(world.m.id).of_log(log.id)
    assert entry["object"] == concern.id and entry["object_kind"] == "concern"
    assert entry["basis"] == ("actor",)
    assert len(world.m.journal) == before  # nothing in the object database


def test_entries_take_ids_and_codes_only(access):
    with pytest.raises(TypeError):
        access.append("kommune", "read", log={"name": "Emma"})


def _filled(access, n=5):
    for i in range(n):
        access.append("kommune", "read", log=f"log{i}", actor="u1", basis=("holder",))
    return access.seal(grace_ns=0)


def test_seal_links_every_entry_and_verify_finds_nothing(access):
    assert _filled(access) == 5
    assert access.head()[0] == 5 and access.unsealed() == 0
    assert list(access.verify()) == []
    access.append("kommune", "login", actor="u2")
    assert access.unsealed() == 1 and list(access.verify()) == []  # waiting is fine
    assert access.seal(grace_ns=0) == 1 and access.head()[0] == 6


def test_verify_names_an_altered_row(access):
    _filled(access)
    [(at, token)] = access.backend.query("SELECT at, token FROM access_journal WHERE seq = 3")
    access.backend.execute("UPDATE access_journal SET body = replace(body, 'u1', 'u9')"
                           " WHERE seq = 3")
    problems = list(access.verify())
    assert problems[0].what == "altered" and problems[0].key == (at, token)


def test_verify_names_the_gap_of_a_removed_row(access):
    _filled(access)
    access.backend.execute("DELETE FROM access_journal WHERE seq = 2")
    assert [(p.seq, p.what) for p in access.verify()][0] == (3, "gap")


def test_verify_names_a_row_added_behind_the_journals_back(access):
    _filled(access)
    access.backend.execute("INSERT INTO access_journal (at, token, municipality, kind, body)"
                           " VALUES (5, 'ffff', 'kommune', 'read', '{}')")
    assert [p.what for p in access.verify()] == ["unchained"]


def test_the_default_store_is_beside_the_object_database():
    assert default_uri({"zodbconn.uri": "file:///srv/stafett/var/Data.fs?x=1"}) == \
        "sqlite:///srv/stafett/var/access.sqlite"
    assert default_uri({"zodbconn.uri": "postgres://st@db:5432/stafett?keep_history=false"}) \
        == "postgres://st@db:5432/stafett"
    with pytest.raises(ValueError):
        default_uri({"zodbconn.uri": "zeo://127.0.0.1:8100"})


def test_a_file_store_is_durable_and_shared_between_connections(tmp_path):
    path = tmp_path / "access.sqlite"
    first = AccessJournal(backend_for(f"sqlite://{path}"))
    first.append("kommune", "read", log="l1", actor="u1")
    second = AccessJournal(backend_for(f"sqlite://{path}"))
    assert [e["log"] for _k, e in second.entries("kommune", "read")] == ["l1"]
    first.close()
    second.close()
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
