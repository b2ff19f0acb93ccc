"""Finding a child through HTTP (R45): by name and number among the logs one may see, each
result journaled; a second log for a child refused on the new-log form with the text kept;
a deleted child gone from the search and from the index."""

from __future__ import annotations

import pytest

from stafett.models.log_request import AskedFor, LogRequest
from stafett.models.search import FIELD, UNIT_FIELD, child_keys, digest
from stafett.scripts.demo import make_fnr, years_ago
from stafett.workflows import create, fire

from ..conftest import csrf_token, login


@pytest.fixture
def emma(read_root) -> dict:
    with read_root() as root:
        log = next(x for x in root["demo"].logs.values() if x.subject.name == "Emma Nordmann")
        return {"id": log.id, "fnr": log.subject.fnr, "unit": log.unit_id,
                "url": f"http://localhost/demo/logs/{log.id}/"}


def _names(page) -> list[str]:
    return [a.text for a in page.html.select("#search-results tbody a")]


def test_a_holder_finds_a_child_by_any_part_of_the_name_or_by_number(testapp, emma):
    login(testapp, "larer")
    for query in ("emma", "NORDM", "emma nordmann", emma["fnr"], emma["fnr"][:6]):
        page = testapp.get("/demo/search", {"q": query})
        assert _names(page) == ["Emma Nordmann"], query
    row = page.html.select_one("#search-results tbody tr")
    assert row.find("a")["href"] == emma["url"]
    cells = [td.text.strip() for td in row.find_all("td")]
    assert cells[2:] == ["Solbakken skole", "aktiv", "Lars Lærer"]
    assert cells[1].endswith(str(int(emma["fnr"][4:6]) + 2000))  # the birth date, Oslo style


def test_the_top_bar_search_field_is_for_holders_and_leaders(testapp):
    login(testapp, "larer")
    box = testapp.get("/").html.select_one("header.topbar form[role=search]")
    assert box["action"] == "http://localhost/demo/search"
    testapp.reset()
    login(testapp, "forelder")
    assert testapp.get("/").html.select_one("header.topbar form[role=search]") is None


def test_r3_r6_results_are_only_the_logs_the_person_may_see(testapp, emma):
    for username in ("helsesykepleier", "styrer"):  # holder / leader of another unit
        login(testapp, username)
        page = testapp.get("/demo/search", {"q": "emma"})
        assert "Emma Nordmann" not in page.text and _names(page) == []
        testapp.reset()
    login(testapp, "rektor")  # R6: the leader of Emma's unit
    assert _names(testapp.get("/demo/search", {"q": "emma"})) == ["Emma Nordmann"]


@pytest.mark.parametrize("username", ["forelder", "assistent", "sara"])
def test_family_and_actors_may_not_search(testapp, username):
    login(testapp, username)
    page = testapp.get("/demo/search", {"q": "emma"}, status=(403, 404))
    assert "Emma Nordmann" not in page.text


def test_every_result_shown_is_journaled_as_a_read(testapp, access, emma, read_root):
    with read_root() as root:
        uid = root.accounts["larer"].uid
    login(testapp, "larer")
    before = len(access.of_log(emma["id"]))
    testapp.get("/demo/search", {"q": "emma"})
    reads = access.of_log(emma["id"])
    assert len(reads) == before + 1
    entry = reads[0][1]
    assert (entry["view"], entry["actor"], entry["basis"]) == ("search", uid, ("holder",))
    testapp.get("/demo/search", {"q": "nosuchname"})
    assert len(access.of_log(emma["id"])) == before + 1  # not shown, not read
    testapp.reset()
    login(testapp, "forelder")  # the family sees the search in "who has read the log"
    assert "barnet funnet i et søk" in testapp.get(emma["url"] + "access-log").text


def test_r45_a_whole_number_tells_who_holds_a_log_one_may_not_see(testapp, access, emma):
    login(testapp, "helsesykepleier")
    before = len(access.of_log(emma["id"]))
    page = testapp.get("/demo/search", {"q": emma["fnr"]})
    held = page.html.select_one(".r45-holder").text
    assert "Lars Lærer" in held and "Solbakken skole" in held
    assert "Emma" not in page.text and emma["url"] not in page.text
    assert len(access.of_log(emma["id"])) == before + 1


@pytest.mark.parametrize("query", ["e", "1234", "31.02.2015", "x" * 101])
def test_a_malformed_query_gets_400_and_says_why(testapp, query):
    login(testapp, "larer")
    page = testapp.get("/demo/search", {"q": query}, status=400)
    assert page.html.select_one("#search-error").text.strip()
    assert page.html.select_one("#search-page-q")["value"] == query[:100] or len(query) > 100


def test_an_empty_query_shows_the_form(testapp):
    login(testapp, "larer")
    page = testapp.get("/demo/search", {"q": "  "})
    assert page.html.select_one("#search-page-q") is not None
    assert page.html.select_one("#search-results") is None


def test_searches_are_throttled_per_account(app, testapp):
    app.registry.search_throttle.limits = app.registry.search_throttle.limits[:0] + [
        __import__("limits").parse("2/minute")]
    login(testapp, "larer")
    testapp.get("/demo/search", {"q": "emma"})
    testapp.get("/demo/search", {"q": "emma"})
    page = testapp.get("/demo/search", {"q": "emma"}, status=429)
    assert "Vent et minutt" in page.text and "Emma Nordmann" not in page.text


# -- R45 over HTTP -----------------------------------------------------------------------------
def test_r45_a_second_log_is_refused_with_the_text_kept_and_the_holder_named(
        testapp, emma, read_root):
    login(testapp, "helsesykepleier")
    form = testapp.get("/demo/new-log").forms["deform"]
    form["subject_name"] = "Emma Nordmann"
    form["fnr"] = emma["fnr"]
    form["name"] = "Ola Nordmann"
    form["meeting_agenda"] = "Bli kjent med Emma"
    page = form.submit("submit", status=200)
    assert "Barnet har allerede en stafettlogg i kommunen" in page.text
    existing = page.html.select_one("#r45-existing").text
    assert "Lars Lærer" in existing and "Solbakken skole" in existing
    assert emma["url"] not in page.text  # she may not see it: whom to contact instead
    assert 'value="Ola Nordmann"' in page.text and "Bli kjent med Emma" in page.text
    with read_root() as root:
        assert [x.id for x in root["demo"].logs.values()
                if x.subject.fnr == emma["fnr"]] == [emma["id"]]


def test_r45_the_holder_of_the_log_gets_a_link_to_it(testapp, emma):
    login(testapp, "larer")
    form = testapp.get("/demo/new-log").forms["deform"]
    form["subject_name"] = "Emma N."
    form["fnr"] = emma["fnr"]
    form["name"] = "Ola Nordmann"
    page = form.submit("submit", status=200)
    assert page.html.select_one("#r45-existing a")["href"] == emma["url"]


def test_r45_a_familys_request_for_a_child_with_a_log_points_to_it(testapp, emma, read_root):
    with read_root() as root:
        unit = root["demo"].units[emma["unit"]]
        account = root.accounts["forelder"]
        account.fnr = account.fnr or make_fnr(years_ago(38), 51)
        ask = LogRequest("forelder", account.fnr, "Ola Nordmann", AskedFor.CHILD,
                         "Emma Nordmann", emma["fnr"])
        create(unit.log_requests, ask, "send", account)
        console = f"/demo/units/{unit.id}/console-requests"
        ask_url = f"/demo/units/{unit.id}/requests/{ask.id}/"
    login(testapp, "rektor")
    page = testapp.get(console)
    article = page.html.select_one(f"#request-{ask.id}")
    assert article.select_one(".r45-existing a")["href"] == emma["url"]
    assert article.select_one("form.assign") is None  # no second log to open
    testapp.post(ask_url + "assign", {"holder": "x", "csrf_token": csrf_token(page)},
                 status=303)
    with read_root() as root:
        assert len([x for x in root["demo"].logs.values()
                    if x.subject.fnr == emma["fnr"]]) == 1


def digest_of_number(municipality, fnr: str) -> str:
    return digest(municipality.index.search_key, "fnr", fnr)


# -- R17 -----------------------------------------------------------------------------------------
def test_r17_a_deleted_child_is_not_found_and_leaves_no_trace_in_the_index(testapp, read_root):
    with read_root() as root:
        noah = next(x for x in root["demo"].logs.values() if x.subject.name == "Noah Hansen")
        keys, fnr, noah_id = child_keys(noah), noah.subject.fnr, noah.id
        fire(noah, "discard", root.accounts["larer"], reason="created_by_mistake")
    login(testapp, "larer")
    assert "Noah" not in testapp.get("/demo/search", {"q": "noah"}).text
    page = testapp.get("/demo/search", {"q": fnr})
    assert page.html.select_one(".r45-holder") is None and "Noah" not in page.text
    with read_root() as root:
        index = root["demo"].index
        stored = set(index.values(FIELD))
        living = set().union(*(child_keys(x) for x in root["demo"].logs.values()))
        assert keys & stored <= living  # only what other children share ("no": Nordmann)
        assert stored == living and digest_of_number(root["demo"], fnr) not in stored
        assert not any(noah_id in index.id_set(FIELD, key) for key in stored)
        assert not any(noah_id in index.id_set(UNIT_FIELD, key)
                       for key in index.values(UNIT_FIELD))
        assert {key for _unit, key in index.values(UNIT_FIELD)} == living
        assert index.indexed_values(noah_id, FIELD) == ()
        assert not any("noah" in key.lower() or fnr in key for key in stored)
