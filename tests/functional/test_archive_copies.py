"""R35: the holder and the unit's leader list a log's archive copies and download them as
PDF/A; the family and other units do not; every download is journaled; a GET writes nothing."""

from __future__ import annotations

import os
import re

import pytest

from stafett.services import archive, copies

from ..conftest import login
from ..pdfa import assert_pdfa


@pytest.fixture
def emma(read_root) -> dict:
    """Emma's log with a yearly copy, its PDF made by the worker after the commit."""
    with read_root() as root:
        m = root["demo"]
        log = next(x for x in m.logs.values() if x.subject.name == "Emma Nordmann")
        made = copies.make_yearly_copy(log)
        school = next(u for u in m.units.values() if u.name == "Solbakken skole")
        found = {"id": log.id, "copy": made.__name__, "log": f"/demo/logs/{log.id}/",
                 "unit": f"/demo/units/{school.id}/"}
    archive.WORKER.wait()
    return found


def _download_link(page) -> str:
    (href,) = re.findall(r'href="([^"]*archive-copy\?copy=[^"]*)"', page.text)
    return href.replace("&amp;", "&")


@pytest.mark.parametrize("username", ["larer", "rektor"])
def test_r35_holder_and_leader_list_and_download_a_pdfa_copy(testapp, access, emma, username):
    login(testapp, username)
    assert "archive-copies" in testapp.get(emma["log"]).text  # the link from the log page
    page = testapp.get(emma["log"] + "archive-copies", status=200)
    assert "Årlig kopi" in page.text and "kB" in page.text
    reads = len(access.of_log(emma["id"]))
    response = testapp.get(_download_link(page), status=200)
    assert response.content_type == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"-{emma['id']}-yearly-" in disposition
    assert_pdfa(response.body)
    new = [e for _k, e in access.of_log(emma["id"])][: len(access.of_log(emma["id"])) - reads]
    assert [(e["view"], e["actor"] != "") for e in new] == [("archive-copy", True)]


def test_r35_the_leader_downloads_from_the_console_and_it_is_journaled(testapp, access, emma):
    login(testapp, "rektor")
    page = testapp.get(emma["unit"] + "console-archive-copies", status=200)
    assert "Årlig kopi" in page.text
    reads = len(access.of_log(emma["id"]))
    response = testapp.get(_download_link(page), status=200)
    assert_pdfa(response.body)
    (entry,) = [e for _k, e in access.of_log(emma["id"])][: len(access.of_log(emma["id"]))
                                                          - reads]
    assert (entry["object_kind"], entry["object"]) == ("archivedpdf", emma["copy"])
    assert entry["basis"] == ("leader",)


@pytest.mark.parametrize("username", ["forelder", "styrer", "assistent", "helsesykepleier"])
def test_r35_family_actors_and_other_units_get_no_copy(testapp, access, emma, username):
    login(testapp, username)
    reads = len(access.of_log(emma["id"]))
    for url in (emma["log"] + "archive-copies",
                emma["log"] + f"archive-copy?copy={emma['copy']}",
                emma["unit"] + "console-archive-copies",
                emma["unit"] + f"console-archive-copy?copy={emma['copy']}"):
        assert testapp.get(url, expect_errors=True).status_int in (403, 404), url
    assert len(access.of_log(emma["id"])) == reads


def test_r35_an_unknown_copy_is_not_found(testapp, emma):
    login(testapp, "larer")
    testapp.get(emma["log"] + "archive-copy?copy=archive-x", status=404)
    testapp.get(emma["log"] + "archive-copy", status=303)
    login(testapp, "rektor")
    for name in ("archive-x", "", emma["copy"][:-1] + "9", "archive-../x-1"):
        testapp.get(emma["unit"] + f"console-archive-copy?copy={name}", status=404)


def test_r35_the_console_pages_through_copies_and_refuses_a_bad_cursor(
        testapp, read_root, emma, monkeypatch):
    monkeypatch.setattr(copies, "PAGE_SIZE", 1)
    with read_root() as root:
        log = root["demo"].logs[emma["id"]]
        second = copies.make_yearly_copy(log).__name__
    archive.WORKER.wait()
    login(testapp, "rektor")
    first_page = testapp.get(emma["unit"] + "console-archive-copies", status=200)
    assert second in first_page.text and emma["copy"] not in first_page.text
    next_url = re.search(r'href="([^"]*console-archive-copies\?after=[^"]*)"', first_page.text)
    last_page = testapp.get(next_url[1].replace("&amp;", "&"), status=200)
    assert emma["copy"] in last_page.text and "after=" not in last_page.text
    for bad in ("x", "archive-a-2026", "archive-a-99999999999999999999"):
        testapp.get(emma["unit"] + f"console-archive-copies?after={bad}", status=400)


def test_r35_a_copy_not_yet_made_shows_being_made(testapp, read_root, monkeypatch, emma):
    monkeypatch.setattr(archive.WORKER, "submit", lambda db, archived: None)
    with read_root() as root:
        log = root["demo"].logs[emma["id"]]
        waiting = archive.archive_log(log, reason="closed")
        name = waiting.__name__
    login(testapp, "larer")
    page = testapp.get(emma["log"] + "archive-copies", status=200)
    assert "Lages nå" in page.text
    testapp.get(emma["log"] + f"archive-copy?copy={name}", status=303)


def test_r35_listing_and_downloading_write_nothing(testapp, app_db, datafs, access, emma):
    for username, urls in (("larer", [emma["log"] + "archive-copies"]),
                           ("rektor", [emma["unit"] + "console-archive-copies"])):
        login(testapp, username)
        page = testapp.get(urls[0])
        before = (app_db.storage.lastTransaction(), os.path.getsize(datafs))
        testapp.get(urls[0], status=200)
        testapp.get(_download_link(page), status=200)
        assert (app_db.storage.lastTransaction(), os.path.getsize(datafs)) == before
        testapp.reset()
