"""The journal of changes, one per municipality (R18): transitions, refusals, staff and
grant changes, written in the same transaction as the change (``stafett.audit`` says what is
recorded; reads, logins and refused pages go to ``stafett.access_journal``).

Entries hold ids and roles only, never personal content. Keys are (time, random token), so
concurrent requests insert into BTrees (whose buckets resolve concurrent inserts) without
reading or rewriting a shared object. The hash chain is not built by the writers: a sealing
step (``Journal.seal``, run by ``stafett-audit seal`` and ``verify``)
takes the entries still marked unsealed, in key order, and links each to the one sealed
before it with a sequence number in seal order. An entry that commits late with an older
timestamp is still marked unsealed, so it is sealed the next time, just with a later number.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from BTrees.Length import Length
from BTrees.LOBTree import LOBTree
from BTrees.OLBTree import OLBTree
from BTrees.OOBTree import OOBTree, OOTreeSet
from persistent import Persistent

GENESIS = "0" * 64
GRACE_NS = 2_000_000_000  # entries younger than this are left for the next seal
FOREVER = 2**63
_PLAIN = (str, int, bool, type(None))

Key = tuple[int, str]


class KeySet(OOTreeSet):
    """An index of keys. Appends all land in its last bucket, and a bucket split conflicts
    with a concurrent append: big buckets of small keys split rarely (see bench/)."""

    max_leaf_size = 500


class EntryTree(OOBTree):
    """The entries by (time, token); buckets a little bigger than the default for the
    same reason as ``KeySet``, kept small enough that an append rewrites little."""

    max_leaf_size = 120


class SealState(Persistent):
    """The head of the chain; written by the sealing step only, never by an append."""

    def __init__(self) -> None:
        self.seq = 0
        self.head = GENESIS
        self.sealed_at: int | None = None


@dataclass(frozen=True)
class Problem:
    """One broken link found by ``Journal.verify``."""

    seq: int | None
    key: Key | None
    what: str  # altered | missing | gap | unchained | head

    def describe(self) -> str:
        where = f"link {self.seq}" if self.seq is not None else "journal"
        entry = f" entry {format_key(self.key)}" if self.key is not None else ""
        return f"{where}{entry}: {_DESCRIPTIONS[self.what]}"


_DESCRIPTIONS = {
    "altered": "the entry does not match its sealed hash (altered, or the link before it "
               "was rewritten)",
    "missing": "the sealed entry has been removed (gap in the journal)",
    "gap": "sealed links are missing before this one (gap in the chain)",
    "unchained": "the entry is neither sealed nor waiting to be sealed (added behind the "
                 "journal's back)",
    "head": "the chain ends before its recorded head (links removed at the end)",
}


def format_key(key: Key) -> str:
    return f"{key[0]}-{key[1]}"


def link_hash(previous: str, seq: int, key: Key, entry: dict | None) -> str:
    body = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(f"{previous}|{seq}|{key[0]}|{key[1]}|{body}".encode()).hexdigest()


class Journal(Persistent):
    def __init__(self) -> None:
        self._entries = EntryTree()  # (time_ns, token) -> entry as sorted (name, value) pairs
        self._count = Length()
        self._unsealed = KeySet()  # keys not yet in the chain
        self._by_kind = KeySet()  # (kind, time_ns, token)
        self._by_log = KeySet()  # (log id, kind, time_ns, token): one log's access report
        self._by_unit = KeySet()  # (unit id, kind, time_ns, token): a unit's reports
        self._chain = LOBTree()  # seq -> (key, hash)
        self._seq_of = OLBTree()  # key -> seq
        self._seal = SealState()

    # -- writing ---------------------------------------------------------------------------
    def append(self, kind: str, *, at: int | None = None, **fields: Any) -> Key:
        """Add one entry. ``at`` (ns since the epoch) is for imports and benchmarks only."""
        check_ids_only(fields)
        key = (time.time_ns() if at is None else at, secrets.token_hex(4))
        while key in self._entries:
            key = (key[0], secrets.token_hex(4))
        # Stored as sorted pairs, not a dict: bucket conflict resolution orders values to
        # compare them, and an unorderable dict would make every concurrent insert conflict.
        self._entries[key] = tuple(sorted(dict(kind=kind, at=key[0], **fields).items()))
        self._unsealed.insert(key)
        self._by_kind.insert((kind, *key))
        if fields.get("log"):
            self._by_log.insert((fields["log"], kind, *key))
        for unit in {fields.get("unit"), fields.get("from_unit")} - {None, ""}:
            self._by_unit.insert((unit, kind, *key))
        self._count.change(1)
        return key

    # -- reading ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return self._count()

    def get(self, key: Key) -> dict | None:
        stored = self._entries.get(key)
        return None if stored is None else dict(stored)

    def entries(self, since_ns: int | None = None,
                until_ns: int | None = None) -> Iterator[tuple[Key, dict]]:
        """(key, entry) in time order, touching only the buckets of the period asked for."""
        low = (since_ns,) if since_ns is not None else None
        high = (until_ns,) if until_ns is not None else None
        for key, stored in self._entries.items(low, high, excludemax=high is not None):
            yield key, dict(stored)

    def of_kind(self, kind: str, since_ns: int = 0,
                until_ns: int = FOREVER) -> Iterator[tuple[Key, dict]]:
        return self._resolve(self._by_kind.keys((kind, since_ns), (kind, until_ns),
                                                excludemax=True))

    def of_unit(self, unit_id: str, kind: str, since_ns: int = 0,
                until_ns: int = FOREVER) -> Iterator[tuple[Key, dict]]:
        return self._resolve(self._by_unit.keys((unit_id, kind, since_ns),
                                                (unit_id, kind, until_ns), excludemax=True))

    def of_log(self, log_id: str, kind: str) -> Iterator[tuple[Key, dict]]:
        """One log's entries of one kind, from its own index: no scan of the journal."""
        return self._resolve(self._by_log.keys((log_id, kind, 0), (log_id, kind, FOREVER)))

    def _resolve(self, index_keys) -> Iterator[tuple[Key, dict]]:
        for index_key in index_keys:
            key = index_key[-2:]
            entry = self.get(key)
            if entry is not None:
                yield key, entry

    def seq_of(self, key: Key) -> int | None:
        return self._seq_of.get(key)

    @property
    def sealed(self) -> int:
        return self._seal.seq

    @property
    def head(self) -> str:
        return self._seal.head

    def unsealed(self) -> int:
        return len(self._unsealed)

    # -- the chain -------------------------------------------------------------------------
    def seal(self, now_ns: int | None = None, grace_ns: int = GRACE_NS,
             limit: int | None = None) -> int:
        """Link the unsealed entries older than the grace period, oldest key first; return
        how many. Only this step writes the chain, so appends never conflict on it."""
        cutoff = (now_ns or time.time_ns()) - grace_ns
        keys = list(itertools.islice(self._unsealed.keys(None, (cutoff,), excludemax=True),
                                     limit))
        state = self._seal
        for key in keys:
            seq = state.seq + 1
            digest = link_hash(state.head, seq, key, self.get(key))
            self._chain[seq] = (key, digest)
            self._seq_of[key] = seq
            state.seq, state.head = seq, digest
            self._unsealed.remove(key)
        if keys:
            state.sealed_at = time.time_ns()
        return len(keys)

    def verify(self, tick: Callable[[], None] | None = None) -> Iterator[Problem]:
        """Every broken link, first one first. ``tick`` is called every 10,000 items (a
        script uses it to keep its object cache small)."""
        previous, expected = GENESIS, 1
        for count, (seq, (key, digest)) in enumerate(self._chain.items(), 1):
            if seq != expected:
                yield Problem(seq, key, "gap")
            entry = self.get(key)
            if entry is None:
                yield Problem(seq, key, "missing")
            elif link_hash(previous, seq, key, entry) != digest:
                yield Problem(seq, key, "altered")
            previous, expected = digest, seq + 1
            if tick is not None and count % 10_000 == 0:
                tick()
        if expected - 1 != self._seal.seq or previous != self._seal.head:
            yield Problem(self._seal.seq, None, "head")
        for count, key in enumerate(self._entries.keys(), 1):
            if key not in self._seq_of and key not in self._unsealed:
                yield Problem(None, key, "unchained")
            if tick is not None and count % 10_000 == 0:
                tick()


def check_ids_only(fields: dict) -> None:
    """Entries carry ids, codes and roles: plain scalars or tuples of them, nothing else."""
    for name, value in fields.items():
        values = value if isinstance(value, tuple) else (value,)
        if not all(isinstance(v, _PLAIN) for v in values):
            raise TypeError(f"journal field {name!r} must be an id, a code or a tuple of them")
