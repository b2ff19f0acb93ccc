"""Thin views, one module per area, registered by context and name (traversal)."""

from __future__ import annotations

import functools
import threading

from pyramid.events import BeforeRender, subscriber

from ..formatting import formatter
from ..i18n import LOCALES, _, translated
from ..messages import STATE_NAMES, name_of
from ..models.base import find_parent
from ..models.org import AccountKind, Municipality
from ..services.help import TOPICS, page_topic


def includeme(config) -> None:
    from ..services.idporten import IdPorten
    from ..services.throttle import LoginThrottle, SearchThrottle
    from .read_journal import journal_reads

    _compile_templates_one_at_a_time()
    settings = config.get_settings()
    config.registry.idporten = IdPorten.from_settings(settings)
    config.registry.login_throttle = LoginThrottle.from_settings(settings)
    config.registry.search_throttle = SearchThrottle.from_settings(settings)
    config.add_view_deriver(journal_reads)
    config.include(".request_guard")
    config.include(".response_headers")
    config.include(".health")
    config.include(".metrics")
    config.add_static_view("static", "stafett:static", cache_max_age=3600)
    config.add_request_method(lambda request: functools.partial(translated, request.localizer),
                              "translate", reify=True)
    config.add_request_method(lambda request: formatter(request.locale_name), "fmt", reify=True)
    config.add_request_method(navigation, "nav", reify=True)
    config.add_request_method(notice, "notice")
    config.add_request_method(take_notices, "take_notices")


NOTICES_KEPT = 3


def notice(request, text: str) -> None:
    """A message for the next page. A client that never follows the redirect (a script, a
    double submit) must not grow the session cookie past what a browser stores: the same
    message is queued once and only the newest few are kept."""
    session = request.session
    session.flash(text, allow_duplicate=False)
    waiting = session.peek_flash()
    if len(waiting) > NOTICES_KEPT:
        session.pop_flash()
        for kept in waiting[-NOTICES_KEPT:]:
            session.flash(kept)


def take_notices(request) -> list:
    """The messages waiting for this page. Only a page that has some changes the session:
    a page that re-sent an unchanged cookie could overwrite the one a parallel request
    just set (a browser's own /favicon.ico beside the click on "Logg inn med ID-porten"
    lost the login's state that way)."""
    session = request.session
    waiting = session.peek_flash()
    if waiting:
        session.pop_flash()
    return waiting


def _compile_templates_one_at_a_time() -> None:
    """Chameleon compiles a template to Python on its first render. Python 3.11's
    ``compile()`` can fail with ``SystemError`` when two threads run it at once, so two
    first requests arriving together could each get a 500. One lock around the (once per
    template) compilation step avoids it; compiled code is shared afterwards."""
    from chameleon.template import BaseTemplate

    if getattr(BaseTemplate._cook, "serialized", False):
        return
    lock, cook = threading.Lock(), BaseTemplate._cook

    def serialized_cook(self, *args):
        with lock:
            return cook(self, *args)

    serialized_cook.serialized = True
    BaseTemplate._cook = serialized_cook


def navigation(request) -> list[tuple]:
    """The menu for the logged-in user: (label, url). Consoles are traversal views:
    ``<unit>/console`` and ``<unit>/audit`` for leaders, ``<municipality>/admin`` and
    ``<municipality>/audit`` for superusers."""
    account = request.identity
    if account is None:
        return []
    links = [(_("nav_my_logs", default="My logs"), request.application_url + "/")]
    municipality = request.app_root.get(account.municipality)
    employee = municipality.employee(account.employee_id) if municipality else None
    if employee is None:
        return links
    if employee.is_leader:
        links.append((_("nav_unit_console", default="Unit"),
                      request.resource_url(employee.unit, "console")))
        links.append((_("nav_unit_audit", default="Audit"),
                      request.resource_url(employee.unit, "audit")))
    if employee.id in municipality.superusers:
        links.append((_("nav_municipality_admin", default="Municipality"),
                      request.resource_url(municipality, "admin")))
        links.append((_("nav_municipality_audit", default="Municipality audit"),
                      request.resource_url(municipality, "audit")))
    return links


MEETING_MODE_KEY = "meeting_mode_log"  # the path of the log shown in meeting mode (R34)


def in_meeting_mode(request, log) -> bool:
    return request.session.get(MEETING_MODE_KEY) == request.resource_path(log)


def log_home(request, log, query=None) -> str:
    """Where "back to the log" leads: the meeting page while the log is on the projector."""
    return request.resource_url(log, "meeting-mode" if in_meeting_mode(request, log) else "",
                                query=query)


@subscriber(BeforeRender)
def layout_globals(event) -> None:
    """What the layout needs on every page."""
    request = event.get("request")
    if request is None:
        return
    event.setdefault("identity", request.identity)
    event.setdefault("locales", LOCALES)
    # R34: while meeting mode is on, every page it lets through (the meeting's own forms,
    # the child's view) is drawn for the projector too, with no menu and no user name.
    event.setdefault("meeting_mode", bool(request.session.get(MEETING_MODE_KEY)))
    event.setdefault("states", STATE_NAMES)
    event.setdefault("fmt", formatter(request.locale_name))
    event.setdefault("word", lambda kind, code: request.translate(name_of(kind, code)))
    event.setdefault("nav_label", _("nav_main", default="Main menu"))
    topic = page_topic(getattr(request, "context", None), getattr(request, "view_name", ""),
                       event.get("renderer_name"), user_role(request))
    event.setdefault("page_help", TOPICS.get(topic))
    event.setdefault("practice", is_practice(page_municipality(request)))
    event.setdefault("practice_url", practice_url(request))


def user_role(request) -> str:
    """Whose front page: a unit leader's, another employee's, or the family's (R43)."""
    account = request.identity
    if account is None or account.kind != AccountKind.EMPLOYEE:
        return "family"
    municipality = request.app_root.get(account.municipality)
    employee = municipality.employee(account.employee_id) if municipality else None
    return "leader" if employee is not None and employee.is_leader else "staff"


def page_municipality(request):
    """The municipality a page belongs to: its context's, or the user's own."""
    found = find_parent(getattr(request, "context", None), Municipality)
    if found is None and request.identity is not None:
        found = request.app_root.get(request.identity.municipality)
    return found


def practice_url(request) -> str | None:
    """Where the user's practice municipality lets them choose whom to practise as: for
    staff of a municipality that has one, and for anyone already practising (R43)."""
    account = request.identity
    if account is None or account.kind != AccountKind.EMPLOYEE:
        return None
    own = request.app_root.get(account.municipality)
    if is_practice(own):
        return request.resource_url(own, "practice")
    practice = request.app_root.get(own.practice) if own is not None and own.practice else None
    return request.resource_url(practice, "practice") if practice is not None else None


def is_practice(municipality) -> bool:
    return getattr(municipality, "practice_of", None) is not None
