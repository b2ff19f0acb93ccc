"""Login sessions that really end (OWASP ASVS V3; ID-porten: 30 min idle, 120 min at most).

The session cookie is signed and carries the idle timeout (``SignedCookieSessionFactory``),
but a signed cookie alone cannot be taken back: a copy made before logout would go on
working. So each login also gets a row here, in the access journal's SQL store (SQLite on
one machine, PostgreSQL on several), and the cookie carries only a random token whose hash
names the row. A request is logged in while its row is neither ended (logout, "log out
everywhere", a back-channel logout from ID-porten) nor past its absolute end.

Reads per request are one primary-key lookup and write nothing; a login writes one row and
a logout updates it.
"""

from __future__ import annotations

import hashlib
import secrets
import time

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS login_sessions ("
    " id VARCHAR(64) PRIMARY KEY, account VARCHAR(64) NOT NULL,"
    " started BIGINT NOT NULL, ends BIGINT NOT NULL, ended BIGINT,"
    " provider_sid VARCHAR(255), id_token TEXT)",
    "CREATE INDEX IF NOT EXISTS login_sessions_by_account ON login_sessions (account, ended)",
    "CREATE INDEX IF NOT EXISTS login_sessions_by_provider_sid"
    " ON login_sessions (provider_sid)",
    "CREATE INDEX IF NOT EXISTS login_sessions_by_end ON login_sessions (ends)",
)
MAX_SECONDS = 2 * 60 * 60  # ID-porten's absolute limit
KEEP_ENDED_SECONDS = 24 * 60 * 60  # rows are pruned a day after they could last be used


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LoginSessions:
    def __init__(self, backend, max_seconds: int = MAX_SECONDS):
        self.backend, self.max_seconds = backend, max_seconds
        with backend.transaction(exclusive=True) as cur:  # processes starting together
            for statement in SCHEMA:
                cur.execute(statement)

    def start(self, account_uid: str, *, provider_sid: str | None = None,
              id_token: str | None = None) -> str:
        """A new session; returns the token the cookie carries (never stored as such)."""
        token = secrets.token_urlsafe(32)
        now = time.time_ns()
        self.backend.execute(
            "INSERT INTO login_sessions (id, account, started, ends, provider_sid, id_token)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (_digest(token), account_uid, now, now + self.max_seconds * 10**9,
             provider_sid, id_token))
        return token

    def is_live(self, token: str | None, account_uid: str) -> bool:
        if not token:
            return False
        rows = self.backend.query(
            "SELECT account, ends, ended FROM login_sessions WHERE id = ?", (_digest(token),))
        if not rows:
            return False
        account, ends, ended = rows[0]
        return account == account_uid and ended is None and time.time_ns() < ends

    def id_token(self, token: str | None) -> str | None:
        """The ID token of an ID-porten session (the hint for logging out there)."""
        if not token:
            return None
        rows = self.backend.query("SELECT id_token FROM login_sessions WHERE id = ?",
                                  (_digest(token),))
        return rows[0][0] if rows else None

    def end(self, token: str | None) -> None:
        if token:
            self._end("id = ?", _digest(token))

    def end_all(self, account_uid: str) -> int:
        """"Log out everywhere": every live session of the account."""
        return self._end("account = ?", account_uid)

    def end_provider_session(self, provider_sid: str) -> int:
        """A back-channel logout: the sessions started from that ID-porten session."""
        return self._end("provider_sid = ?", provider_sid)

    def live_count(self, account_uid: str) -> int:
        return self.backend.query(
            "SELECT COUNT(*) FROM login_sessions WHERE account = ? AND ended IS NULL"
            " AND ends > ?", (account_uid, time.time_ns()))[0][0]

    def prune(self) -> int:
        """Rows that can no longer be used, a day after; run by the nightly job."""
        cutoff = time.time_ns() - KEEP_ENDED_SECONDS * 10**9
        with self.backend.transaction() as cur:
            cur.execute("SELECT COUNT(*) FROM login_sessions WHERE ends < ?", (cutoff,))
            count = cur.fetchone()[0]
            cur.execute("DELETE FROM login_sessions WHERE ends < ?", (cutoff,))
        return count

    def _end(self, where: str, value: str) -> int:
        now = time.time_ns()
        with self.backend.transaction() as cur:
            cur.execute(f"SELECT COUNT(*) FROM login_sessions WHERE {where} AND ended IS NULL",
                        (value,))
            count = cur.fetchone()[0]
            cur.execute(f"UPDATE login_sessions SET ended = ? WHERE {where} AND ended IS NULL",
                        (now, value))
        return count
