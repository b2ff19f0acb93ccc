"""Finding a child (R45): by any part of a name or by fødselsnummer, from the log index.

The index field ``child`` maps keyed digests to the ids of the logs whose subject they
describe: every prefix (2-16 letters) of every word of the name, the fødselsnummer and
the birth date (ddmmyy). A digest is an HMAC with the municipality's own key
(``LogIndex.search_key``), never a name or number, because a BTree keeps the separator
keys of removed entries in its inner nodes: a plain name would outlive a deleted child
(R17), and an unkeyed hash of a name or of one of the few million valid numbers is
undone by trying them all. A hit from the index is a candidate only; ``matches`` checks
it against the log itself before anyone sees it.

Names match without regard to case or accents: é is e, å is a, ø is o and æ is ae, and
a Norwegian letter written the old way (aa, oe) finds it too.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .base import DomainError
from .identity import birth_date, validate_fnr

FIELD = "child"
UNIT_FIELD = "unit_child"  # (unit id, digest): a leader's search walks their unit's hits
MIN_PREFIX, MAX_PREFIX = 2, 16
MAX_QUERY, MAX_TERMS = 100, 5
DIGEST_BYTES = 12

_PLAIN = str.maketrans({"æ": "ae", "ø": "o", "đ": "d", "ł": "l", "þ": "th"})
_OLD_WAY = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "đ": "d", "ł": "l", "þ": "th"})
_WORD = re.compile(r"[^\W_]+")
_DATE = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})")
_SPLIT_NUMBER = re.compile(r"\b(\d{6})\s+(\d{5})\b")


def _strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


def fold(word: str) -> str:
    """A word as it is looked up: lower case, no accents, ø as o, æ as ae, å as a."""
    return _strip_marks(word.casefold().translate(_PLAIN))


def name_words(name: str) -> set[str]:
    """The words of a name as they are found: folded, and the old way (Bjoern, Aase)."""
    words = set()
    for word in _WORD.findall(unicodedata.normalize("NFC", name).casefold()):
        words |= {fold(word), _strip_marks(word.translate(_OLD_WAY))}
    return words


def born6(fnr: str) -> str:
    return birth_date(fnr).strftime("%d%m%y")


# -- the index's keys ---------------------------------------------------------------------
def digest(key: bytes, kind: str, value: str) -> str:
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[
        :2 * DIGEST_BYTES]


def unit_child_keys(log) -> set[tuple[str, str]]:
    return {(log.unit_id, key) for key in child_keys(log)}


def child_keys(log) -> set[str]:
    """The log's entries in the ``child`` field: its subject's name prefixes, number and
    birth date, as digests."""
    key = log.municipality.index.search_key
    subject = log.subject
    keys = {digest(key, "fnr", subject.fnr), digest(key, "born", born6(subject.fnr))}
    for word in name_words(subject.name):
        for end in range(MIN_PREFIX, min(len(word), MAX_PREFIX) + 1):
            keys.add(digest(key, "name", word[:end]))
    return keys


# -- queries ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    """One part of a query: ``name`` (a folded word's beginning), ``fnr`` or ``born``
    (ddmmyy; ``year`` when the date was typed in full)."""

    kind: str
    value: str
    year: int | None = None

    @property
    def specificity(self) -> int:
        """The most telling term drives the walk through the index: fewer logs share it."""
        return {"fnr": 1000, "born": 100}.get(self.kind, len(self.value))

    def key(self, index) -> str:
        value = self.value[:MAX_PREFIX] if self.kind == "name" else self.value
        return digest(index.search_key, self.kind, value)


class QueryError(DomainError):
    """A query that cannot be searched for; ``msg`` says why, in words."""


def parse(query: str) -> list[Term]:
    """The terms of a query, all of which a log must match. Raises ``QueryError``."""
    query = unicodedata.normalize("NFC", query or "").strip()
    if len(query) > MAX_QUERY:
        raise QueryError("search_too_long", limit=MAX_QUERY)
    terms: list[Term] = []
    for word in _SPLIT_NUMBER.sub(r"\1\2", query).replace(",", " ").split():
        terms += _terms_of(word)
    if len(terms) > MAX_TERMS:
        raise QueryError("search_too_many_words", limit=MAX_TERMS)
    return terms


def _terms_of(word: str) -> list[Term]:
    date = _DATE.fullmatch(word)
    if date:
        return [_date_term(*date.groups())]
    if word.isdigit():
        if len(word) == 11:
            try:
                return [Term("fnr", validate_fnr(word))]
            except DomainError as invalid:
                raise QueryError(invalid.msg) from None
        if len(word) == 6:
            return [Term("born", word)]
        raise QueryError("search_number_length")
    names = [fold(part) for part in _WORD.findall(word)]
    if any(len(name) < MIN_PREFIX for name in names):
        raise QueryError("search_word_too_short", least=MIN_PREFIX)
    return [Term("name", name) for name in names]


def _date_term(day: str, month: str, year: str) -> Term:
    import datetime as dt

    full = len(year) == 4
    try:
        born = dt.date(int(year) if full else 2000 + int(year), int(month), int(day))
    except ValueError:
        raise QueryError("search_date_invalid") from None
    return Term("born", born.strftime("%d%m%y"), born.year if full else None)


def matches(log, terms: Iterable[Term]) -> bool:
    """Whether the log's subject fits every term: the index's answer, checked."""
    subject = log.subject
    words = name_words(subject.name)
    for term in terms:
        if term.kind == "name" and not any(w.startswith(term.value) for w in words):
            return False
        if term.kind == "fnr" and subject.fnr != term.value:
            return False
        if term.kind == "born" and (born6(subject.fnr) != term.value or (
                term.year is not None and subject.birth_date.year != term.year)):
            return False
    return True


# -- who may see which logs ----------------------------------------------------------------
def visible_to(index, employee) -> tuple[list, list[str]]:
    """The logs a search by this employee looks among (R3, R4, R6): the sets of those they
    hold, act in or were granted reading, and the units they lead."""
    own = [ids for field in ("holder", "actor", "reader")
           if (ids := index.id_set(field, employee.id)) is not None]
    return own, [employee.unit_id] if employee.is_leader else []


def find_ids(index, terms: list[Term], within: tuple[list, list[str]] | None,
             limit: int) -> tuple[list[str], bool]:
    """Up to ``limit`` ids of logs matching every term (by the index), among ``within``
    (``visible_to``; None: the whole municipality), and whether there were more.

    Each walk goes through what can only be a result or is the person's own: the most
    telling term's logs in a unit they lead (``UNIT_FIELD``), or the logs they hold, act
    in or read; the other terms are looked up. So the cost follows the results and the
    person's own logs, never the number of logs in the municipality."""
    ordered = sorted(terms, key=lambda t: -t.specificity)
    keys = [term.key(index) for term in ordered]
    term_sets = [index.id_set(FIELD, key) for key in keys]
    if not term_sets or any(ids is None for ids in term_sets):
        return [], False
    if within is None:
        walks = [(term_sets[0], term_sets[1:])]
    else:
        own, units = within
        walks = [(_unique(own), term_sets)] if own else []
        walks += [(ids, term_sets[1:]) for unit_id in units
                  if (ids := index.id_set(UNIT_FIELD, (unit_id, keys[0]))) is not None]
    found: list[str] = []
    for walk, others in walks:
        for log_id in walk:
            if log_id not in found and all(log_id in ids for ids in others):
                found.append(log_id)
                if len(found) > limit:
                    return found[:limit], True
    return found, False


def _unique(sets: list) -> Iterator[str]:
    seen: set[str] = set()
    for ids in sets:
        for log_id in ids:
            if log_id not in seen:
                seen.add(log_id)
                yield log_id


# -- R45: one log per child ------------------------------------------------------------------
def logs_of_child(municipality, fnr: str, besides: str | None = None) -> list:
    """The municipality's logs of the child with this fødselsnummer (at most one, R45)."""
    index = municipality.index
    found = []
    for log_id in index.ids(FIELD, digest(index.search_key, "fnr", fnr)):
        log = municipality.logs.get(log_id)
        if log is not None and log_id != besides and log.subject.fnr == fnr:
            found.append(log)
    return found


def who_holds(log) -> dict:
    """What R45 lets anyone who may hold logs know of a log that exists: who holds it and
    where; nothing of its content."""
    holder, unit = log.holder, log.unit
    return {"log_id": log.id, "holder": holder.name if holder is not None else "",
            "unit": unit.name if unit is not None else ""}


CHILD_HAS_LOG = "log_child_has_log"
