"""Building blocks of the object graph: ids, clocks, traversable BTree containers."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import secrets
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from persistent import Persistent


def new_id() -> str:
    """A key that is unique without coordination (no shared counter to conflict on)."""
    return secrets.token_hex(8)


NEWEST_FIRST = 2**63


TIMELINE_LANES = 8


def timeline_key(at: dt.datetime) -> str:
    """A key for a ``Timeline``: a lane picked at random, then a part that sorts newest
    first and is unique without coordination."""
    ns = int(at.timestamp() * 1_000_000) * 1000
    return f"{secrets.randbelow(TIMELINE_LANES)}{NEWEST_FIRST - ns:019d}-{secrets.token_hex(3)}"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


OSLO = ZoneInfo("Europe/Oslo")


def today() -> dt.date:
    """The date in Norway: deadlines, expiry and ages follow the Oslo calendar, not the
    server's clock (which is UTC on most servers)."""
    return dt.datetime.now(OSLO).date()


class DomainError(Exception):
    """A rule of DOMAIN.md refused an operation. ``msg`` is a translatable message id."""

    def __init__(self, msg: str, rule: str = "", **mapping: Any):
        super().__init__(msg)
        self.msg = msg
        self.rule = rule
        self.mapping = mapping


class Resource(Persistent):
    """A persistent node with a traversal name and parent."""

    __name__: str | None = None
    __parent__: Any = None

    @property
    def id(self) -> str | None:
        return self.__name__


class ItemTree(OOBTree):
    """A container's items. Two writers adding to one container at once merge their inserts,
    except when a bucket splits; buckets four times the default size split a quarter as
    often (bench/bench_http.py: 16 writers in one log)."""

    max_leaf_size = 120
    max_internal_size = 500


class Container(Resource):
    """A traversable folder over a BTree, with an O(1) count."""

    def __init__(self) -> None:
        self._items = ItemTree()
        self._count = Length()

    def _tree(self, name: str):
        """The tree that holds ``name``, or None where no entry can be."""
        return self._items

    def _new_name(self, item: Resource) -> str:
        return new_id()

    def add(self, item: Resource, name: str | None = None) -> Resource:
        name = name or item.__name__ or self._new_name(item)
        tree = self._tree(name)
        if tree is None or name in tree:
            raise KeyError(name)
        item.__name__ = name
        item.__parent__ = self
        tree[name] = item
        self._count.change(1)
        return item

    def remove(self, name: str) -> Resource:
        tree = self._tree(name)
        if tree is None:
            raise KeyError(name)
        item = tree.pop(name)
        self._count.change(-1)
        return item

    def __getitem__(self, name: str) -> Resource:
        tree = self._tree(name)
        if tree is None:
            raise KeyError(name)
        return tree[name]

    def get(self, name: str, default: Any = None) -> Any:
        tree = self._tree(name)
        return default if tree is None else tree.get(name, default)

    def __contains__(self, name: str) -> bool:
        tree = self._tree(name)
        return tree is not None and name in tree

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def keys(self):
        return self._items.keys()

    def values(self):
        return self._items.values()

    def items(self):
        return self._items.items()

    def __len__(self) -> int:
        return self._count()

    def __bool__(self) -> bool:
        return True


LANE_NAMES = "".join(str(lane) for lane in range(TIMELINE_LANES))


class Timeline(Container):
    """Entries read newest first, a page at a time, whatever the length of the history.

    Keys (``timeline_key``) start with one of ``TIMELINE_LANES`` lanes, each its own BTree.
    Writers adding at once insert at the heads of eight trees instead of one: when a bucket
    splits (the one insert BTrees cannot merge, and a change to the tree every inserter
    into it has read), it meets only the writers of its lane. A page merges the lanes'
    heads."""

    def __init__(self) -> None:
        self._lanes = tuple(ItemTree() for _ in LANE_NAMES)
        self._count = Length()

    def _new_name(self, item: Resource) -> str:
        return timeline_key(getattr(item, "created", None) or utcnow())

    def _tree(self, name: str):
        lane = LANE_NAMES.find(name[:1]) if name else -1
        return self._lanes[lane] if lane >= 0 else None

    def keys(self):
        return itertools.chain.from_iterable(tree.keys() for tree in self._lanes)

    def values(self):
        return itertools.chain.from_iterable(tree.values() for tree in self._lanes)

    def items(self):
        return itertools.chain.from_iterable(tree.items() for tree in self._lanes)

    def newest(self, after: str | None = None) -> Iterator[tuple[str, Any]]:
        """(key, entry) newest first, from after the key ``after``."""
        lanes = [self._lane(lane, after) for lane in LANE_NAMES]
        return heapq.merge(*lanes, key=lambda item: item[0][1:])

    def _lane(self, lane: str, after: str | None) -> Iterator[tuple[str, Any]]:
        tree = self._lanes[int(lane)]
        if not after:
            return iter(tree.items())
        return iter(tree.items(lane + after[1:], excludemin=True))


def attach(parent: Resource, name: str, child: Resource) -> Resource:
    """Give a fixed sub-object its place in the lineage."""
    child.__name__ = name
    child.__parent__ = parent
    return child


def find_parent(resource: Any, cls: type) -> Any:
    while resource is not None:
        if isinstance(resource, cls):
            return resource
        resource = getattr(resource, "__parent__", None)
    return None
