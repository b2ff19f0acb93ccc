"""What is written in a log as the log page shows it: concerns, goals, measures,
evaluations, meetings, glimpses and notes, only what this user may read (R3-R5, R8, R31).
The forms live in ``views/concerns.py`` and ``views/notes.py``; ``hints_for`` is the
writing help they show after a save (R32)."""

from __future__ import annotations

from pyramid.view import view_config

from ..forms.family import FEEDBACK_QUESTION, WAY_LABELS
from ..forms.log_content import (
    ARENA_LABELS,
    DECISION_LABELS,
    PARTY_LABELS,
    VERDICT_LABELS,
)
from ..i18n import _
from ..messages import STATE_NAMES, category_name
from ..models.base import find_parent, today, utcnow
from ..models.concern import TEXT_CORRECTION_WINDOW, Measure, Party
from ..models.log import Log
from ..models.notes import AuthorRole, LogNote, NoteVisibility
from ..models.org import AppRoot
from ..security import FAMILY, HOLDER, Permission, request_principals
from ..services import writing_help
from ..workflows import family


def hints_for(request, texts: dict[str, tuple[str, str]]) -> list[dict]:
    """Writing help after submit (R32): {field title: (text, kind)} -> hints to show."""
    found = []
    for title, (text, kind) in texts.items():
        for hint in writing_help.check(text or "", kind, request.locale_name):
            found.append({"field": request.translate(title),
                          "message": request.translate(hint.message)})
    return found


def note_visible(request, note: LogNote) -> bool:
    """R31: family by default; limited notes reach the employees, or the holder only."""
    if not request.has_permission(Permission.VIEW, note):
        return False
    if note.visibility == NoteVisibility.FAMILY:
        return True
    roles = request_principals(request, note)
    if note.visibility == NoteVisibility.PARTICIPANTS:
        return not roles & set(FAMILY)
    return HOLDER in roles


# -- what the templates show ------------------------------------------------------------
def responsible(log: Log, measure: Measure) -> str | object:
    if measure.party == Party.ACTOR:
        employee = log.municipality.employee(measure.actor_id)
        return employee.name if employee is not None else ""
    return PARTY_LABELS[measure.party]


def measure_row(request, log: Log, measure: Measure) -> dict:
    actions = []
    if measure.state == "active" and request.has_permission(Permission.EDIT, measure):
        if utcnow() - measure.created <= TEXT_CORRECTION_WINDOW:
            actions.append((_("ct_correct", default="Correct the text"), "correct"))
        actions += [(_("ct_evaluate", default="Evaluate"), "evaluate"),
                    (_("ct_misregister", default="Misregistered: replace"), "misregister")]
    evaluation = measure.evaluation
    return {"measure": measure, "responsible": responsible(log, measure),
            "family_views": family_views(request, log, measure)
            if measure.state == "active" and HOLDER in request_principals(request, log) else [],
            "verdict": VERDICT_LABELS[evaluation.family_verdict] if evaluation else None,
            "decision": DECISION_LABELS[evaluation.decision] if evaluation else None,
            "arena": ARENA_LABELS[measure.arena], "state": STATE_NAMES[measure.state],
            "actions": [(label, request.resource_url(measure, name))
                        for label, name in actions]}


def family_views(request, log: Log, measure: Measure) -> list[dict]:
    """What the family noted on a measure before the meeting (R27), for the holder."""
    accounts = request.app_root.accounts
    return [{"who": getattr(accounts.get(v.author), "display_name", ""),
             "verdict": VERDICT_LABELS[v.verdict] if v.verdict else None,
             "comment": v.comment} for v in family.verdicts_on(log, measure)]


def concern_item(request, log: Log, concern) -> dict:
    measures = sorted(concern.measures.values(), key=lambda m: m.created)
    return {"concern": concern, "url": request.resource_url(concern),
            "voices": family.voices_of(log, concern_id=concern.id),
            "category": category_name(concern.category),
            "missing": [ARENA_LABELS[a] for a in concern.missing_arenas()]
            if concern.closed is None else [],
            "measures": [measure_row(request, log, m) for m in measures]}


def content_panel(request, log) -> dict:
    """Values for templates/log/content.pt: only what this user may read (R3-R5, R8)."""
    full = request.has_permission(Permission.VIEW, log)
    username = request.identity.username
    concerns = sorted((c for c in log.concerns.values()
                       if request.has_permission(Permission.VIEW, c)), key=lambda c: c.created)
    glimpses, older = glimpse_page(request, log, request.params.get("glimpses"))
    return {"content": {
        "full": full,
        "concerns": [concern_item(request, log, c) for c in concerns],
        "meetings": [meeting_item(request, log, m) for m in
                     sorted(log.meetings.values(), key=lambda m: m.date)] if full else [],
        "glimpses": [glimpse_row(request, g) for g in glimpses],
        "older_glimpses": request.resource_url(log, query={"glimpses": older}, anchor="glimpses")
        if older else None,
        "notes": sorted((n for n in log.notes.values() if note_visible(request, n)),
                        key=lambda n: n.created, reverse=True),
        "private_notes": sorted((n for n in log.private_notes.values()
                                 if n.author == username), key=lambda n: n.created,
                                reverse=True),
        "may_edit": request.has_permission(Permission.EDIT, log),
        "may_contribute": request.has_permission(Permission.CONTRIBUTE, log),
        "concern_text": {c.id: c.text for c in concerns},
        "way_labels": WAY_LABELS, "feedback_question": FEEDBACK_QUESTION,
    }}


def meeting_item(request, log: Log, meeting) -> dict:
    """A meeting with the child's voice (R40); the family's answers after it for the holder,
    and for each family member their own (R27)."""
    holder = HOLDER in request_principals(request, log)
    username = request.identity.username
    feedback = [f for f in family.feedback_on(log, meeting.id)
                if holder or f.author == username]
    accounts = request.app_root.accounts
    return {"meeting": meeting, "voices": family.voices_of(log, meeting_id=meeting.id),
            "feedback": [{"text": f.text, "who": getattr(accounts.get(f.author),
                                                          "display_name", "")}
                         for f in feedback],
            "may_answer": meeting.date <= today()
            and request.has_permission(Permission.FAMILY_INPUT, log),
            "may_speak": request.has_permission(Permission.SPEAK, log)}


AUTHOR_LABELS = {
    AuthorRole.HOLDER: _("fam_author_holder", default="the log holder"),
    AuthorRole.ACTOR: _("fam_author_actor", default="an employee"),
    AuthorRole.GUARDIAN: _("fam_author_guardian", default="a guardian"),
    AuthorRole.SUBJECT: _("fam_author_subject", default="the child or youth"),
}


def glimpse_row(request, glimpse) -> dict:
    account = request.app_root.accounts.get(glimpse.author)
    return {"glimpse": glimpse, "author": account.display_name if account else "",
            "role": AUTHOR_LABELS[glimpse.author_role]}


GLIMPSES_PER_PAGE = 20
GLIMPSES_SCANNED = 500  # an actor sees only their own: look this far for a page of them


def glimpse_page(request, log, after: str | None) -> tuple[list, str | None]:
    """The newest glimpses this user may read, from ``after`` (a key) on, and the key the
    next page starts after. Glimpses are keyed newest first, so a page reads the start of
    each lane of the timeline whatever the log's history (``models.base.Timeline``)."""
    shown, last = [], None
    for scanned, (key, glimpse) in enumerate(log.glimpses.newest(after)):
        if len(shown) == GLIMPSES_PER_PAGE or scanned > GLIMPSES_SCANNED:
            return shown, last
        last = key
        if request.has_permission(Permission.VIEW, glimpse):
            shown.append(glimpse)
    return shown, None


# -- writing help while typing (R32) ----------------------------------------------------
@view_config(context=AppRoot, name="writing-help", request_method="POST", renderer="json",
             permission=Permission.HOME)
def writing_help_json(request):
    """Hints for the text being typed; POST so the text never appears in a URL or log line."""
    kind = request.POST.get("kind", "text")
    if kind not in tuple(writing_help.TextKind):
        kind = "text"
    text = request.POST.get("text", "")[:5000]
    hints = writing_help.check(text, kind, request.locale_name)
    return {"hints": writing_help.as_dicts(hints, request.translate)}


def log_of(context) -> Log:
    return find_parent(context, Log)
