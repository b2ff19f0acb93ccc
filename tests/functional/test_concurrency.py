"""Two writers at once: nothing is lost (conflicts are resolved or retried, never dropped),
on each storage: FileStorage, ZEO and RelStorage on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
import webtest

from ..conftest import csrf_token, login
from ..storages import KINDS


@pytest.fixture(params=KINDS)
def storage_kind(request) -> str:
    return request.param

ROUNDS = 15


def test_concurrent_reads_are_all_journaled(app, read_root, access):
    with read_root() as root:
        municipality = root["demo"]
        emma = next(log for log in municipality.logs.values()
                    if log.subject.name == "Emma Nordmann")
        url = f"/demo/logs/{emma.id}/"
    clients = {}
    for username in ("larer", "forelder"):
        clients[username] = webtest.TestApp(app)
        login(clients[username], username)
    statuses: list[int] = []

    def read_many(client):
        for _ in range(ROUNDS):
            statuses.append(client.get(url, expect_errors=True).status_int)

    threads = [threading.Thread(target=read_many, args=(c,)) for c in clients.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * (2 * ROUNDS)
    assert len(access.of_log(emma.id)) == 2 * ROUNDS


WRITERS, GLIMPSES = 8, 12


def test_concurrent_writers_in_one_log_all_succeed_and_nothing_is_lost(app, read_root, caplog):
    """16 writers in production; here 8 threads adding glimpses to one log at once: every
    request succeeds (conflicts are merged or retried) and every glimpse is stored."""
    with read_root() as root:
        emma = next(log for log in root["demo"].logs.values()
                    if log.subject.name == "Emma Nordmann")
        url, before = f"/demo/logs/{emma.id}/", len(emma.glimpses)
    statuses: list[int] = []

    def write(client, token, n):
        for i in range(GLIMPSES):
            response = client.post(url + "add-glimpse", {"csrf_token": token,
                                                         "text": f"Lysglimt {n}.{i}"},
                                   expect_errors=True)
            statuses.append(response.status_int)

    clients = []
    for n in range(WRITERS):
        client = webtest.TestApp(app)
        login(client, "larer")
        clients.append((client, csrf_token(client.get(url + "add-glimpse")), n))
    caplog.set_level("WARNING", logger="stafett")
    threads = [threading.Thread(target=write, args=c) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303] * (WRITERS * GLIMPSES)
    with read_root() as root:
        assert len(root["demo"].logs[emma.id].glimpses) == before + WRITERS * GLIMPSES
    assert not [r for r in caplog.records if r.name.startswith("stafett")
                and r.levelname in ("ERROR", "WARNING")]


def test_a_write_that_meets_another_writer_every_time_says_so_and_keeps_the_text(
        testapp, read_root, monkeypatch, caplog):
    from ZODB.POSException import ConflictError

    from stafett.views import notes

    attempts = []

    def always_conflicts(*args, **kw):
        attempts.append(1)
        raise ConflictError()

    monkeypatch.setattr(notes, "add_glimpse", always_conflicts)
    with read_root() as root:
        emma = next(log for log in root["demo"].logs.values()
                    if log.subject.name == "Emma Nordmann")
        url = f"/demo/logs/{emma.id}/add-glimpse"
    login(testapp, "larer")
    form = testapp.get(url).forms["glimpse-form"]
    form["text"] = "Emma leste høyt."
    caplog.set_level("DEBUG", logger="stafett")
    busy = form.submit("save", status=503)
    assert len(attempts) == 5 and busy.headers["Retry-After"]
    assert "ingenting ble lagret" in busy.text and "ligger fortsatt i skjemaet" in busy.text
    assert [r.levelname for r in caplog.records if "conflict" in r.getMessage()] == \
        ["DEBUG"] * 4 + ["WARNING"]
