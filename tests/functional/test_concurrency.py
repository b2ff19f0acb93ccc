"""Two writers at once: nothing is lost (conflicts are resolved or retried, never dropped)."""

from __future__ import annotations

import threading

import webtest

from ..conftest import login

ROUNDS = 15


def test_concurrent_reads_are_all_journaled(app, read_root):
    with read_root() as root:
        municipality = root["demo"]
        emma = next(log for log in municipality.logs.values()
                    if log.subject.name == "Emma Nordmann")
        url, before = f"/demo/logs/{emma.id}/", len(municipality.journal)
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
    with read_root() as root:
        reads = [e for _, e in root["demo"].journal.entries()
                 if e["kind"] == "read" and e["log"] == emma.id]
        assert len(root["demo"].journal) - before >= 2 * ROUNDS
        assert len(reads) >= 2 * ROUNDS
