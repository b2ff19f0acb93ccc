"""BTree indexes kept in step with the logs by the same transaction (DESIGN: Storage).

A page that lists "logs held by X" or "active logs of unit Y" reads one BTree set, so its
cost depends on what it shows, not on how many logs the municipality holds.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from collections.abc import Callable, Iterable

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree, OOTreeSet
from persistent import Persistent

from .base import OSLO, utcnow
from .search import FIELD as CHILD_FIELD
from .search import UNIT_FIELD as UNIT_CHILD_FIELD
from .search import child_keys, unit_child_keys


def _guardian_and_subject_accounts(log) -> set[str]:
    """Local usernames, and ``pid:<fødselsnummer>`` for ID-porten logins (R5, R9)."""
    names = {g.username for g in log.guardians.values() if g.username}
    names |= {person_key(g.fnr) for g in log.guardians.values() if g.fnr}
    names.add(person_key(log.subject.fnr))
    if log.subject.username:
        names.add(log.subject.username)
    return names


def person_key(fnr: str) -> str:
    """A digest, not the number: index keys outlive their entries in a BTree's inner nodes,
    and nothing a search for a deleted child's number would find may stay behind (R17)."""
    return "pid:" + hashlib.sha256(fnr.encode()).hexdigest()[:32]


def _readers(log) -> set[str]:
    return {g.employee_id for g in log.grants.values() if g.active}


RUNNING = ("draft", "active", "reopened")
YEARLY_FIELD = "yearly_due"
BASIS_SCOPES = ("create", "reopen")


RECENCY_SECONDS = 3600


def recency_stamp(log) -> float:
    """Minus the hour of the last activity: newest first. By the hour, so that the glimpses
    of one busy hour do not each rewrite the index."""
    stamp = log.last_activity.timestamp()
    return -float(stamp - stamp % RECENCY_SECONDS)


def _activity_day(log) -> str:
    return log.last_activity.astimezone(OSLO).date().isoformat()


def _unit_categories(log) -> set:
    return {(log.unit_id, str(c.category)) for c in log.concerns.values()}


def _unit_deadlines(log) -> set:
    """Active measures of running logs by evaluation deadline (overdue evaluations, R36)."""
    if log.state not in RUNNING:
        return set()
    return {(log.unit_id, m.deadline.isoformat(), m.id) for m in log.active_measures()}


def _open_transfers(log, to: bool) -> set:
    found = set()
    for transfer in log.transfers.values():
        if not transfer.is_open:
            continue
        if to:
            found.add((transfer.to_municipality or log.municipality.id, transfer.to_unit_id))
        else:
            found.add(log.unit_id)
    return found


def _open_transfers_since(log, to: bool) -> set:
    """Open transfers ordered by when they were proposed: the oldest waiting first."""
    found = set()
    for t in log.transfers.values():
        if t.is_open:
            since = t.created.isoformat()
            found.add((t.to_municipality or log.municipality.id, t.to_unit_id, since, t.id)
                      if to else (log.unit_id, since, t.id))
    return found


def _offered_to_employee(log) -> set:
    """(employee, since, transfer id) of open transfers offered to one named employee, the
    oldest first: what waits on that employee's front page (R19)."""
    return {(t.to_employee_id, t.created.isoformat(), t.id) for t in log.transfers.values()
            if t.is_open and t.to_employee_id}


def _basis_expiry(log) -> set:
    """(unit, date) of the latest-expiring basis consent of a running log; none if one
    without expiry stands (R10: the leader sees expired and expiring consents)."""
    if log.state not in ("active", "reopened"):
        return set()
    basis = [c for c in log.consents.values()
             if c.scope in BASIS_SCOPES and c.state in ("given", "expired")]
    if not basis or any(c.state == "given" and c.expires is None for c in basis):
        return set()
    return {(log.unit_id, max(c.expires for c in basis).isoformat())}


def _missing_second_guardian(log) -> set:
    """A running log where both guardians must consent (R9) and no standing basis consent
    carries both."""
    from .consent import required_parties

    if log.state not in RUNNING:
        return set()
    rule, parties = required_parties(log)
    if rule != "all_guardians":
        return set()
    basis = [c for c in log.consents.values() if c.scope in BASIS_SCOPES and c.state == "given"]
    if any(parties <= set(c.given_by) for c in basis) or (log.state == "draft" and not basis):
        return set()
    return {log.unit_id}


def _due_for(log, who: str) -> set:
    """(holder or actor id, deadline, concern id, measure id) of the active measures of a
    running log: the evaluations due on each person's front page (R27, R37)."""
    if log.state not in RUNNING:
        return set()
    found = set()
    for concern in log.concerns.values():
        for m in concern.active_measures():
            person = log.holder_id if who == "holder" else m.actor_id
            if person:
                found.add((person, m.deadline.isoformat(), concern.id, m.id))
    return found


def _consents_expiring_for(log, who: str) -> set:
    """(holder or unit id, expiry, consent id) of the given consents with an expiry of a
    running log: the consents about to expire on the holder's and leader's front page."""
    if log.state not in RUNNING:
        return set()
    owner = log.holder_id if who == "holder" else log.unit_id
    return {(owner, c.expires.isoformat(), c.id) for c in log.consents.values()
            if c.state == "given" and c.expires is not None}


def _holder_attention(log) -> set:
    """(holder, log id, what, concern id): what waits for the holder of a running log —
    a transfer, a draft's consent, a concern missing a measure in an arena (R21, R26)."""
    if log.state not in RUNNING:
        return set()
    items = set()
    for transfer in log.transfers.values():
        if transfer.state == "proposed" and transfer.needs_consent:
            items.add((log.holder_id, log.id, "transfer_consent", ""))
        elif transfer.is_open:
            items.add((log.holder_id, log.id, "transfer_waiting", ""))
    if log.state == "draft":
        return items | {(log.holder_id, log.id, "draft", "")}
    for concern in log.concerns.values():
        missing = concern.missing_arenas() if concern.closed is None else []
        if missing:
            what = ":".join(["missing", *(str(a) for a in missing)])
            items.add((log.holder_id, log.id, what, concern.id))
    return items


def yearly_due_day(log):
    """R35: the day (Oslo) the running log's next yearly archive copy is due, one year after
    it became active, was reopened or had its last yearly copy; None if none is due."""
    if log.state not in ("active", "reopened") or log.yearly_from is None:
        return None
    start = log.yearly_from.astimezone(OSLO).date()
    try:
        return start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + 1, day=28)


def _yearly_due(log) -> set:
    due = yearly_due_day(log)
    return {due.isoformat()} if due is not None else set()


LOG_FIELDS: dict[str, Callable] = {
    "holder": lambda log: {log.holder_id},
    "unit": lambda log: {log.unit_id},
    "state": lambda log: {log.state},
    "level": lambda log: {int(log.level)},
    "account": _guardian_and_subject_accounts,
    "actor": lambda log: log.actor_ids(),
    "reader": _readers,
    # The unit leader's console and statistics (R6, R36).
    "unit_state": lambda log: {(log.unit_id, log.state)},
    "unit_level": lambda log: {(log.unit_id, int(log.level))},
    "unit_category": _unit_categories,
    "unit_recent": lambda log: {(log.unit_id, recency_stamp(log))},
    "unit_state_recent": lambda log: {(log.unit_id, log.state, recency_stamp(log))},
    "unit_deadline": _unit_deadlines,
    "transfer_to": lambda log: _open_transfers(log, to=True),
    "transfer_from": lambda log: _open_transfers(log, to=False),
    "transfer_to_since": lambda log: _open_transfers_since(log, to=True),
    "transfer_from_since": lambda log: _open_transfers_since(log, to=False),
    "transfer_to_employee_since": _offered_to_employee,
    "consent_expiry": _basis_expiry,
    "missing_guardian_consent": _missing_second_guardian,
    # Each person's front page (R10, R27, R37): ranges of one person's own entries.
    "holder_due": lambda log: _due_for(log, "holder"),
    "actor_due": lambda log: _due_for(log, "actor"),
    "holder_consent_expiry": lambda log: _consents_expiring_for(log, "holder"),
    "unit_consent_expiry": lambda log: _consents_expiring_for(log, "unit"),
    "holder_attention": _holder_attention,
    # The yearly archive copies (R35): ``stafett-daily`` walks the days up to today only.
    YEARLY_FIELD: _yearly_due,
    # Finding a child by name or number (R45): keyed digests only (``models.search``).
    CHILD_FIELD: child_keys,
    UNIT_CHILD_FIELD: unit_child_keys,
}

# Fields ordered or ranged over, or looked up per person, never counted per value: no Length
# per value, and an emptied value's key goes (a person's key must not outlive their logs).
UNCOUNTED = frozenset({"account", "unit_recent", "unit_state_recent", "unit_deadline",
                       "consent_expiry",
                       "transfer_to_since", "transfer_from_since", "transfer_to_employee_since",
                       "holder_due", "actor_due",
                       "holder_consent_expiry", "unit_consent_expiry", "holder_attention",
                       YEARLY_FIELD, CHILD_FIELD, UNIT_CHILD_FIELD})


def _concerns_by_category(log) -> Counter:
    if log.state not in RUNNING:
        return Counter()
    return Counter((log.unit_id, str(c.category)) for c in log.concerns.values()
                   if c.closed is None)


def _measures_by_arena(log) -> Counter:
    if log.state not in RUNNING:
        return Counter()
    return Counter((log.unit_id, str(m.arena)) for m in log.active_measures())


def _running_by_activity_day(log) -> Counter:
    """Running logs by the day of their last activity ("no activity for N weeks")."""
    if log.state not in RUNNING:
        return Counter()
    return Counter({(log.unit_id, _activity_day(log)): 1})


def _measures_by_deadline_day(log) -> Counter:
    """Active measures of running logs by evaluation deadline (overdue evaluations)."""
    if log.state not in RUNNING:
        return Counter()
    return Counter((log.unit_id, m.deadline.isoformat()) for m in log.active_measures())


def _meetings_by_day(log, with_feedback: bool = False) -> Counter:
    """Meetings of a log that has started, by day; with ``with_feedback``, those the family
    answered after (the share of meetings with family feedback, R36)."""
    if log.state not in ("active", "reopened", "passive"):
        return Counter()
    answered = ({f.meeting_id for f in log.meeting_feedback.values()} if with_feedback
                else None)
    return Counter((log.unit_id, m.date.isoformat()) for m in log.meetings.values()
                   if answered is None or m.id in answered)


# Counts kept as one Length per key (R36). A figure over a period sums one counter per day,
# so its cost follows the calendar, not the number of logs.
LOG_TALLIES: dict[str, Callable] = {
    "concerns": _concerns_by_category,
    "measures": _measures_by_arena,
    "activity_day": _running_by_activity_day,
    "deadline_day": _measures_by_deadline_day,
    "meeting_day": _meetings_by_day,
    "feedback_meeting_day": lambda log: _meetings_by_day(log, with_feedback=True),
}

# What follows the last activity alone. No field or tally reads a log's glimpses, notes or
# what the family notes before a meeting, so their changes move only these (a glimpse in a
# busy log rewrites nothing else). Meetings and the feedback on them are counted.
ACTIVITY_FIELDS = ("unit_recent", "unit_state_recent")
ACTIVITY_TALLIES = ("activity_day",)
ACTIVITY_ONLY_CHANGES = frozenset({
    "glimpse_added", "glimpse_changed", "note_added", "private_note_added",
    "private_note_changed", "child_voice_added", "child_voice_changed", "family_verdict_noted"})


class LogIndex(Persistent):
    def __init__(self) -> None:
        self._fields = OOBTree({name: OOBTree() for name in LOG_FIELDS})
        self._counts = OOBTree()
        self._indexed = OOBTree()  # log id -> {field: tuple of values} last indexed
        self.measures_by_deadline = OOTreeSet()  # (deadline, log id, concern id, measure id)
        self.consents_by_expiry = OOTreeSet()  # (expires, log id, consent id)
        self.search_key = new_search_key()  # the digests of the ``child`` field

    # -- logs ---------------------------------------------------------------------------
    def reindex(self, log, activity_only: bool = False, only: tuple = ()) -> None:
        """The log's entries in every field and tally; with ``activity_only``, in those that
        follow its last activity (``ACTIVITY_ONLY_CHANGES``); with ``only``, in those fields
        alone (the yearly archive copy moves its due day and nothing else)."""
        fields = only or (ACTIVITY_FIELDS if activity_only else LOG_FIELDS)
        tallies = () if only else (ACTIVITY_TALLIES if activity_only else LOG_TALLIES)
        old = self._indexed.get(log.id, {})
        new = dict(old) if activity_only or only else {}
        for name in fields:
            new[name] = tuple(sorted(LOG_FIELDS[name](log)))
            before, after = set(old.get(name, ())), set(new[name])
            for value in before - after:
                self._remove(name, value, log.id)
            for value in after - before:
                self._add(name, value, log.id)
        for name in tallies:
            new[_tally_key(name)] = tuple(sorted(LOG_TALLIES[name](log).items()))
            self._retally(name, old.get(_tally_key(name), ()), new[_tally_key(name)])
        if new != old:
            self._indexed[log.id] = new

    def unindex(self, log) -> None:
        for name, values in self._indexed.pop(log.id, {}).items():
            if name.startswith("#"):
                self._retally(name[1:], values, ())
                continue
            for value in values:
                self._remove(name, value, log.id)
        for concern in log.concerns.values():
            for measure in concern.measures.values():
                self.measures_by_deadline.discard(self.measure_key(log.id, measure))
        for consent in log.consents.values():
            if consent.expires is not None:
                self.consents_by_expiry.discard(self._consent_key(log.id, consent))

    def ids(self, field: str, value) -> Iterable[str]:
        found = self._field(field).get(value)
        return found.keys() if found is not None else ()

    def id_set(self, field: str, value):
        """The stored set itself (for intersections and membership tests), or None."""
        return self._field(field).get(value)

    def value_range(self, field: str, low, high, excludemin: bool = False):
        """(value, set of log ids) pairs with low <= value <= high, in order."""
        return self._field(field).items(low, high, excludemin=excludemin)

    def indexed_values(self, log_id: str, field: str) -> tuple:
        return self._indexed.get(log_id, {}).get(field, ())

    def tally(self, name: str, key) -> int:
        counter = self._counts.get((_tally_key(name), key))
        return counter() if counter is not None else 0

    def tally_range(self, name: str, low: tuple, high: tuple) -> int:
        """The sum of the counters whose keys lie between ``low`` and ``high``."""
        key = _tally_key(name)
        return sum(counter() for counter in self._counts.values((key, low), (key, high)))

    def _retally(self, name: str, before, after) -> None:
        change = Counter(dict(after))
        change.subtract(dict(before))
        for key, delta in change.items():
            if delta:
                self._counter(_tally_key(name), key).change(delta)

    def _field(self, field: str) -> OOBTree:
        """A field's tree; fields added after a database was made start out empty."""
        tree = self._fields.get(field)
        if tree is None:
            tree = self._fields[field] = OOBTree()
        return tree

    def count(self, field: str, value) -> int:
        counter = self._counts.get((field, value))
        return counter() if counter is not None else 0

    def values(self, field: str) -> list:
        return list(self._field(field).keys())

    def _add(self, field: str, value, log_id: str) -> None:
        tree = self._field(field)
        bucket = tree.get(value)
        if bucket is None:
            bucket = tree[value] = OOTreeSet()
        if bucket.insert(log_id) and field not in UNCOUNTED:
            self._counter(field, value).change(1)

    def _remove(self, field: str, value, log_id: str) -> None:
        tree = self._field(field)
        bucket = tree.get(value)
        if bucket is not None and log_id in bucket:
            bucket.remove(log_id)
            if field in UNCOUNTED:
                if not bucket:
                    del tree[value]  # keeps ranges over ordered fields free of empty sets
            else:
                self._counter(field, value).change(-1)

    def _counter(self, field: str, value) -> Length:
        counter = self._counts.get((field, value))
        if counter is None:
            counter = self._counts[(field, value)] = Length()
        return counter

    # -- measures and consents ----------------------------------------------------------
    def index_measure(self, log_id: str, measure) -> None:
        key = self.measure_key(log_id, measure)
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

    def yearly_due(self, until: str) -> list[str]:
        """Ids of the running logs whose yearly archive copy is due on or before ``until``
        (R35), the longest due first: a range of the index, whatever the number of logs."""
        return [log_id for _, ids in self.value_range(YEARLY_FIELD, None, until)
                for log_id in ids]

    def measures_due(self, until: str, since: str = ""):
        """Active measures with a deadline from ``since`` up to and including ``until``."""
        return self.measures_by_deadline.keys((since,) if since else None, (until, "\uffff"))

    def consents_expiring(self, until: str, since: str = ""):
        """Given consents expiring from ``since`` up to and including ``until``."""
        return self.consents_by_expiry.keys((since,) if since else None, (until, "\uffff"))

    @staticmethod
    def measure_key(log_id: str, measure) -> tuple:
        return (measure.deadline.isoformat(), log_id, measure.concern.id, measure.id)

    @staticmethod
    def _consent_key(log_id: str, consent) -> tuple:
        return (consent.expires.isoformat(), log_id, consent.id)


def new_search_key() -> bytes:
    return secrets.token_bytes(32)


def _tally_key(name: str) -> str:
    return "#" + name


def reindex_all(municipality) -> int:
    """Bring every log into the index (an evolve step when fields are added)."""
    for log in municipality.logs.values():
        municipality.index.reindex(log)
    return len(municipality.logs)


def keep_in_step(event) -> None:
    """The subscriber of every announced change (``events.LogChanged``): the changed measure
    or consent in its queue, the log's activity stamp, and the log's entries. Entries that
    did not change are not rewritten, so a glimpse writes nothing here but the stamp."""
    from .concern import Measure
    from .consent import Consent

    log = event.log
    if log is None or log.state in ("new", "deleted") or not log.is_stored:
        return
    index = log.municipality.index
    if isinstance(event.obj, Measure):
        index.index_measure(log.id, event.obj)
    elif isinstance(event.obj, Consent):
        index.index_consent(log.id, event.obj)
    log.activity.record(utcnow())
    index.reindex(log, activity_only=event.what in ACTIVITY_ONLY_CHANGES)
