"""The workflow audit through the real app: reads and refusals journaled, the unit and
municipality reports (page, CSV, PDF), the family's access log, and who may see them."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from pypdf import PdfReader

from ..conftest import login
from ..storages import KINDS


@pytest.fixture(params=KINDS)
def storage_kind(request) -> str:
    return request.param


@pytest.fixture
def demo(read_root) -> dict:
    """Ids of the demo objects the tests use."""
    with read_root() as root:
        m = root["demo"]
        logs = {log.subject.name: log for log in m.logs.values()}
        units = {u.name: u for u in m.units.values()}
        return dict(
            emma=logs["Emma Nordmann"].id, jonas=logs["Jonas Berg"].id,
            school=units["Solbakken skole"].id, kinder=units["Lillevik barnehage"].id,
            uid={name: root.accounts[name].uid for name in ("larer", "styrer", "forelder")})


def journal_entries(access, kind: str) -> list[dict]:
    return [e for _k, e in access.of_kind(kind)]


def test_reading_a_log_page_journals_exactly_one_read(testapp, access, demo):
    login(testapp, "larer")
    before = len(journal_entries(access, "read"))
    testapp.get(f"/demo/logs/{demo['emma']}/")
    reads = journal_entries(access, "read")
    assert len(reads) == before + 1
    entry = reads[-1]
    assert entry["log"] == entry["object"] == demo["emma"]
    assert entry["actor"] == demo["uid"]["larer"] and entry["basis"] == ("holder",)
    assert entry["unit"] == demo["school"]


def test_refused_page_is_journaled_with_ids_only(testapp, access, demo):
    login(testapp, "styrer")  # leader of another unit
    testapp.get(f"/demo/logs/{demo['emma']}/", status=403)
    entry = journal_entries(access, "refused")[-1]
    assert entry["actor"] == demo["uid"]["styrer"] and entry["log"] == demo["emma"]
    assert entry["what"] == "view:default" and entry["cause"] == "forbidden"


def test_login_and_failed_login_are_journaled(testapp, access, demo):
    login(testapp, "larer", password="feil")
    login(testapp, "larer")
    assert journal_entries(access, "login_failed")[-1]["actor"] == demo["uid"]["larer"]
    assert journal_entries(access, "login")[-1]["actor"] == demo["uid"]["larer"]


def test_leader_sees_unit_report_with_diagrams_csv_and_pdf(testapp, demo):
    login(testapp, "rektor")
    url = f"/demo/units/{demo['school']}/audit"
    page = testapp.get(url)
    assert "<svg" in page.text and "aktivere (" in page.text  # the transition, in words
    assert "stateDiagram-v2" in page.text
    assert "Lars Lærer" in page.text  # the holder's name, shown from the employee record

    sheet = testapp.get(url, {"format": "csv"})
    assert sheet.content_type == "text/csv"
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    activations = [r for r in rows if r["trigger"] == "activate"]
    assert {r["log"] for r in activations} >= {demo["emma"], demo["jonas"]}
    assert all(r["unit"] == demo["school"] or r["from_unit"] == demo["school"] for r in rows)
    assert all(r["actor_name"] for r in activations)

    pdf = testapp.get(url, {"format": "pdf"})
    assert pdf.content_type == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body)).pages)
    assert "Revisjon av arbeidsflyt" in text and "Solbakken skole" in text


def test_report_filters_by_workflow_and_transition(testapp, demo):
    login(testapp, "rektor")
    sheet = testapp.get(f"/demo/units/{demo['school']}/audit",
                        {"format": "csv", "machine": "transfer", "trigger": "propose"})
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    assert [(r["machine"], r["trigger"], r["log"]) for r in rows] == [
        ("transfer", "propose", demo["jonas"])]


def test_report_refuses_bad_date_naming_the_field_and_keeping_the_text(testapp, demo):
    login(testapp, "rektor")
    page = testapp.get(f"/demo/units/{demo['school']}/audit",
                       {"since": "31.02.2024", "format": "csv"}, status=400)
    assert "Skriv datoen som ÅÅÅÅ-MM-DD." in page.text
    assert 'value="31.02.2024"' in page.text


@pytest.mark.parametrize("username", ["larer", "assistent", "forelder", "styrer"])
def test_unit_report_is_refused_to_holder_actor_guardian_and_other_leader(testapp, demo,
                                                                          username):
    login(testapp, username)
    url = f"/demo/units/{demo['school']}/audit"
    testapp.get(url, status=403)
    testapp.get(url, {"format": "csv"}, status=403)
    testapp.get(url, {"format": "pdf"}, status=403)


def test_municipality_report_for_superuser_only(testapp, demo):
    login(testapp, "rektor")
    testapp.get("/demo/audit", status=403)
    testapp.reset()
    login(testapp, "superbruker")
    page = testapp.get("/demo/audit", {"unit": demo["kinder"]})
    assert "avslutte (1)" in page.text  # Lea's log was closed in the kindergarten
    rows = list(csv.DictReader(io.StringIO(testapp.get("/demo/audit", {"format": "csv"}).text)))
    assert {r["unit"] for r in rows} >= {demo["school"], demo["kinder"]}


def test_guardian_and_holder_see_who_has_read_the_log(testapp, demo):
    login(testapp, "larer")
    testapp.get(f"/demo/logs/{demo['emma']}/")
    testapp.reset()
    login(testapp, "forelder")
    testapp.get(f"/demo/logs/{demo['emma']}/")
    page = testapp.get(f"/demo/logs/{demo['emma']}/access-log")
    assert "Lars Lærer" in page.text and "stafettholder" in page.text
    rows = list(csv.DictReader(io.StringIO(
        testapp.get(f"/demo/logs/{demo['emma']}/access-log", {"format": "csv"}).text)))
    readers = {(row["actor"], row["basis"]) for row in rows}
    assert readers == {(demo["uid"]["forelder"], "guardian"), (demo["uid"]["larer"], "holder")}
    assert rows[-1]["actor"] == demo["uid"]["larer"]  # newest first: the holder read first
    pdf = testapp.get(f"/demo/logs/{demo['emma']}/access-log", {"format": "pdf"})
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body)).pages)
    assert "Hvem har lest denne loggen" in text and "Lars Lærer" in text
    testapp.reset()
    login(testapp, "larer")
    assert "Ola Nordmann" in testapp.get(f"/demo/logs/{demo['emma']}/access-log").text


@pytest.mark.parametrize("username", ["assistent", "bjorn", "styrer", "ppt"])
def test_access_log_is_refused_to_unrelated_users_and_actors(testapp, demo, username):
    login(testapp, username)
    testapp.get(f"/demo/logs/{demo['emma']}/access-log", status=403)


def demo_people(root) -> tuple[set[str], set[str]]:
    """Every name and fødselsnummer in the demo data."""
    names, fnrs = set(), set()
    m = root["demo"]
    for employee in m.employees.values():
        names.add(employee.name)
        fnrs.add(employee.fnr)
    for log in m.logs.values():
        names.add(log.subject.name)
        fnrs.add(log.subject.fnr)
        names.update(g.name for g in log.guardians.values())
    names.update(a.display_name for a in root.accounts.values())
    return names, fnrs


def test_no_journal_entry_holds_a_name_or_fodselsnummer(testapp, read_root, access, demo):
    for username in ("larer", "forelder", "assistent", "styrer"):
        login(testapp, username)
        testapp.get(f"/demo/logs/{demo['emma']}/", expect_errors=True)
        testapp.reset()
    login(testapp, "larer", password="feil")
    with read_root() as root:
        names, fnrs = demo_people(root)
        words = {w.lower() for n in names for w in n.split() if len(w) > 2} | {
            n.lower() for n in names}
        entries = [e for _k, e in root["demo"].journal.entries()]
    entries += [e for kind in ("read", "login", "login_failed", "refused")
                for _k, e in access.of_kind(kind)]
    texts = [json.dumps(e, ensure_ascii=False).lower() for e in entries]
    assert {e["kind"] for e in entries} >= {"transition", "read", "login", "login_failed",
                                            "refused"}
    assert len(texts) > 30 and len(fnrs) > 15
    leaks = [(w, t) for t in texts for w in words | fnrs
             if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", t)]
    assert leaks == []
