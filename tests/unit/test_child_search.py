"""Finding a child (R45): the index of names and numbers, and one log per child."""

from __future__ import annotations

import datetime as dt

import pytest

from stafett import storage
from stafett.models import ConsentScope, Transfer, TransferKind
from stafett.models.base import DomainError
from stafett.models.log_request import AskedFor, LogRequest
from stafett.models.search import (
    FIELD,
    UNIT_FIELD,
    QueryError,
    child_keys,
    find_ids,
    logs_of_child,
    parse,
    visible_to,
)
from stafett.scripts.demo import make_fnr, years_ago
from stafett.workflows import WorkflowError, create, fire, propose_transfer
from stafett.workflows.content import edit_subject_and_family

from ..world import World

BORN = dt.date(2015, 3, 12)


def _search(world, query, employee=None, limit=20):
    index = world.m.index
    within = None if employee is None else visible_to(index, world.emp(employee))
    ids, _more = find_ids(index, parse(query), within, limit)
    return {world.m.logs[i].subject.name for i in ids}


@pytest.mark.parametrize("query", ["søren", "SØREN", "soren", "Soeren", "sør", "kjær",
                                   "kjaer", "ÅSE", "aase", "ase", "åse-kjær", "Kjær Sø"])
def test_names_are_found_by_any_word_whatever_case_accents_and_old_spelling(world, query):
    world.draft(name="Søren Åse Kjær")
    world.draft(name="Emma Nordmann")
    assert _search(world, query) == {"Søren Åse Kjær"}


def test_a_name_with_accents_is_found_without_them_and_a_word_by_its_beginning(world):
    world.draft(name="Zoë Hélène Müller")
    for query in ("zoe", "helene", "mull", "MÜLLER", "zoë mü"):
        assert _search(world, query) == {"Zoë Hélène Müller"}, query
    assert _search(world, "ller") == set()  # the beginning of a word, not its middle


def test_by_fodselsnummer_and_by_birth_date(world):
    fnr = world.fnr(BORN)
    world.draft(name="Tor Tall", fnr=fnr)
    world.draft(name="Siv Annen", fnr=world.fnr(dt.date(2014, 3, 12)))
    assert _search(world, fnr) == {"Tor Tall"}
    assert _search(world, f"{fnr[:6]} {fnr[6:]}") == {"Tor Tall"}
    assert _search(world, "120315") == {"Tor Tall"}
    assert _search(world, "12.03.2015") == {"Tor Tall"}
    assert _search(world, "12.3.14") == {"Siv Annen"}
    assert _search(world, "tor 120315") == {"Tor Tall"}
    assert _search(world, "siv 120315") == set()


@pytest.mark.parametrize("query, refusal", [
    ("e", "search_word_too_short"), ("1203", "search_number_length"),
    ("12031512345", "fnr_checksum"), ("31.02.2015", "search_date_invalid"),
    ("x" * 101, "search_too_long"), ("aa bb cc dd ee ff", "search_too_many_words")])
def test_a_malformed_query_is_refused_in_words(query, refusal):
    with pytest.raises(QueryError) as refused:
        parse(query)
    assert refused.value.msg == refusal


def test_r3_r6_a_search_looks_only_among_the_logs_the_person_may_see(world):
    world.draft(name="Emma Skolebarn")
    world.draft(name="Emma Barnehagebarn", holder=world.kinder_holder)
    assert _search(world, "emma", world.holder) == {"Emma Skolebarn"}
    assert _search(world, "emma", world.leader) == {"Emma Skolebarn"}  # R6: the unit's logs
    assert _search(world, "emma", world.kinder_leader) == {"Emma Barnehagebarn"}
    assert _search(world, "emma", world.holder2) == set()
    assert _search(world, "emma", world.actor) == set()


def test_a_leaders_search_walks_only_the_hits_in_their_unit(world):
    for n in range(25):
        world.draft(name=f"Emma Nummer{n}", holder=world.kinder_holder)
    world.draft(name="Emma Egen", holder=world.holder2)
    index = world.m.index
    kinder = index.id_set(UNIT_FIELD, (world.kinder.id, parse("emma")[0].key(index)))
    assert len(kinder) == 25  # the kindergarten's Emmas, apart from the school's
    assert _search(world, "emma", world.leader) == {"Emma Egen"}
    ids, more = find_ids(index, parse("emma"), visible_to(index, world.emp(world.kinder_leader)),
                         20)
    assert len(ids) == 20 and more


def test_r17_a_deleted_child_leaves_nothing_in_the_index(world):
    log = world.draft(name="Nora Slettes")
    keys = child_keys(log)
    fire(log, "discard", world.holder, reason="created_by_mistake")
    assert _search(world, "nora") == set() and _search(world, log.subject.fnr) == set()
    assert not keys & set(world.m.index.values(FIELD))
    assert all("nora" not in str(k).lower() for k in world.m.index.values(FIELD))


def test_the_index_holds_digests_not_names_or_numbers(world):
    log = world.draft(name="Nora Navn")
    stored = " ".join(world.m.index.values(FIELD) + list(
        world.m.index.indexed_values(log.id, FIELD)))
    assert "nora" not in stored.lower() and log.subject.fnr not in stored
    assert log.subject.fnr[:6] not in stored


def test_a_changed_name_is_found_by_the_new_name_only(world):
    log = world.draft(name="Gammel Navn")
    data = {"subject_name": "Ny Navnesen", "fnr": log.subject.fnr, "kind": "child",
            "level": 2, "guardians_live_together": True, "guardians": [
                {"guardian_id": g.id, "name": g.name, "email": g.email, "phone": "",
                 "lives_with_child": True} for g in log.guardians.values()]}
    edit_subject_and_family(log, data, world.holder)
    assert _search(world, "ny") == {"Ny Navnesen"} and _search(world, "gammel") == set()


# -- R45: one log per child ---------------------------------------------------------------
def test_r45_a_second_log_for_a_child_is_refused_naming_holder_and_unit(world):
    first = world.draft(name="Ella Først")
    with pytest.raises(WorkflowError) as refused:
        world.draft(name="Ella Andre", fnr=first.subject.fnr, holder=world.kinder_holder)
    assert refused.value.rule == "R45"
    assert refused.value.mapping == {"log_id": first.id, "holder": "Holder",
                                     "unit": "Skolen"}
    assert len(world.m.logs) == 1


def test_r45_after_deletion_the_child_may_get_a_new_log(world):
    first = world.draft(name="Ella Først")
    fire(first, "discard", world.holder, reason="created_by_mistake")
    assert world.draft(name="Ella Først", fnr=first.subject.fnr).state == "draft"


def test_r45_the_number_cannot_be_changed_to_another_childs(world):
    first, second = world.draft(name="Ella En"), world.draft(name="Ola To")
    data = {"subject_name": "Ola To", "fnr": first.subject.fnr, "kind": "child", "level": 2,
            "guardians_live_together": True, "guardians": []}
    with pytest.raises(DomainError) as refused:
        edit_subject_and_family(second, data, world.holder)
    assert refused.value.rule == "R45" and second.subject.name == "Ola To"
    assert logs_of_child(world.m, first.subject.fnr) == [first]


def test_r45_a_familys_request_for_a_child_with_a_log_opens_no_second(world):
    child = make_fnr(years_ago(9), 402)
    existing = world.draft(name="Mia Moe", fnr=child, holder=world.kinder_holder)
    account = world.root.accounts["guardian"]
    account.fnr = make_fnr(years_ago(38), 401)
    ask = LogRequest("guardian", account.fnr, "Mona Moe", AskedFor.CHILD, "Mia Moe", child)
    create(world.school.log_requests, ask, "send", account)
    with pytest.raises(WorkflowError) as refused:
        fire(ask, "assign", world.leader, holder_id=world.emp(world.holder).id)
    assert refused.value.msg == "log_child_has_log"
    assert refused.value.mapping["log_id"] == existing.id
    assert ask.state == "requested" and len(world.m.logs) == 1


def test_r45_a_log_moving_in_from_another_municipality_is_not_a_second_there(world, root):
    other = World(root, slug="nabo")
    log = world.active(name="Flytte Barn")
    there = other.draft(name="Flytte Barn", fnr=log.subject.fnr)
    transfer = propose_transfer(log, Transfer(
        TransferKind.MUNICIPALITY, "Familien flytter.", world.holder.uid,
        world.holder.employee_id, to_municipality="nabo", to_unit_id=other.school.id),
        world.holder)
    fire(transfer, "consent", world.holder,
         consent_id=world.consent(log, scope=ConsentScope.TRANSFER).id)
    with pytest.raises(WorkflowError) as refused:
        fire(transfer, "accept", other.leader, new_holder_id=other.holder.employee_id)
    assert refused.value.rule == "R45" and refused.value.mapping["log_id"] == there.id
    assert log.id in world.m.logs and transfer.is_open


# -- the evolve step -------------------------------------------------------------------------
def test_the_evolve_step_makes_existing_logs_findable(world, root):
    log = world.draft(name="Gamle Gunnar")
    index = world.m.index
    del index.search_key
    index._fields[FIELD] = type(index._fields[FIELD])()
    step = storage.EVOLVE_STEPS.index(storage._children_findable)
    root.generation = step
    assert storage.evolve(root) == len(storage.EVOLVE_STEPS) - step
    assert _search(world, "gunn") == {"Gamle Gunnar"}
    assert _search(world, log.subject.fnr) == {"Gamle Gunnar"}
