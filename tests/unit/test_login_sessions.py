"""The login session store (stafett.login_sessions): what ends a session, and pruning."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from stafett.access_journal import backend_for
from stafett.login_sessions import LoginSessions


@pytest.fixture
def sessions():
    backend = backend_for("sqlite:///:memory:")
    yield LoginSessions(backend, max_seconds=7200)
    backend.close()


def test_a_session_is_live_for_its_own_account_only(sessions):
    token = sessions.start("uid-1")
    assert sessions.is_live(token, "uid-1")
    assert not sessions.is_live(token, "uid-2")
    assert not sessions.is_live("made-up", "uid-1") and not sessions.is_live(None, "uid-1")


def test_the_token_itself_is_not_stored(sessions):
    token = sessions.start("uid-1")
    rows = sessions.backend.query("SELECT * FROM login_sessions")
    assert token not in repr(rows)


def test_ending_one_all_or_a_provider_session(sessions):
    first, second = sessions.start("uid-1", provider_sid="sid-a"), sessions.start("uid-1")
    other = sessions.start("uid-2", provider_sid="sid-b")
    sessions.end(first)
    assert not sessions.is_live(first, "uid-1") and sessions.is_live(second, "uid-1")
    assert sessions.end_all("uid-1") == 1 and not sessions.is_live(second, "uid-1")
    assert sessions.end_provider_session("sid-b") == 1 and not sessions.is_live(other, "uid-2")


def test_a_session_ends_at_its_absolute_limit_and_is_pruned_a_day_later(sessions):
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        token = sessions.start("uid-1")
        clock.shift(dt.timedelta(hours=1, minutes=59))
        assert sessions.is_live(token, "uid-1")
        clock.shift(dt.timedelta(minutes=2))
        assert not sessions.is_live(token, "uid-1")
        assert sessions.prune() == 0
        clock.shift(dt.timedelta(days=1))
        assert sessions.prune() == 1
        assert sessions.backend.query("SELECT COUNT(*) FROM login_sessions")[0][0] == 0
