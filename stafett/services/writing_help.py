"""Writing help for plain language in the log (R32), after the municipal guides.

The guides ask the writer to avoid abbreviations, vague time words ("snarest", "innen
rimelig tid", "i rimelig omfang"), "man" and passive "-es" verbs, and to write goals in the
present tense with conditions of time and place (the A/B/C pattern). ``check`` finds these
in a text and returns one ``Hint`` per finding, each with the precise form to write instead.
Hints never block saving: the text is saved and the hints are shown beside it.

The text itself is Norwegian (bokmål or nynorsk); the explanation follows the user's
language through i18n, the suggestion is Norwegian, in nynorsk when the user writes nynorsk.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from ..i18n import _


class TextKind(enum.StrEnum):
    TEXT = "text"  # concerns, measures, notes: the general rules
    GOAL = "goal"  # goals and sub-goals: also the A/B/C pattern


# abbreviation -> (bokmål, nynorsk) written out in full
ABBREVIATIONS: dict[str, tuple[str, str]] = {
    "ca.": ("cirka", "cirka"),
    "evt.": ("eventuelt", "eventuelt"),
    "ev.": ("eventuelt", "eventuelt"),
    "bl.a.": ("blant annet", "mellom anna"),
    "f.eks.": ("for eksempel", "til dømes"),
    "t.d.": ("for eksempel", "til dømes"),
    "mht.": ("med hensyn til", "med omsyn til"),
    "iht.": ("i henhold til", "i samsvar med"),
    "ift.": ("i forhold til", "i forhold til"),
    "ifht.": ("i forhold til", "i forhold til"),
    "ifm.": ("i forbindelse med", "i samband med"),
    "pga.": ("på grunn av", "på grunn av"),
    "osv.": ("og så videre", "og så vidare"),
    "dvs.": ("det vil si", "det vil seie"),
    "o.l.": ("og lignende", "og liknande"),
    "m.m.": ("med mer", "med meir"),
    "etc.": ("og så videre", "og så vidare"),
    "ila.": ("i løpet av", "i løpet av"),
    "tlf.": ("telefon", "telefon"),
    "mnd.": ("måneder", "månader"),
    "pr.": ("per", "per"),
}

# vague phrase -> (kind of vagueness, bokmål example, nynorsk example)
VAGUE_PHRASES: dict[str, tuple[str, str, str]] = {
    "snarest": ("when", "innen fredag i uke 12", "innan fredag i veke 12"),
    "snarast": ("when", "innen fredag i uke 12", "innan fredag i veke 12"),
    "så snart som mulig": ("when", "innen fredag i uke 12", "innan fredag i veke 12"),
    "innen rimelig tid": ("when", "innen 1. mars", "innan 1. mars"),
    "innan rimeleg tid": ("when", "innen 1. mars", "innan 1. mars"),
    "i rimelig omfang": ("often", "to ganger i uken", "to gonger i veka"),
    "i rimeleg omfang": ("often", "to ganger i uken", "to gonger i veka"),
    "etter behov": ("need", "når barnet ber om hjelp", "når barnet ber om hjelp"),
    "ved behov": ("need", "når barnet ber om hjelp", "når barnet ber om hjelp"),
    "etter hvert": ("when", "fra uke 12", "frå veke 12"),
    "etter kvart": ("when", "fra uke 12", "frå veke 12"),
    "i den grad det er mulig": ("possible", "hver mandag i første time",
                                "kvar måndag i første time"),
}

VAGUE_MESSAGES = {
    "when": _("ct_hint_vague_when",
              default="«${found}» does not say when. Write a date, a day or a week, "
                      "for example «${suggestion}»."),
    "often": _("ct_hint_vague_often",
               default="«${found}» does not say how often. Write how often, "
                       "for example «${suggestion}»."),
    "need": _("ct_hint_vague_need",
              default="«${found}» does not say who decides when. Write when it happens, "
                      "for example «${suggestion}»."),
    "possible": _("ct_hint_vague_possible",
                  default="«${found}»: who decides what is possible? Write what will be "
                          "done and when, for example «${suggestion}»."),
}

MESSAGES = {
    "abbreviation": _("ct_hint_abbreviation",
                      default="Write the whole word: «${suggestion}» instead of «${found}»."),
    "man": _("ct_hint_man",
             default="«${found}» does not say who. Write a name, a job title or a family "
                     "relation, for example «${suggestion}»."),
    "passive": _("ct_hint_passive",
                 default="«${found}» does not say who does it. Write who, with the active "
                         "verb: «Ali ${suggestion}», «mor ${suggestion}»."),
    "goal_condition": _("ct_hint_goal_condition",
                        default="The goal does not say when or where. Add the time and "
                                "place and how it looks, for example «${suggestion}»."),
    "goal_present": _("ct_hint_goal_present",
                      default="Write the goal in the present tense, as if it is already "
                              "true: «${suggestion}» instead of «${found}»."),
}

# Phrases only nynorsk writers use: their suggestion is in nynorsk whatever the UI language.
NYNORSK_ONLY = frozenset({"t.d.", "snarast", "innan rimeleg tid", "i rimeleg omfang",
                          "etter kvart"})

GOAL_EXAMPLE = {
    "nb": "I matematikktimene rekker Emma opp hånda minst én gang per time.",
    "nn": "I matematikktimane rekk Emma opp handa minst éin gong per time.",
}
MAN_EXAMPLE = {"nb": "kontaktlæreren", "nn": "kontaktlæraren"}

# Lower-case words ending in -es/-ast that are not passive verbs.
NOT_PASSIVE = frozenset({
    "hennes", "deres", "andres", "hverandres", "kvarandres", "dennes", "alles", "ingens",
    "kontrast", "snarast", "entusiast", "gymnast", "fantast", "podkast", "bombast",
})

# Irregular present tenses for "skal + infinitive" in goals.
PRESENT_TENSE = {"være": "er", "vere": "er", "ha": "har", "gjøre": "gjør", "gjere": "gjer",
                 "si": "sier", "seie": "seier", "vite": "vet", "vete": "veit", "gå": "går",
                 "få": "får", "stå": "står", "se": "ser", "sjå": "ser", "bli": "blir",
                 "verte": "vert", "kunne": "kan", "ville": "vil", "skulle": "skal"}

_TIME_OR_PLACE = re.compile(
    r"\d|\bkl\.|\b(hver|hvert|kvar|kvart|per|innen|innan|fra|frå|før|etter|når|daglig|"
    r"dagleg|ukentlig|vekentleg|mandag|måndag|tirsdag|tysdag|onsdag|torsdag|fredag|"
    r"lørdag|laurdag|søndag|sundag|morgen(en)?|kveld(en)?|natt(a)?|"
    r"ettermiddag(en)?|frokost(en)?|middag(en)?|leggetid|friminutt(et|ene|a)?|storefri(en)?|"
    r"langfri|økt(a|en)?|samlingsstund(a|en)?|klasserom(met)?|klassen|skolen|skulen|"
    r"barnehagen|sfo|hjemme|heime|ute|gymsal(en)?|hjem|heim|januar|februar|mars|april|mai|"
    r"juni|juli|august|september|oktober|november|desember|uke|veke|uka|uken|veka|dag|"
    r"gang|ganger|gong|gonger|minutt(er)?|time)\b|\w+time(n|ne|ar|ane)\b|"
    r"\b(man|tir|ons|tor|fre)\.?\s*[-–]\s*(tir|ons|tor|fre|lør|søn)",
    re.IGNORECASE)

_WORD = re.compile(r"[A-Za-zÆØÅæøåÉéÈèÜü]+")


@dataclass(frozen=True)
class Hint:
    """One finding: the words found, where, and the precise form to write instead."""

    code: str
    found: str
    suggestion: str
    start: int
    end: int
    kind: str = ""  # the sort of vagueness, for vague time words

    @property
    def message(self):
        template = VAGUE_MESSAGES[self.kind] if self.code == "vague" else MESSAGES[self.code]
        return _(str(template), default=template.default,
                 mapping={"found": self.found, "suggestion": self.suggestion})


def check(text: str, kind: TextKind | str = TextKind.TEXT, locale: str = "nb") -> list[Hint]:
    """All hints for ``text``, in the order they occur (a goal's own hints last)."""
    variant = 1 if locale == "nn" else 0
    hints = (_abbreviations(text, variant) + _vague_phrases(text, variant)
             + _man(text, variant) + _passives(text))
    hints.sort(key=lambda h: h.start)
    if TextKind(kind) == TextKind.GOAL and text.strip():
        hints += _goal_hints(text, variant)
    return hints


def _abbreviations(text: str, variant: int) -> list[Hint]:
    hints = []
    for abbreviation, full in ABBREVIATIONS.items():
        bare = re.escape(abbreviation.rstrip("."))
        pattern = rf"(?<![\w.]){bare}\.?(?!\w)" if abbreviation.count(".") > 1 \
            else rf"(?<![\w.]){bare}\.(?!\w)|(?<![\w.]){bare}(?=\s\d)"
        for match in re.finditer(pattern, text, re.IGNORECASE):
            chosen = 1 if abbreviation in NYNORSK_ONLY else variant
            hints.append(Hint("abbreviation", match.group(0), full[chosen], *match.span()))
    return _without_overlaps(hints)


def _vague_phrases(text: str, variant: int) -> list[Hint]:
    hints = []
    for phrase, (sort, nb, nn) in VAGUE_PHRASES.items():
        pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, phrase.split())) + r"(?!\w)"
        for match in re.finditer(pattern, text, re.IGNORECASE):
            chosen = 1 if phrase in NYNORSK_ONLY else variant
            hints.append(Hint("vague", match.group(0), (nb, nn)[chosen], *match.span(),
                              kind=sort))
    return _without_overlaps(hints)


def _man(text: str, variant: int) -> list[Hint]:
    # "man-tor" / "man.–fre." are weekdays, not the pronoun
    pattern = r"(?<![\w-])man(?![\w\-–.])"
    return [Hint("man", m.group(0), (MAN_EXAMPLE["nb"], MAN_EXAMPLE["nn"])[variant], *m.span())
            for m in re.finditer(pattern, text, re.IGNORECASE)]


def _passives(text: str) -> list[Hint]:
    hints = []
    for match in _WORD.finditer(text):
        word = match.group(0)
        if word != word.lower() or word in NOT_PASSIVE:
            continue
        active = _active_form(word)
        if active:
            hints.append(Hint("passive", word, active, *match.span()))
    return hints


def _active_form(word: str) -> str | None:
    """'gjennomføres' -> 'gjennomfører', nynorsk 'vurderast' -> 'vurderer'."""
    if len(word) >= 6 and word.endswith("es") and word[-3] not in "aeiouyæøå":
        return word[:-1] + "r"
    if len(word) >= 8 and word.endswith("ast") and word[-4] not in "aeiouyæøås":
        return word[:-3] + "er"
    return None


def _goal_hints(text: str, variant: int) -> list[Hint]:
    hints = []
    future = re.search(r"\bskal\s+(\w+)", text, re.IGNORECASE)
    if future:
        verb = future.group(1).lower()
        present = PRESENT_TENSE.get(verb, verb + "r")
        hints.append(Hint("goal_present", future.group(0), present, *future.span()))
    if not _TIME_OR_PLACE.search(text):
        example = (GOAL_EXAMPLE["nb"], GOAL_EXAMPLE["nn"])[variant]
        hints.append(Hint("goal_condition", text.strip(), example, 0, len(text)))
    return hints


def _without_overlaps(hints: list[Hint]) -> list[Hint]:
    """Keep the longest finding where two overlap ('bl.a.' over 'a.')."""
    kept: list[Hint] = []
    for hint in sorted(hints, key=lambda h: (h.start, -(h.end - h.start))):
        if kept and hint.start < kept[-1].end:
            continue
        kept.append(hint)
    return kept


def as_dicts(hints: list[Hint], translate) -> list[dict]:
    """The hints as JSON-ready dicts with the message in the user's language."""
    return [{"code": h.code, "found": h.found, "suggestion": h.suggestion,
             "start": h.start, "end": h.end, "message": translate(h.message)}
            for h in hints]
