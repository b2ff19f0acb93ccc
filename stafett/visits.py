"""When a family member last looked at a log, so their page can say what changed since
(issue: the family's side). Kept beside the login sessions in the access journal's SQL
store, never in the object database: a GET writes nothing there.

A visit lasts while pages follow each other within ``VISIT_GAP``; what is "new" is what
came after the visit before this one, so reading on within a visit does not wipe the list.
One row per (log, account), holding ids and times only.
"""

from __future__ import annotations

import time

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS log_visits ("
    " log VARCHAR(64) NOT NULL, account VARCHAR(64) NOT NULL,"
    " last BIGINT NOT NULL, previous BIGINT, PRIMARY KEY (log, account))",
    "CREATE INDEX IF NOT EXISTS log_visits_by_account ON log_visits (account, log)",
)
VISIT_GAP_NS = 30 * 60 * 10**9
REFRESH_NS = 60 * 10**9  # pages within a minute of the last stamp leave it be: no write


class Visits:
    def __init__(self, backend):
        self.backend = backend
        with backend.transaction(exclusive=True) as cur:  # processes starting together
            for statement in SCHEMA:
                cur.execute(statement)

    def visit(self, log_id: str, account_uid: str, now_ns: int | None = None) -> int | None:
        """Records this page view; returns when the visit before this one was (ns), or
        None for a first visit."""
        now_ns = time.time_ns() if now_ns is None else now_ns
        rows = self.backend.query(
            "SELECT last, previous FROM log_visits WHERE log = ? AND account = ?",
            (log_id, account_uid))
        if not rows:
            self._store(log_id, account_uid, now_ns, None)
            return None
        last, previous = rows[0]
        if 0 <= now_ns - last < REFRESH_NS:
            return previous
        if now_ns - last > VISIT_GAP_NS:  # a new visit: the last one becomes "before"
            previous = last
        self._store(log_id, account_uid, now_ns, previous)
        return previous

    def _store(self, log_id: str, account_uid: str, last: int, previous: int | None) -> None:
        self.backend.execute(
            "INSERT INTO log_visits (log, account, last, previous) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (log, account) DO UPDATE SET last = excluded.last,"
            " previous = excluded.previous", (log_id, account_uid, last, previous))

    def seen(self, log_id: str, account_uid: str, now_ns: int | None = None) -> None:
        """The person saw the log as it is now (they changed it themselves): the stamp
        moves on, the visit before stays what it was."""
        now_ns = time.time_ns() if now_ns is None else now_ns
        self.backend.execute(
            "INSERT INTO log_visits (log, account, last, previous) VALUES (?, ?, ?, NULL)"
            " ON CONFLICT (log, account) DO UPDATE SET last = excluded.last"
            " WHERE log_visits.last < excluded.last", (log_id, account_uid, now_ns))

    def last_seen(self, account_uid: str, log_ids) -> dict[str, int]:
        """When the person last looked at each of these logs (ns), for those they have
        looked at; one query, by the account's own rows."""
        log_ids = list(log_ids)
        if not log_ids:
            return {}
        marks = ", ".join("?" for _id in log_ids)
        return dict(self.backend.query(
            f"SELECT log, last FROM log_visits WHERE account = ? AND log IN ({marks})",
            (account_uid, *log_ids)))

    def forget_log(self, log_id: str) -> None:
        """A deleted log leaves no trace of who read it here (R17)."""
        self.backend.execute("DELETE FROM log_visits WHERE log = ?", (log_id,))


def forget_visits_of_deleted_log(event) -> None:
    """R17: once a log's deletion commits, its visits go too (``events.AfterTransition``)."""
    if event.workflow != "log" or event.dest != "deleted" or event.request is None:
        return
    visits, log_id = event.request.registry.visits, event.obj.id
    event.request.tm.get().addAfterCommitHook(
        lambda committed: committed and visits.forget_log(log_id))
