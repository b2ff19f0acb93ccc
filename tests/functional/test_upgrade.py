"""Upgrades (issue 13, item 6): a database made by the previous release (kept in
tests/data, see its README.txt) is refused until ``stafett-init`` evolves it, then served,
written and verified; ``stafett-init --dry-run`` says what would change and changes nothing."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import transaction
import webtest
from ZODB import DB, FileStorage

from stafett import main
from stafett.models.base import Timeline
from stafett.scripts.init import main as init_main
from stafett.storage import EVOLVE_STEPS, ROOT_KEY, DatabaseBehind

from ..conftest import app_settings, close_app, login

RELEASE = Path(__file__).parent.parent / "data" / "release-91c4002"
RELEASE_GENERATION = 9  # len(EVOLVE_STEPS) at that commit
SCRIPTS = os.path.dirname(sys.executable)


@pytest.fixture
def old(tmp_path):
    """A copy of the previous release's database and an ini file naming it."""
    datafs = tmp_path / "Data.fs"
    shutil.copy(RELEASE / "Data.fs", datafs)
    ini = tmp_path / "app.ini"
    ini.write_text("[app:main]\nuse = egg:stafett\n"
                   f"zodbconn.uri = file://{datafs}\n"
                   f"stafett.access_journal = sqlite://{tmp_path}/access.sqlite\n")
    return {"datafs": str(datafs), "ini": str(ini)}


def run(script: str, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([os.path.join(SCRIPTS, script), *args], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def state(datafs: str) -> tuple[int, bytes, int, list[str]]:
    """The generation, the last transaction id, the file's size and the children's names,
    read without writing."""
    db = DB(FileStorage.FileStorage(datafs, read_only=True))
    try:
        conn = db.open()
        root = conn.root()[ROOT_KEY]
        names = [log.subject.name for m in root.values() for log in m.logs.values()]
        found = (root.generation, db.storage.lastTransaction(), os.path.getsize(datafs),
                 names)
        conn.close()
        return found
    finally:
        db.close()


def test_the_release_database_is_at_its_generation_and_behind_this_one(old):
    generation, _tid, _size, names = state(old["datafs"])
    assert generation == RELEASE_GENERATION < len(EVOLVE_STEPS)
    assert names  # the demo's logs are there to be evolved


def test_an_app_refuses_the_old_database_until_stafett_init(old):
    with pytest.raises(DatabaseBehind, match="generation 9 .* run stafett-init"):
        main({}, **app_settings(old["datafs"]))


def test_dry_run_names_the_pending_steps_and_changes_nothing(old):
    before = state(old["datafs"])
    out = run("stafett-init", "--dry-run", old["ini"]).stdout
    assert f"database at generation 9, this version needs {len(EVOLVE_STEPS)}" in out
    for number, step in enumerate(EVOLVE_STEPS[RELEASE_GENERATION:], RELEASE_GENERATION + 1):
        first_line = step.__doc__.strip().splitlines()[0].strip()
        assert re.search(rf"^  {number} {step.__name__.lstrip('_')}: .*{re.escape(first_line)}",
                         out, re.M), out
    assert "dry run: nothing changed" in out
    assert "ready" not in out
    assert state(old["datafs"]) == before  # generation, last transaction, size
    _no_personal_data(out, before[3])


def test_stafett_init_evolves_once_and_a_second_run_changes_nothing(old):
    names = state(old["datafs"])[3]
    out = run("stafett-init", old["ini"]).stdout
    pending = len(EVOLVE_STEPS) - RELEASE_GENERATION
    assert out.index("pending evolve steps:") < out.index(
        f"database ready at generation {len(EVOLVE_STEPS)} ({pending} evolve steps run)")
    _no_personal_data(out, names)
    upgraded = state(old["datafs"])
    again = run("stafett-init", old["ini"]).stdout
    assert "no evolve steps pending" in again and "(0 evolve steps run)" in again
    assert state(old["datafs"]) == upgraded


def _no_personal_data(out: str, names: list[str]) -> None:
    assert not re.search(r"\d{11}", out)  # no fødselsnummer
    for name in names:
        for part in name.split():
            assert part not in out


@pytest.fixture
def upgraded(old):
    run("stafett-init", old["ini"])
    wsgi = main({}, **app_settings(old["datafs"]))
    served = {**old, "app": wsgi, "testapp": webtest.TestApp(wsgi), "open": True}
    yield served
    if served["open"]:
        close_app(wsgi)


@contextlib.contextmanager
def opened(wsgi):
    """The app's database outside any request, to inspect (aborted)."""
    manager = transaction.TransactionManager()
    conn = wsgi.registry._zodb_databases[""].open(transaction_manager=manager)
    try:
        yield conn.root()[ROOT_KEY]
    finally:
        manager.abort()
        conn.close()


def _logs_linked(page) -> list[str]:
    return sorted(set(re.findall(r'href="(?:http://localhost)?(/demo/logs/\w+/)"', page.text)))


def _as(testapp, username):
    testapp.reset()
    return login(testapp, username).follow()


def test_the_upgraded_database_serves_each_demo_user(upgraded):
    testapp = upgraded["testapp"]
    front = _as(testapp, "larer")
    logs = _logs_linked(front)
    assert len(logs) >= 2
    for url in logs:
        assert testapp.get(url).html.select_one("h1").text.strip()
    found = testapp.get("/demo/search", {"q": "emma"})  # step 10: children findable
    assert [a.text for a in found.html.select("#search-results tbody a")] == ["Emma Nordmann"]

    family = _as(testapp, "forelder")
    [own] = _logs_linked(family)
    assert "Emma Nordmann" in testapp.get(own).text

    leader = _as(testapp, "rektor")
    [console] = re.findall(r'href="(?:http://localhost)?(/demo/units/\w+/console)"', leader.text)
    assert testapp.get(console).html.select_one("h1")

    _as(testapp, "superbruker")
    assert testapp.get("/demo/admin").status_int == 200


def test_the_upgraded_database_takes_a_glimpse_and_has_every_steps_shape(upgraded):
    testapp = upgraded["testapp"]
    _as(testapp, "larer")
    with opened(upgraded["app"]) as root:
        emma = next(log for log in root["demo"].logs.values()
                    if log.subject.name == "Emma Nordmann")
        url, sent = f"/demo/logs/{emma.id}/", len(list(emma.outbox.values()))
    form = next(form for key, form in testapp.get(url + "add-glimpse").forms.items()
                if isinstance(key, str) and "__formid__" in form.fields)
    form["text"] = "Emma leste høyt for klassen."
    form.submit("save", status=303)

    with opened(upgraded["app"]) as root:
        municipality = root["demo"]
        assert municipality.index.search_key  # step 10
        assert hasattr(municipality, "log_requests_by_asker")
        units = list(municipality.units.values())
        for unit in units:
            assert unit.requests_waiting() == len(unit.waiting_requests)
        assert sum(len(unit.log_requests) for unit in units) >= 1  # the demo's request
        for log in municipality.logs.values():
            assert isinstance(log.outbox, Timeline)  # step 11
            for name in ("voices", "family_verdicts", "meeting_feedback"):
                assert getattr(log, name) is not None
        emma = municipality.logs[emma.id]
        assert "Emma leste høyt for klassen." in [g.text for g in emma.glimpses.values()]
        assert len(list(emma.outbox.values())) > sent  # the family heard of it (R37)
    close_app(upgraded["app"])  # stafett-audit takes the FileStorage's lock
    upgraded["open"] = False
    verified = run("stafett-audit", "verify", upgraded["ini"]).stdout
    assert "demo: ok" in verified and "access journal: ok" in verified


def test_dry_run_on_an_empty_database_makes_no_app_root(tmp_path):
    datafs = tmp_path / "Data.fs"
    ini = tmp_path / "app.ini"
    ini.write_text(f"[app:main]\nuse = egg:stafett\nzodbconn.uri = file://{datafs}\n")
    out = io.StringIO()
    init_main(["--dry-run", str(ini)], out=out)
    assert f"no app root yet: one is made at generation {len(EVOLVE_STEPS)}" in out.getvalue()
    db = DB(FileStorage.FileStorage(str(datafs), read_only=True))
    try:
        conn = db.open()
        assert ROOT_KEY not in conn.root()
        conn.close()
    finally:
        db.close()
