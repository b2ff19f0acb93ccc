"""Domain events: every change to a log is announced once, by the operation (or workflow
transition) that made it. Subscribers keep what depends on the log in step: the indexes
(``models.indexes.keep_in_step``), and, through Pyramid's registry when a request is at
hand, mail and the like. Views never patch an index themselves (DESIGN: one door)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class LogChanged:
    """``what`` names the change: ``concern_added``, ``glimpse_added``, ``log.activate``…"""

    log: Any
    what: str
    obj: Any
    actor: Any
    request: Any = None


@dataclass(frozen=True)
class AfterTransition(LogChanged):
    """A workflow transition: ``what`` is ``<workflow>.<trigger>``."""

    workflow: str = ""
    trigger: str = ""
    source: str = ""
    dest: str = ""


_SUBSCRIBERS: list[Callable[[LogChanged], None]] = []


def subscribe(subscriber: Callable[[LogChanged], None]) -> Callable[[LogChanged], None]:
    if subscriber not in _SUBSCRIBERS:
        _SUBSCRIBERS.append(subscriber)
    return subscriber


def notify(event: LogChanged) -> None:
    """The domain's subscribers first (indexes, in this transaction), then the request's."""
    for subscriber in _SUBSCRIBERS:
        subscriber(event)
    if event.request is not None:
        event.request.registry.notify(event)
