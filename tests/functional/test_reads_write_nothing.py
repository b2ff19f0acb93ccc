"""A GET writes nothing to the object database (issue 9): reads are journaled in the access
journal, sealing is a nightly job, and no page touches a persistent object."""

from __future__ import annotations

import os

import pytest

from ..conftest import csrf_token, login


@pytest.fixture
def pages(read_root) -> dict[str, list[str]]:
    with read_root() as root:
        m = root["demo"]
        emma = next(log for log in m.logs.values() if log.subject.name == "Emma Nordmann")
        concern = next(iter(emma.concerns.values()))
        meeting = next(iter(emma.meetings.values()))
        school = next(u for u in m.units.values() if u.name == "Solbakken skole")
        ids = emma.id, concern.id, meeting.id, school.id
    emma_id, concern_id, meeting_id, school_id = ids
    log, unit = f"/demo/logs/{emma_id}/", f"/demo/units/{school_id}/"
    return {
        "larer": ["/", "/demo/search?q=emma", log, f"{log}concerns/{concern_id}/",
                  f"{log}access-log",
                  f"{log}access-log?format=csv", f"{log}meetings/{meeting_id}/pdf",
                  f"{log}add-glimpse", f"{log}concerns/{concern_id}/edit",
                  f"{log}child-view", f"{log}add-voice", "/notifications", "/help",
                  "/demo-kurs/practice"],
        # the family's page records the visit, in SQL (stafett.visits), not in ZODB
        "forelder": ["/", log, log, f"{log}full", f"{log}supervision", f"{log}access-log",
                     f"{log}before-meeting", f"{log}meetings/{meeting_id}/feedback",
                     f"{log}child-view", "/notifications", "/help"],
        "rektor": ["/", "/demo/search?q=nordmann", unit + "console-requests",
                   unit + "console", unit + "console-logs", unit + "console-consents",
                   unit + "console-passive", unit + "console-transfers", unit + "audit",
                   unit + "audit?format=csv", f"{unit}console-delete?log={emma_id}",
                   unit + "console-archive"],
        "superbruker": ["/demo/admin", "/demo/audit", "/demo/search?q=emma",
                        "/demo/archive-outbox"],
    }


def test_gets_add_no_record_to_the_storage(testapp, app_db, datafs, pages, access):
    for username, urls in pages.items():
        login(testapp, username)
        before = (app_db.storage.lastTransaction(), os.path.getsize(datafs))
        reads = len(access.of_kind("read"))
        for url in urls:
            assert testapp.get(url).status_int == 200, url
        after = (app_db.storage.lastTransaction(), os.path.getsize(datafs))
        assert after == before, f"a GET as {username} wrote to the object database"
        testapp.reset()
        if username != "superbruker":
            assert len(access.of_kind("read")) > reads  # the reads went to the access journal


def test_practice_pages_add_no_record_to_the_storage(testapp, app_db, datafs, read_root):
    """R43: stepping into the practice municipality writes no object; nor do its pages."""
    with read_root() as root:
        emma = next(log for log in root["demo-kurs"].logs.values()
                    if log.subject.name == "Emma Nordmann")
        log = f"/demo-kurs/logs/{emma.id}/"
    login(testapp, "rektor")
    before = (app_db.storage.lastTransaction(), os.path.getsize(datafs))
    page = testapp.get("/demo-kurs/practice")
    testapp.post("/demo-kurs/practice", {"as": "demo-kurs.rektor",
                                         "csrf_token": csrf_token(page)}, status=303)
    for url in ("/", "/demo-kurs/practice", "/demo-kurs/reset-practice", log, "/help"):
        assert testapp.get(url).status_int == 200, url
    assert (app_db.storage.lastTransaction(), os.path.getsize(datafs)) == before
