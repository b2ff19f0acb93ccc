"""Notifications that could not be sent, for the log's holder to see (R37).

Most failures are only known after the request's transaction has committed (an SMTP
server or SMS gateway refusing), when the object database is no longer the request's to
write. They go to the access journal's SQL store instead, beside the visit stamps: an
append that never conflicts, committed at once, with no follow-up ZODB transaction for a
single row. A row holds ids and codes only (the recipient as ``guardian:<id>`` and the
like); the holder's page finds the name in the log. Erased with the log (R17).
"""

from __future__ import annotations

import secrets
import time

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS notice_failures ("
    " log VARCHAR(64) NOT NULL, at BIGINT NOT NULL, token VARCHAR(16) NOT NULL,"
    " kind VARCHAR(32) NOT NULL, recipient VARCHAR(96) NOT NULL,"
    " channel VARCHAR(8) NOT NULL, reason VARCHAR(32) NOT NULL,"
    " PRIMARY KEY (log, at, token))",
)
SHOWN = 10


class NoticeFailures:
    def __init__(self, backend):
        self.backend = backend
        with backend.transaction(exclusive=True) as cur:  # processes starting together
            for statement in SCHEMA:
                cur.execute(statement)

    def record(self, log_id: str, kind: str, recipient: str, channel: str, reason: str,
               at: int | None = None) -> None:
        self.backend.execute(
            "INSERT INTO notice_failures (log, at, token, kind, recipient, channel, reason)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (log_id, time.time_ns() if at is None else at, secrets.token_hex(4), kind,
             recipient, channel, reason))

    def of_log(self, log_id: str, most: int = SHOWN) -> list[dict]:
        """The latest failures about a log, newest first."""
        rows = self.backend.query(
            "SELECT at, kind, recipient, channel, reason FROM notice_failures"
            " WHERE log = ? ORDER BY at DESC LIMIT ?", (log_id, most))
        return [dict(zip(("at", "kind", "recipient", "channel", "reason"), row, strict=True))
                for row in rows]

    def forget_log(self, log_id: str) -> None:
        self.backend.execute("DELETE FROM notice_failures WHERE log = ?", (log_id,))


def forget_failures_of_deleted_log(event) -> None:
    """R17: once a log's deletion commits, what was recorded about its messages goes too."""
    if event.workflow != "log" or event.dest != "deleted" or event.request is None:
        return
    failures, log_id = event.request.registry.notice_failures, event.obj.id
    event.request.tm.get().addAfterCommitHook(
        lambda committed: committed and failures.forget_log(log_id))
