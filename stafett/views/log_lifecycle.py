"""The log's lifecycle in the browser: create, consent, activate, grants, close, transfer,
meeting mode (issue: the holder's web forms). ``lifecycle_panel`` feeds the log page."""

from __future__ import annotations


def lifecycle_panel(request, log) -> dict:
    """Values for templates/log/lifecycle.pt on the log page."""
    return {}
