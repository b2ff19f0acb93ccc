"""App processes started together on a fresh ``var/`` (or a fresh PostgreSQL database):
each makes the side stores' tables (access journal, login sessions, visits, failed notices)
and writes its first message into ``var/mail`` at the same moment, and none of them fails.
Before, SQLite answered "database is locked" to about one process in twenty and
PostgreSQL's CREATE TABLE IF NOT EXISTS a duplicate key to the second."""

from __future__ import annotations

import multiprocessing
import os
import traceback

import pytest
from pyramid_mailer.message import Message

ROUNDS, PROCESSES = 20, 3


def start_like_an_app(journal_uri: str, var: str, barrier, failures) -> None:
    from stafett.access_journal import open_access_journal
    from stafett.login_sessions import LoginSessions
    from stafett.services.mail import FolderDelivery
    from stafett.services.notice_failures import NoticeFailures
    from stafett.visits import Visits

    barrier.wait()
    try:
        journal = open_access_journal({"stafett.access_journal": journal_uri})
        LoginSessions(journal.backend, 7200)
        Visits(journal.backend)
        NoticeFailures(journal.backend)
        FolderDelivery(os.path.join(var, "mail")).write(
            Message(subject="Stafett", sender="stafett@localhost",
                    recipients=["a@example.org"], body="Hei."), "log1")
        journal.close()
    except Exception:  # noqa: BLE001 - reported to the test
        failures.put(traceback.format_exc())


@pytest.mark.parametrize("journal", ["sqlite", "postgresql"])
def test_processes_started_together_on_a_fresh_var_all_start(tmp_path, request, journal):
    context = multiprocessing.get_context("fork")
    failures = context.Queue()
    for number in range(ROUNDS):
        var = str(tmp_path / f"round{number}" / "var")
        if journal == "sqlite":
            uri = f"sqlite://{var}/access.sqlite"
        else:
            postgres = request.getfixturevalue("postgres")
            uri = postgres.url(postgres.create_database(f"fresh_{os.getpid()}_{number}"))
        barrier = context.Barrier(PROCESSES)
        processes = [context.Process(target=start_like_an_app,
                                     args=(uri, var, barrier, failures))
                     for _ in range(PROCESSES)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=120)
        assert [p.exitcode for p in processes] == [0] * PROCESSES
        assert failures.empty(), failures.get()
        assert len(os.listdir(os.path.join(var, "mail", "log1"))) == PROCESSES
