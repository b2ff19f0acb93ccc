"""Glimpses in a timeline of lanes (issue 9): read newest first a page at a time, written by
many at once without meeting in one bucket."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from stafett.models.base import TIMELINE_LANES, Resource, Timeline, timeline_key

START = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


def _filled(count: int) -> tuple[Timeline, list[str]]:
    timeline, names = Timeline(), []
    for n in range(count):
        entry = Resource()
        entry.n = n
        names.append(timeline.add(entry, timeline_key(START + dt.timedelta(seconds=n))).id)
    return timeline, names


def test_entries_come_newest_first_across_every_lane():
    timeline, _names = _filled(300)
    assert [entry.n for _key, entry in timeline.newest()] == list(range(299, -1, -1))
    lanes = Counter(key[0] for key in timeline.keys())
    assert len(lanes) == TIMELINE_LANES  # spread, so concurrent writers insert apart
    assert max(lanes.values()) < 300 / TIMELINE_LANES * 2


def test_a_page_goes_on_after_the_last_key_shown():
    timeline, _names = _filled(50)
    first = list(timeline.newest())[:20]
    after = [entry.n for _key, entry in timeline.newest(first[-1][0])]
    assert after == list(range(29, -1, -1))
    assert {entry.n for _key, entry in timeline.newest("not a key")} <= set(range(50))


def test_evolve_moves_a_log_s_glimpses_into_lanes_in_their_order(world):
    from stafett import storage
    from stafett.models.base import NEWEST_FIRST, Container, attach
    from stafett.models.notes import Glimpse

    log = world.active()
    log.glimpses = attach(log, "glimpses", Container())  # as databases before the lanes
    for n in range(30):
        glimpse = Glimpse(f"Lysglimt {n}.", "larer", "holder")
        glimpse.created = START + dt.timedelta(minutes=n)
        ns = int(glimpse.created.timestamp() * 1_000_000) * 1000
        log.glimpses.add(glimpse, f"{NEWEST_FIRST - ns:019d}-{n:06x}")
    storage._glimpses_in_lanes(world.m.__parent__)
    assert isinstance(log.glimpses, Timeline) and len(log.glimpses) == 30
    assert [g.text for _k, g in log.glimpses.newest()] == [
        f"Lysglimt {n}." for n in range(29, -1, -1)]
    assert all(g.__parent__ is log.glimpses for g in log.glimpses.values())


def test_evolve_moves_a_log_s_sent_messages_into_lanes_newest_first(world):
    """R37: every glimpse may send news; the messages kept on the log are in lanes too."""
    from BTrees.OOBTree import OOBTree

    from stafett import storage
    from stafett.services.notify import OutgoingMessage

    log = world.active()
    log.outbox = OOBTree()  # (time, id) -> message, as databases before the lanes
    for n in range(12):
        message = OutgoingMessage("glimpse", ["ola@example.org"], f"Melding {n}", "Tekst")
        message.created = START + dt.timedelta(minutes=n)
        log.outbox[(message.created, f"{n:04x}")] = message
    storage._outbox_in_lanes(world.m.__parent__)
    assert isinstance(log.outbox, Timeline) and len(log.outbox) == 12
    assert [m.subject for _k, m in log.outbox.newest()] == [
        f"Melding {n}" for n in range(11, -1, -1)]
