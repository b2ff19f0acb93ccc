"""Login throttling per account and per address (ASVS 2.2.1), with the ``limits`` library.

Only failures count. While either limit is reached every attempt is refused, the right
password too, so guessing costs minutes, not milliseconds. The counters live in
``stafett.throttle_storage`` (a ``limits`` storage URI): ``memory://`` counts per process,
which is enough for one process; several processes share ``redis://`` or ``memcached://``.
"""

from __future__ import annotations

import hashlib

from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

DEFAULTS = {
    "stafett.throttle_storage": "memory://",
    "stafett.login_limit_account": "5/minute;20/hour",
    "stafett.login_limit_address": "30/minute;300/hour",
}


class LoginThrottle:
    def __init__(self, storage_uri: str, per_account: str, per_address: str):
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self.limits = {"account": parse_many(per_account), "address": parse_many(per_address)}

    @classmethod
    def from_settings(cls, settings) -> LoginThrottle:
        value = {key: settings.get(key) or default for key, default in DEFAULTS.items()}
        return cls(*value.values())

    def allows(self, username: str, address: str | None) -> bool:
        return all(self.limiter.test(limit, kind, key)
                   for kind, key in self._keys(username, address)
                   for limit in self.limits[kind])

    def failed(self, username: str, address: str | None) -> None:
        for kind, key in self._keys(username, address):
            for limit in self.limits[kind]:
                self.limiter.hit(limit, kind, key)

    @staticmethod
    def _keys(username: str, address: str | None) -> list[tuple[str, str]]:
        """The typed name is hashed: an unknown name may be a person's name or a password
        typed in the wrong field, and the counters need not hold it."""
        name = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
        return [("account", name), ("address", address or "unknown")]


SEARCH_LIMIT = ("stafett.search_limit", "30/minute;300/hour")


class SearchThrottle:
    """Searches for a child per account (R45): a person looks up a few children at a time;
    a run of lookups by number, trying which children have a log, stops here."""

    def __init__(self, storage_uri: str, per_account: str):
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self.limits = parse_many(per_account)

    @classmethod
    def from_settings(cls, settings) -> SearchThrottle:
        storage = settings.get("stafett.throttle_storage") or DEFAULTS["stafett.throttle_storage"]
        return cls(storage, settings.get(SEARCH_LIMIT[0]) or SEARCH_LIMIT[1])

    def hit(self, account_uid: str) -> bool:
        """Count one search; False once a limit is reached (the search is not made)."""
        return all([self.limiter.hit(limit, "search", account_uid) for limit in self.limits])
