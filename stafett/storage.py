"""ZODB wiring: a connection per request on ``request.tm`` (pyramid_zodbconn), the app root
created on first use inside the request's transaction, and evolve steps for schema changes."""

from __future__ import annotations

from collections.abc import Callable

from pyramid_zodbconn import get_connection

from .access_journal import open_access_journal
from .models.org import AppRoot

ROOT_KEY = "stafett"


def _index_employees_by_fnr(root: AppRoot) -> None:
    """R1: municipalities made before the fødselsnummer index get it filled in."""
    from BTrees.OOBTree import OOBTree

    for municipality in root.values():
        municipality.employee_by_fnr = OOBTree()
        for employee in municipality.employees.values():
            municipality.employee_by_fnr.setdefault(employee.fnr, employee.id)


def _archive_copies_per_municipality(root: AppRoot) -> None:
    """R20: the sending unit's archive copies are kept by the municipality."""
    from BTrees.OOBTree import OOBTree

    for municipality in root.values():
        municipality.archive_copies = OOBTree()


# Schema changes ship as numbered steps; AppRoot.generation says how far a database is.
EVOLVE_STEPS: list[Callable[[AppRoot], None]] = [_index_employees_by_fnr,
                                                 _archive_copies_per_municipality]


def app_root(conn) -> AppRoot:
    zodb_root = conn.root()
    root = zodb_root.get(ROOT_KEY)
    if root is None:
        root = zodb_root[ROOT_KEY] = AppRoot()
        root.generation = len(EVOLVE_STEPS)
    return root


def evolve(root: AppRoot) -> int:
    """Apply the pending evolve steps; return how many ran."""
    pending = EVOLVE_STEPS[root.generation:]
    for step in pending:
        step(root)
        root.generation += 1
    return len(pending)


def _request_app_root(request) -> AppRoot:
    return app_root(get_connection(request))


def root_factory(request) -> AppRoot:
    return request.app_root


def includeme(config) -> None:
    settings = config.get_settings()
    settings.setdefault("tm.manager_hook", "pyramid_tm.explicit_manager")
    settings.setdefault("retry.attempts", 3)
    config.include("pyramid_tm")
    config.include("pyramid_retry")
    config.include("pyramid_zodbconn")
    config.registry.access_journal = open_access_journal(settings)
    config.add_request_method(lambda request: request.registry.access_journal,
                              "access_journal", reify=True)
    config.add_request_method(_request_app_root, "app_root", reify=True)
    config.set_root_factory(root_factory)
