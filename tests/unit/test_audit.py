"""The audit journal: one entry per transition and read, refusals, ids only, the sealed
hash chain and what verify finds when the journal is tampered with (R18, Normen)."""

from __future__ import annotations

import pytest

from stafett import audit
from stafett.workflows import WorkflowError, fire


def new_entries(journal, before: set) -> list[dict]:
    return [entry for key, entry in journal.entries() if key not in before]


def keys(journal) -> set:
    return {key for key, _entry in journal.entries()}


def test_r18_transition_writes_exactly_one_entry_with_who_what_from_to(world):
    log = world.draft()
    world.consent(log)
    journal = world.m.journal
    before = keys(journal)
    fire(log, "activate", world.holder, reason="consent_recorded")
    [entry] = new_entries(journal, before)
    assert entry == dict(
        kind="transition", at=entry["at"], machine="log", trigger="activate", object=log.id,
        log=log.id, source="draft", dest="active", actor=world.holder.uid,
        reason="consent_recorded", unit=world.school.id, holder=world.holder.employee_id)


def test_r18_refused_transition_writes_refusal_and_changes_nothing(world):
    log = world.draft()  # no consent: activation is refused (R10)
    journal = world.m.journal
    before = keys(journal)
    with pytest.raises(WorkflowError):
        fire(log, "activate", world.holder)
    assert log.state == "draft"
    [entry] = new_entries(journal, before)
    assert entry["kind"] == "refused" and entry["what"] == "transition:activate"
    assert entry["cause"] == "log_needs_consent" and entry["log"] == log.id
    assert entry["actor"] == world.holder.uid


def test_r18_forbidden_transition_is_journaled_as_refusal(world):
    log = world.draft()
    world.consent(log)
    before = keys(world.m.journal)
    with pytest.raises(WorkflowError):
        fire(log, "activate", world.kinder_holder)
    assert log.state == "draft"
    [entry] = new_entries(world.m.journal, before)
    assert entry["cause"] == "transition_forbidden"
    assert entry["actor"] == world.kinder_holder.uid


def test_r18_free_text_reason_is_not_journaled(world):
    log = world.draft()
    before = keys(world.m.journal)
    fire(log, "discard", world.holder, reason="Feil barn, Ola Nordmann skulle ha logg")
    [entry] = new_entries(world.m.journal, before)
    assert entry["reason"] == "text"
    assert "Ola" not in repr(entry)


def test_journal_takes_ids_and_codes_only(world):
    with pytest.raises(TypeError):
        world.m.journal.append("read", log={"name": "Emma"})


def sealed_journal(n: int = 5) -> audit.Journal:
    journal = audit.Journal()
    for i in range(n):
        journal.append("read", at=1_000 + i, log=f"log{i}", actor="u1", basis=("holder",))
    assert journal.seal(grace_ns=0) == n
    return journal


def test_seal_links_every_entry_and_verify_finds_nothing():
    journal = sealed_journal()
    assert journal.sealed == 5 and journal.unsealed() == 0
    assert list(journal.verify()) == []


def test_seal_leaves_entries_younger_than_the_grace_period():
    journal = audit.Journal()
    journal.append("login", actor="u1")
    assert journal.seal() == 0 and journal.unsealed() == 1


def test_entry_committed_late_with_older_time_is_sealed_next_time():
    journal = sealed_journal()
    late = journal.append("read", at=500, log="late", actor="u2")  # older than all sealed
    assert journal.seal(grace_ns=0) == 1
    assert journal.seq_of(late) == 6
    assert list(journal.verify()) == []


def test_verify_names_an_altered_entry():
    journal = sealed_journal()
    key = list(journal.entries())[2][0]
    journal._entries[key] = tuple(sorted(dict(journal.get(key), actor="x").items()))
    [problem] = journal.verify()
    assert (problem.what, problem.seq, problem.key) == ("altered", 3, key)
    assert audit.format_key(key) in problem.describe()


def test_verify_names_the_gap_of_a_removed_entry():
    journal = sealed_journal()
    key = list(journal.entries())[1][0]
    del journal._entries[key]
    [problem] = journal.verify()
    assert (problem.what, problem.seq, problem.key) == ("missing", 2, key)


def test_verify_finds_removed_links_and_entries_added_behind_its_back():
    journal = sealed_journal()
    del journal._chain[3]
    journal._entries[(2_000, "beef")] = (("at", 2_000), ("kind", "read"))
    found = {(p.what, p.seq) for p in journal.verify()}
    assert ("gap", 4) in found and ("unchained", None) in found


def test_period_and_log_queries_use_their_ranges():
    journal = audit.Journal()
    for day in range(10):
        journal.append("transition", at=day * 100, log="a" if day % 2 else "b", unit="u",
                       machine="log", trigger="close", object="x")
    assert [k[0] for k, _e in journal.of_kind("transition", 300, 600)] == [300, 400, 500]
    assert [k[0] for k, _e in journal.of_unit("u", "transition", 0, 250)] == [0, 100, 200]
    assert len(list(journal.of_log("a", "transition"))) == 5
    assert len(journal) == 10
