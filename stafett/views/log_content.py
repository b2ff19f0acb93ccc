"""What is written in a log: concerns, goals, measures, evaluations, meetings, glimpses and
notes (issue: the holder's web forms). ``content_panel`` feeds the log page."""

from __future__ import annotations

from ..security import Permission


def content_panel(request, log) -> dict:
    """Values for templates/log/content.pt: only what this user may read (R3-R5, R8)."""
    return {
        "full": request.has_permission(Permission.VIEW, log),
        "concerns": [c for c in log.concerns.values()
                     if request.has_permission(Permission.VIEW, c)],
    }
