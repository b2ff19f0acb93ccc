"""The accessibility statement (tilgjengelighetserklæring): public, linked from every page's
footer (layout.pt), in the shape of the Norwegian public sector's statements.

The municipality that runs Stafett names its contact for feedback in
``stafett.accessibility_contact`` (an e-mail address or a web address); without it the page
tells the reader to contact the municipality. ``STATEMENT_DATE`` is the day the statement was
last checked against the app: move it with the release that re-tests it.
"""

from __future__ import annotations

import datetime as dt

from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from ..models.org import AppRoot

STATEMENT_DATE = dt.date(2026, 12, 5)
COMPLAINTS_URL = "https://www.uutilsynet.no/"


def contact_of(settings) -> dict | None:
    """The feedback contact as a link: ``mailto:`` for an address, the web address itself
    for an http(s) one; ``None`` when none is set."""
    contact = (settings.get("stafett.accessibility_contact") or "").strip()
    if not contact:
        return None
    if contact.startswith(("https://", "http://")):
        return {"text": contact, "href": contact}
    return {"text": contact, "href": "mailto:" + contact if "@" in contact else None}


@view_config(context=AppRoot, name="accessibility", request_method="GET",
             renderer="stafett:templates/accessibility.pt", permission=NO_PERMISSION_REQUIRED)
def accessibility_statement(request):
    settings = request.registry.settings
    return {"statement_date": STATEMENT_DATE, "complaints_url": COMPLAINTS_URL,
            "contact": contact_of(settings),
            "idle_minutes": int(settings.get("stafett.session_idle_seconds", 1200)) // 60}
