"""BTree indexes kept in step with the logs by the same transaction (DESIGN: Storage).

A page that lists "logs held by X" or "active logs of unit Y" reads one BTree set, so its
cost depends on what it shows, not on how many logs the municipality holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree, OOTreeSet
from persistent import Persistent


def _guardian_and_subject_accounts(log) -> set[str]:
    names = {g.username for g in log.guardians.values() if g.username}
    if log.subject.username:
        names.add(log.subject.username)
    return names


def _readers(log) -> set[str]:
    return {g.employee_id for g in log.grants.values() if g.active}


LOG_FIELDS: dict[str, Callable] = {
    "holder": lambda log: {log.holder_id},
    "unit": lambda log: {log.unit_id},
    "state": lambda log: {log.state},
    "level": lambda log: {int(log.level)},
    "account": _guardian_and_subject_accounts,
    "actor": lambda log: log.actor_ids(),
    "reader": _readers,
}


class LogIndex(Persistent):
    def __init__(self) -> None:
        self._fields = OOBTree({name: OOBTree() for name in LOG_FIELDS})
        self._counts = OOBTree()
        self._indexed = OOBTree()  # log id -> {field: tuple of values} last indexed
        self.measures_by_deadline = OOTreeSet()  # (deadline, log id, concern id, measure id)
        self.consents_by_expiry = OOTreeSet()  # (expires, log id, consent id)

    # -- logs ---------------------------------------------------------------------------
    def reindex(self, log) -> None:
        old = self._indexed.get(log.id, {})
        new = {name: tuple(sorted(values(log))) for name, values in LOG_FIELDS.items()}
        for name in LOG_FIELDS:
            before, after = set(old.get(name, ())), set(new[name])
            for value in before - after:
                self._remove(name, value, log.id)
            for value in after - before:
                self._add(name, value, log.id)
        if new != old:
            self._indexed[log.id] = new

    def unindex(self, log) -> None:
        for name, values in self._indexed.pop(log.id, {}).items():
            for value in values:
                self._remove(name, value, log.id)
        for concern in log.concerns.values():
            for measure in concern.measures.values():
                self.measures_by_deadline.discard(self._measure_key(log.id, measure))
        for consent in log.consents.values():
            if consent.expires is not None:
                self.consents_by_expiry.discard(self._consent_key(log.id, consent))

    def ids(self, field: str, value) -> Iterable[str]:
        found = self._fields[field].get(value)
        return found.keys() if found is not None else ()

    def count(self, field: str, value) -> int:
        counter = self._counts.get((field, value))
        return counter() if counter is not None else 0

    def values(self, field: str) -> list:
        return list(self._fields[field].keys())

    def _add(self, field: str, value, log_id: str) -> None:
        tree = self._fields[field]
        bucket = tree.get(value)
        if bucket is None:
            bucket = tree[value] = OOTreeSet()
        if bucket.insert(log_id):
            self._counter(field, value).change(1)

    def _remove(self, field: str, value, log_id: str) -> None:
        bucket = self._fields[field].get(value)
        if bucket is not None and log_id in bucket:
            bucket.remove(log_id)
            self._counter(field, value).change(-1)

    def _counter(self, field: str, value) -> Length:
        counter = self._counts.get((field, value))
        if counter is None:
            counter = self._counts[(field, value)] = Length()
        return counter

    # -- measures and consents ----------------------------------------------------------
    def index_measure(self, log_id: str, measure) -> None:
        key = self._measure_key(log_id, measure)
        if measure.state == "active":
            self.measures_by_deadline.insert(key)
        else:
            self.measures_by_deadline.discard(key)

    def index_consent(self, log_id: str, consent) -> None:
        if consent.expires is None:
            return
        key = self._consent_key(log_id, consent)
        if consent.state == "given":
            self.consents_by_expiry.insert(key)
        else:
            self.consents_by_expiry.discard(key)

    def measures_due(self, until: str, since: str = ""):
        return self.measures_by_deadline.keys(since or None, (until, "\uffff"))

    def consents_expiring(self, until: str, since: str = ""):
        return self.consents_by_expiry.keys(since or None, (until, "\uffff"))

    @staticmethod
    def _measure_key(log_id: str, measure) -> tuple:
        return (measure.deadline.isoformat(), log_id, measure.concern.id, measure.id)

    @staticmethod
    def _consent_key(log_id: str, consent) -> tuple:
        return (consent.expires.isoformat(), log_id, consent.id)
