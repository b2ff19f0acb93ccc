"""``GET /health`` for the load balancer and the operator's monitoring: is this process able
to serve, and is the work behind it done? JSON with one state per check; 200 when every
check passes, 503 otherwise.

- ``storage``: the app root read in the request's own connection (and, on ZEO, the client
  connected to its server).
- ``access_journal``: the SQL access journal answers a one-row query (its head).
- ``sealed``: the access journal's head was sealed within ``stafett.health.max_age_hours``
  (26 by default: a night's run and some slack). The ZODB journals are sealed by the same
  nightly step; the access journal's head is one row, so this check costs the same in any
  municipality.
- ``nightly``: the last nightly run (models/nightly.py) finished within the same age and
  did not fail, whichever process ran it: a process with its scheduler off
  (``stafett.nightly = off``) still reports whether the night was done somewhere.

It reveals no personal data (counts, times, error types), so it needs no login. It is a
route of its own rather than a view on the app root: a storage that cannot be read must
still get this answer, not the error page. It writes nothing: the transaction is doomed,
so pyramid_tm aborts it whatever the view touched.
"""

from __future__ import annotations

import datetime as dt

from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config
from pyramid_zodbconn import get_connection

from ..models.base import utcnow
from ..models.nightly import last_run
from ..storage import ROOT_KEY

MAX_AGE_SETTING = "stafett.health.max_age_hours"
DEFAULT_MAX_AGE_HOURS = 26
PASSING = ("ok", "running")


def includeme(config) -> None:
    config.add_route("health", "/health")


@view_config(route_name="health", request_method=("GET", "HEAD"),
             permission=NO_PERMISSION_REQUIRED)
def health(request) -> Response:
    request.tm.doom()  # whatever happens here, nothing is committed
    settings = request.registry.settings
    max_age = dt.timedelta(hours=float(settings.get(MAX_AGE_SETTING, DEFAULT_MAX_AGE_HOURS)))
    now = utcnow()
    root, storage = _storage(request)
    journal, sealed = _access_journal(request, now, max_age)
    checks = {"storage": storage, "access_journal": journal, "sealed": sealed,
              "nightly": _nightly(root, now, max_age)}
    healthy = all(check["state"] in PASSING for check in checks.values())
    return Response(json={"status": "ok" if healthy else "failing", "checks": checks},
                    status=200 if healthy else 503)


def _storage(request) -> tuple[object | None, dict]:
    try:
        conn = get_connection(request)
        connected = getattr(conn.db().storage, "is_connected", None)  # a ZEO client
        if connected is not None and not connected():
            return None, {"state": "unreachable", "error": "ClientDisconnected"}
        root = conn.root().get(ROOT_KEY)
    except Exception as error:  # noqa: BLE001 - any failure is the answer; its type only
        return None, {"state": "unreachable", "error": type(error).__name__}
    if root is None:
        return None, {"state": "empty"}  # stafett-init has not been run
    return root, {"state": "ok"}


def _access_journal(request, now: dt.datetime, max_age: dt.timedelta) -> tuple[dict, dict]:
    try:
        _sealed_count, _head, sealed_until_ns = request.registry.access_journal.head()
    except Exception as error:  # noqa: BLE001 - as above
        failed = {"state": "unreachable", "error": type(error).__name__}
        return failed, {"state": "unknown"}
    if not sealed_until_ns:
        return {"state": "ok"}, {"state": "never"}
    sealed_until = dt.datetime.fromtimestamp(sealed_until_ns / 1e9, dt.UTC)
    return {"state": "ok"}, {"state": "ok" if now - sealed_until <= max_age else "stale",
                             "sealed_until": sealed_until.isoformat()}


def _nightly(root, now: dt.datetime, max_age: dt.timedelta) -> dict:
    if root is None:
        return {"state": "unknown"}
    run = last_run(root)
    if run is None:
        return {"state": "never"}
    shown = {"night": run.night.isoformat(), "started": run.started.isoformat(),
             "finished": run.finished.isoformat() if run.finished else None,
             "failed": run.failed}  # "step: ErrorType", never data
    if run.failed:
        return {"state": "failed", **shown}
    if now - (run.finished or run.started) > max_age:
        return {"state": "stale", **shown}
    return {"state": "ok" if run.finished else "running", **shown}
