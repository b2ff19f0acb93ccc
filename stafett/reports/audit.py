"""Workflow audit reports over the journal: transitions of a period, time spent in each
state, open transfers by age, logs ended by withdrawn consent, and who has read a log.

Period queries walk one index range (by kind, or by unit and kind), so their cost follows
the period and the unit, not the size of the journal. The access report walks one log's own
index. CSV rows are produced lazily for a streaming response.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ..audit import Journal, Key
from ..formatting import OSLO, oslo
from ..workflows import WORKFLOWS

DAY_NS = 86_400 * 10**9
MACHINES = {w.name: w for w in WORKFLOWS}
DEFAULT_DAYS = 30


@dataclass
class Filters:
    """What a transitions report asks for; the period is whole days in Norwegian time."""

    since: dt.date
    until: dt.date
    unit_id: str | None = None
    holder_id: str | None = None
    machine: str | None = None
    trigger: str | None = None

    @property
    def since_ns(self) -> int:
        return _midnight_ns(self.since)

    @property
    def until_ns(self) -> int:
        return _midnight_ns(self.until + dt.timedelta(days=1))

    def matches(self, entry: dict) -> bool:
        if self.holder_id and self.holder_id not in (entry.get("holder"),
                                                     entry.get("from_holder")):
            return False
        if self.machine and entry.get("machine") != self.machine:
            return False
        return not self.trigger or entry.get("trigger") == self.trigger

    def query(self) -> dict[str, str]:
        """The filters as URL parameters (for the CSV and PDF links)."""
        found = dict(since=self.since.isoformat(), until=self.until.isoformat(),
                     unit=self.unit_id, holder=self.holder_id, machine=self.machine,
                     trigger=self.trigger)
        return {k: v for k, v in found.items() if v}


def _midnight_ns(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(), OSLO).timestamp()) * 10**9


def local_time(at_ns: int) -> dt.datetime:
    return oslo(at_ns)


def parse_filters(params, municipality, unit_id: str | None = None,
                  today: dt.date | None = None) -> tuple[Filters, dict[str, str]]:
    """Filters from request parameters, and errors by field name (msgid). ``unit_id`` fixes
    the unit (a leader's report); otherwise the ``unit`` parameter may narrow it."""
    today = today or dt.datetime.now(OSLO).date()
    errors: dict[str, str] = {}
    since = _date(params.get("since"), today - dt.timedelta(days=DEFAULT_DAYS), "since", errors)
    until = _date(params.get("until"), today, "until", errors)
    if not errors and since > until:
        errors["until"] = "aud_error_until_before_since"
    unit = unit_id or params.get("unit") or None
    if unit and unit not in municipality.units:
        errors["unit"] = "aud_error_unknown_unit"
    holder = params.get("holder") or None
    if holder and municipality.employee(holder) is None:
        errors["holder"] = "aud_error_unknown_holder"
    machine = params.get("machine") or None
    if machine and machine not in MACHINES:
        errors["machine"] = "aud_error_unknown_machine"
    trigger = params.get("trigger") or None
    if trigger and trigger not in _triggers(machine if machine in MACHINES else None):
        errors["trigger"] = "aud_error_unknown_trigger"
    return Filters(since, until, unit, holder, machine, trigger), errors


def _date(text: str | None, default: dt.date, name: str, errors: dict) -> dt.date:
    if not (text or "").strip():
        return default
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        errors[name] = "aud_error_date"
        return default


def _triggers(machine: str | None) -> set[str]:
    chosen = [MACHINES[machine]] if machine else WORKFLOWS
    return {t for w in chosen for t in w.specs}


def all_triggers() -> list[str]:
    return sorted(_triggers(None))


# -- transitions ---------------------------------------------------------------------------
def transitions(journal: Journal, filters: Filters) -> Iterator[tuple[Key, dict]]:
    """Transition entries of the period (one index range), narrowed by the other filters."""
    if filters.unit_id:
        found = journal.of_unit(filters.unit_id, "transition", filters.since_ns,
                                filters.until_ns)
    else:
        found = journal.of_kind("transition", filters.since_ns, filters.until_ns)
    return ((key, entry) for key, entry in found if filters.matches(entry))


@dataclass
class StateTime:
    machine: str
    state: str
    days: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.days)

    @property
    def longest(self) -> float:
        return max(self.days)


@dataclass
class Summary:
    """One pass over the period's transitions: counts, time in state, forced closings."""

    counts: Counter = field(default_factory=Counter)  # (machine, trigger) -> n
    total: int = 0
    times: dict[tuple[str, str], StateTime] = field(default_factory=dict)
    withdrawn: list[tuple[Key, str]] = field(default_factory=list)  # (key, log id)

    def counts_of(self, machine: str) -> dict[str, int]:
        return {t: n for (m, t), n in self.counts.items() if m == machine}

    def state_times(self) -> list[StateTime]:
        return [self.times[k] for k in sorted(self.times)]


def summarise(journal: Journal, filters: Filters) -> Summary:
    summary = Summary()
    previous = _PreviousTransition(journal)
    for key, entry in transitions(journal, filters):
        summary.total += 1
        summary.counts[(entry["machine"], entry["trigger"])] += 1
        if entry["machine"] == "log" and entry["trigger"] == "force_close":
            summary.withdrawn.append((key, entry["log"]))
        entered = previous.before(entry, key)
        if entered is not None:
            slot = (entry["machine"], entry["source"])
            summary.times.setdefault(slot, StateTime(*slot)).days.append(
                (key[0] - entered) / DAY_NS)
    return summary


class _PreviousTransition:
    """When an object entered its source state: its previous transition, found in the
    log's own index (one small range per log, cached for the report)."""

    def __init__(self, journal: Journal):
        self.journal = journal
        self.by_log: dict[str, dict[str, list[int]]] = {}

    def before(self, entry: dict, key: Key) -> int | None:
        log_id = entry.get("log")
        if not log_id:
            return None
        if log_id not in self.by_log:
            times: dict[str, list[int]] = defaultdict(list)
            for k, e in self.journal.of_log(log_id, "transition"):
                times[e["object"]].append(k[0])
            self.by_log[log_id] = times
        earlier = [t for t in self.by_log[log_id].get(entry["object"], ()) if t < key[0]]
        return max(earlier) if earlier else None


def open_transfers(municipality, unit_id: str | None,
                   now: dt.datetime | None = None) -> list[dict]:
    """Transfers still proposed or consented, oldest first, from the log index."""
    now = now or dt.datetime.now(dt.UTC)
    units = [unit_id] if unit_id else list(municipality.units.keys())
    found = []
    for unit in units:
        for log_id in municipality.index.ids("transfer_from", unit):
            log = municipality.logs.get(log_id)
            for transfer in log.transfers.values() if log is not None else ():
                if transfer.is_open:
                    found.append(dict(log=log_id, transfer=transfer.id, state=transfer.state,
                                      unit=unit, to_unit=transfer.to_unit_id,
                                      days=(now - transfer.created).days))
    return sorted(found, key=lambda row: -row["days"])


# -- names of the people who acted (employees; the family for their own log) --------------
class ActorNames:
    """Account uid -> display name, for the municipality's employees and, for an access
    report, the log's own family. Names are looked up when shown, never journaled."""

    def __init__(self, root, municipality, log=None):
        self.names: dict[str, str] = {}
        usernames = [e.username for e in municipality.employees.values() if e.username]
        if log is not None:
            usernames += [g.username for g in log.guardians.values() if g.username]
            usernames += [log.subject.username] if log.subject.username else []
        for username in usernames:
            account = root.accounts.get(username)
            if account is not None:
                self.names[account.uid] = account.display_name

    def __call__(self, uid: str | None) -> str:
        return self.names.get(uid or "", "")


# -- CSV -----------------------------------------------------------------------------------
# Each code keeps its column (filters and programs read it) and is followed by its name in
# the reader's language.
TRANSITION_COLUMNS = ("time", "seq", "machine", "machine_name", "trigger", "trigger_name",
                      "source", "source_name", "dest", "dest_name", "object", "log", "unit",
                      "holder", "from_unit", "from_holder", "actor", "actor_name", "reason",
                      "reason_name")
ACCESS_COLUMNS = ("time", "seq", "object_kind", "object", "actor", "actor_name", "basis")


def transition_row(journal: Journal, key: Key, entry: dict, names: ActorNames,
                   word: Callable[[str, str | None], str] = lambda kind, code: code) -> list:
    """``word(kind, code)`` names a workflow, trigger, state or reason for the reader."""
    coded = [(kind, entry.get(field)) for kind, field in (
        ("machine", "machine"), ("trigger", "trigger"), ("state", "source"), ("state", "dest"))]
    return [local_time(key[0]).isoformat(timespec="seconds"), journal.seq_of(key) or "",
            *(cell for kind, code in coded for cell in (code, word(kind, code))),
            entry.get("object"), entry.get("log"), entry.get("unit"), entry.get("holder"),
            entry.get("from_unit"), entry.get("from_holder"), entry.get("actor"),
            names(entry.get("actor")), entry.get("reason"),
            word("reason", entry.get("reason")) if entry.get("reason") else ""]


def access_row(key: Key, entry: dict, names: ActorNames) -> list:
    """One read from the access journal (``entry["seq"]``: its link, once sealed)."""
    return [local_time(key[0]).isoformat(timespec="seconds"), entry.get("seq") or "",
            entry.get("object_kind"), entry.get("object"), entry.get("actor"),
            names(entry.get("actor")), " ".join(entry.get("basis", ()))]


def csv_chunks(header: Iterable[str], rows: Iterable[list],
               chunk_bytes: int = 64 * 1024) -> Iterator[bytes]:
    """CSV in chunks of about ``chunk_bytes``; cells that a spreadsheet would run as a
    formula are quoted with a leading apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_cell(cell) for cell in row])
        if buffer.tell() >= chunk_bytes:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _safe_cell(cell):
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@"):
        return "'" + cell
    return "" if cell is None else cell
