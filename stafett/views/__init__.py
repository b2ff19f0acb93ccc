"""Thin views, one module per area, registered by context and name (traversal)."""

from __future__ import annotations

from pyramid.events import BeforeRender, subscriber

from ..i18n import LOCALES
from ..messages import STATE_NAMES


def includeme(config) -> None:
    config.add_static_view("static", "stafett:static", cache_max_age=3600)
    config.add_request_method(lambda request: request.localizer.translate, "translate",
                              reify=True)


@subscriber(BeforeRender)
def layout_globals(event) -> None:
    """What the layout needs on every page."""
    request = event.get("request")
    if request is None:
        return
    event.setdefault("identity", request.identity)
    event.setdefault("locales", LOCALES)
    event.setdefault("meeting_mode", False)
    event.setdefault("states", STATE_NAMES)
