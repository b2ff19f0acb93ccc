"""The unit leader's figures and log lists, read from the index only (R6, R10, R36).

Every figure is a stored count (a ``BTrees.Length``) or a range over an ordered index whose
size is what the page shows; nothing here walks all logs of a unit or a municipality.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import islice

from ..models.concern import Arena, Category
from ..models.log import Level

STATES = ("draft", "active", "reopened", "passive")
SHARE_TARGET = 10  # percent of the unit's children with a log (R36)
SHARE_ATTENTION = (20, 25)
EXPIRY_WARNING_DAYS = 30
DEFAULT_IDLE_WEEKS = 8
PAGE_SIZE = 50
DASHBOARD_TRANSFERS = 10  # the oldest waiting in each direction; the transfers page lists all
HIGH = "\uffff"


# -- figures -------------------------------------------------------------------------------
def logs_per_state(index, unit_id: str) -> list[tuple[str, int]]:
    return [(state, index.count("unit_state", (unit_id, state))) for state in STATES]


def concerns_by_category(index, unit_id: str) -> list[tuple[str, int]]:
    return [(str(c), index.tally("concerns", (unit_id, str(c)))) for c in Category]


def measures_by_arena(index, unit_id: str) -> list[tuple[str, int]]:
    return [(str(a), index.tally("measures", (unit_id, str(a)))) for a in Arena]


def overdue_evaluations(index, unit_id: str, today: dt.date) -> int:
    """Active measures whose evaluation deadline has passed (in running logs)."""
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    return index.tally_range("deadline_day", (unit_id,), (unit_id, yesterday))


def idle_logs(index, unit_id: str, weeks: int, now: dt.datetime) -> int:
    """Running logs whose last activity was more than ``weeks`` weeks ago (by day)."""
    last_quiet_day = (now - dt.timedelta(weeks=weeks, days=1)).date().isoformat()
    return index.tally_range("activity_day", (unit_id,), (unit_id, last_quiet_day))


def share_with_log(index, unit) -> dict:
    """Running logs against the unit's recorded number of children (target 10 %, R36)."""
    with_log = sum(index.count("unit_state", (unit.id, s)) for s in ("active", "reopened"))
    percent = round(100 * with_log / unit.children, 1) if unit.children else None
    return {"children": unit.children, "with_log": with_log, "percent": percent,
            "target": SHARE_TARGET, "below_target": percent is not None and percent < SHARE_TARGET,
            "attention": percent is not None and percent >= SHARE_ATTENTION[0]}


FEEDBACK_PERIOD = dt.timedelta(days=365)


def meetings_with_feedback(index, unit_id: str, today: dt.date) -> dict:
    """Meetings held in the last year and how many the family answered afterwards (the
    guides' question after a meeting); two ranges of day counters."""
    low, high = (unit_id, (today - FEEDBACK_PERIOD).isoformat()), (unit_id, today.isoformat())
    held = index.tally_range("meeting_day", low, high)
    answered = index.tally_range("feedback_meeting_day", low, high)
    return {"held": held, "answered": answered,
            "percent": round(100 * answered / held, 1) if held else None}


@dataclass
class WaitingTransfer:
    log_id: str
    transfer_id: str
    direction: str  # "in" or "out"
    state: str
    age_days: int
    transfer: object = field(repr=False, default=None)
    log: object = field(repr=False, default=None)


def waiting_transfers(municipality, unit_id: str, today: dt.date,
                      limit: int | None = None) -> list[WaitingTransfer]:
    """Open transfers addressed to the unit (from any municipality) or leaving it, the
    oldest first; with ``limit``, only that many of each direction."""
    incoming = []
    for source in _municipalities(municipality):
        low = (municipality.id, unit_id)
        for (_m, _u, _since, transfer_id), ids in islice(source.index.value_range(
                "transfer_to_since", low, low + (HIGH,)), limit):
            incoming.extend(_open(source, ids, transfer_id, "in", today))
    incoming = sorted(incoming, key=lambda w: -w.age_days)[:limit]
    outgoing = []
    for (_u, _since, transfer_id), ids in islice(municipality.index.value_range(
            "transfer_from_since", (unit_id,), (unit_id, HIGH)), limit):
        outgoing.extend(_open(municipality, ids, transfer_id, "out", today))
    return incoming + outgoing


def transfers_waiting_count(municipality, unit_id: str) -> int:
    incoming = sum(m.index.count("transfer_to", (municipality.id, unit_id))
                   for m in _municipalities(municipality))
    return incoming + municipality.index.count("transfer_from", unit_id)


def incoming_transfer(municipality, unit_id: str, log_id: str, transfer_id: str,
                      today: dt.date) -> WaitingTransfer | None:
    """One open transfer addressed to the unit, found by its log and its own id."""
    for source in _municipalities(municipality):
        for found in _open(source, (log_id,), transfer_id, "in", today):
            transfer = found.transfer
            if (transfer.to_municipality or source.id) == municipality.id \
                    and transfer.to_unit_id == unit_id:
                return found
    return None


def _municipalities(municipality):
    root = municipality.__parent__
    return list(root.values()) if root is not None else [municipality]


def _open(source, log_ids, transfer_id, direction, today) -> list[WaitingTransfer]:
    found = []
    for log_id in log_ids:
        log = source.logs.get(log_id)
        transfer = log.transfers.get(transfer_id) if log is not None else None
        if transfer is not None and transfer.is_open:
            found.append(WaitingTransfer(log.id, transfer.id, direction, transfer.state,
                                         (today - transfer.created.date()).days, transfer, log))
    return found


def unit_dashboard(municipality, unit, *, idle_weeks: int = DEFAULT_IDLE_WEEKS,
                   now: dt.datetime | None = None) -> dict:
    now = now or dt.datetime.now(dt.UTC)
    index, today = municipality.index, now.date()
    return {
        "states": logs_per_state(index, unit.id),
        "categories": concerns_by_category(index, unit.id),
        "arenas": measures_by_arena(index, unit.id),
        "overdue": overdue_evaluations(index, unit.id, today),
        "transfers": waiting_transfers(municipality, unit.id, today, DASHBOARD_TRANSFERS),
        "transfers_waiting": transfers_waiting_count(municipality, unit.id),
        "idle": idle_logs(index, unit.id, idle_weeks, now),
        "idle_weeks": idle_weeks,
        "share": share_with_log(index, unit),
        "feedback": meetings_with_feedback(index, unit.id, today),
    }


def municipality_figures(municipality) -> dict:
    index = municipality.index
    units = [{"unit": u, "states": logs_per_state(index, u.id),
              "leaders": municipality.unit_leaders(u.id)}
             for u in municipality.units.values()]
    return {"states": [(s, index.count("state", s)) for s in STATES], "units": units,
            "employees": len(municipality.employees)}


# -- consents (R9, R10) ----------------------------------------------------------------------
def consents_expiring(index, unit_id: str, today: dt.date, days: int = EXPIRY_WARNING_DAYS,
                      after: str | None = None, size: int | None = None
                      ) -> tuple[list[tuple[str, dt.date]], str | None]:
    """(log id, expiry) of running logs whose basis consent has expired or expires soon,
    the earliest first, from after the cursor ``after``; at most ``size`` of them, and the
    cursor of the next page (or None)."""
    until = (today + dt.timedelta(days=days)).isoformat()
    cursor = _split_cursor(after)
    low = (unit_id, cursor[0]) if cursor else (unit_id,)
    found = ((value[1], log_id)
             for value, ids in index.value_range("consent_expiry", low, (unit_id, until))
             for log_id in ids if cursor is None or (value[1], log_id) > cursor)
    page = list(islice(found, size + 1 if size else None))
    following = "|".join(page[size - 1]) if size and len(page) > size else None
    return [(log_id, dt.date.fromisoformat(day)) for day, log_id in page[:size]], following


def missing_guardian_consent(index, unit_id: str, after: str | None = None,
                             size: int | None = None) -> tuple[list[str], str | None]:
    """Running logs of the unit that wait for the second guardian's consent, by id, from
    after ``after``; at most ``size``, and the cursor of the next page (or None)."""
    found = index.id_set("missing_guardian_consent", unit_id)
    if found is None:
        return [], None
    page = list(islice(found.keys(after or None, excludemin=bool(after)),
                       size + 1 if size else None))
    following = page[size - 1] if size and len(page) > size else None
    return page[:size], following


def _split_cursor(text: str | None) -> tuple[str, str] | None:
    day, _bar, log_id = (text or "").partition("|")
    return (day, log_id) if log_id else None


# -- the unit's log list (R6) ---------------------------------------------------------------
@dataclass
class LogFilter:
    state: str = ""
    holder: str = ""
    level: int | None = None
    category: str = ""
    deadline: dt.date | None = None  # an active measure to evaluate by this date

    @classmethod
    def from_params(cls, params) -> LogFilter:
        level = params.get("level", "")
        deadline = params.get("deadline", "")
        try:
            day = dt.date.fromisoformat(deadline) if deadline else None
        except ValueError:
            day = None
        return cls(state=params.get("state", "") if params.get("state") in STATES else "",
                   holder=params.get("holder", ""),
                   level=int(level) if level in {str(int(lv)) for lv in Level} else None,
                   category=params.get("category", "") if params.get("category") in
                   {str(c) for c in Category} else "",
                   deadline=day)

    def query(self) -> dict:
        return {k: v for k, v in (("state", self.state), ("holder", self.holder),
                                  ("level", self.level), ("category", self.category),
                                  ("deadline", self.deadline)) if v not in ("", None)}


def _candidates(index, unit_id: str, flt: LogFilter) -> list[tuple[int, object]]:
    """(size, set of log ids) for each filter given but the state, which picks the order
    walked (``unit_log_ids``)."""
    sets = []
    for name, field_name, value in (
            ("holder", "holder", flt.holder),
            ("level", "unit_level", (unit_id, flt.level)),
            ("category", "unit_category", (unit_id, flt.category))):
        if getattr(flt, name) not in ("", None):
            found = index.id_set(field_name, value)
            sets.append((index.count(field_name, value), found if found is not None else ()))
    if flt.deadline is not None:
        due = {log_id for _, ids in index.value_range(
            "unit_deadline", (unit_id,), (unit_id, flt.deadline.isoformat(), HIGH))
            for log_id in ids}
        sets.append((len(due), due))
    return sets


def _recency_key(index, log_id: str) -> tuple[float, str]:
    values = index.indexed_values(log_id, "unit_recent")
    return (values[0][1] if values else 0.0, log_id)


def parse_cursor(text: str | None) -> tuple[float, str] | None:
    try:
        stamp, log_id = (text or "").split("|", 1)
        return float(stamp), log_id
    except ValueError:
        return None


def format_cursor(key: tuple[float, str]) -> str:
    return f"{key[0]!r}|{key[1]}"


def unit_log_ids(index, unit_id: str, flt: LogFilter, after: str | None = None,
                 size: int = PAGE_SIZE) -> tuple[list[str], str | None]:
    """One page of the unit's logs, newest activity first, and the cursor of the next page.

    Keyset paging: a page costs the same whatever its number. A state filter walks the
    unit's logs in that state in recency order (passive logs, drafts)."""
    cursor = parse_cursor(after)
    sets = _candidates(index, unit_id, flt)
    if flt.state:
        order, prefix = "unit_state_recent", (unit_id, flt.state)
        total = index.count("unit_state", prefix)
    else:
        order, prefix, total = "unit_recent", (unit_id,), index.count("unit", unit_id)
    if choose_plan(sets, total, size) == "sort":
        if flt.state:
            sets.append((total, index.id_set("unit_state", prefix) or ()))
        keys = _sorted_matches(index, unit_id, sets, cursor)
    else:
        keys = _walk_recency(index, order, prefix, [s for _, s in sets], cursor)
    page = list(islice(keys, size + 1))
    following = format_cursor(page[size - 1]) if len(page) > size else None
    return [log_id for _, log_id in page[:size]], following


def choose_plan(sets: list[tuple[int, object]], unit_total: int, size: int) -> str:
    """"sort" the smallest candidate set, or "walk" the unit's recency order until a page is
    full: whichever reads fewer entries (filters taken as independent)."""
    if not sets:
        return "walk"
    smallest = min(n for n, _ in sets)
    share = 1.0
    for n, _ in sets:
        share *= n / unit_total if unit_total else 0.0
    walk = (size + 1) / share if share else float("inf")
    return "sort" if smallest <= walk else "walk"


def _sorted_matches(index, unit_id, sets, cursor):
    unit_ids = index.id_set("unit", unit_id) or ()
    sets = sorted(sets, key=lambda pair: pair[0]) or [(0, unit_ids)]
    smallest, others = sets[0][1], [s for _, s in sets[1:]]
    keys = sorted(_recency_key(index, log_id) for log_id in smallest
                  if log_id in unit_ids and all(log_id in s for s in others))
    return (k for k in keys if cursor is None or k > cursor)


def _walk_recency(index, order: str, prefix: tuple, sets, cursor):
    low = (*prefix, cursor[0]) if cursor else prefix
    for value, ids in index.value_range(order, low, (*prefix, float("inf"))):
        stamp = value[-1]
        for log_id in ids:
            key = (stamp, log_id)
            if cursor is not None and key <= cursor:
                continue
            if all(log_id in s for s in sets):
                yield key
