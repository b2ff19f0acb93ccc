"""Two writers at once: nothing is lost (conflicts are resolved or retried, never dropped)."""

from __future__ import annotations

import threading

import webtest

from ..conftest import login

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
