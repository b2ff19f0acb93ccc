"""``GET /metrics``: requests, conflicts and storage traffic in the Prometheus text format.

Each app process counts its own requests in its own registry (the README: every process is
scraped on its own port). Requests are counted by the view that answered (``logs.log_page``,
``errors.notfound``), never by URL: URLs carry log ids, and a URL typed by hand could carry a
name. A request is counted once, when its answer goes out: an attempt that pyramid_retry
throws away and tries again counts as a retry, and the duration runs from the first attempt.

Only the machine itself (loopback, not through the reverse proxy) or a scraper that sends
``Authorization: Bearer <stafett.metrics_token>`` sees them; anyone else gets the app's 404.
"""

from __future__ import annotations

import hmac
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily
from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.tweens import INGRESS
from pyramid.view import view_config
from pyramid_retry import IBeforeRetry, IRetryableError, RetryableException, is_error_retryable
from ZODB.ActivityMonitor import ActivityMonitor

from .this_machine import from_this_machine

TOKEN_SETTING = "stafett.metrics_token"
STARTED = "stafett.metrics.started"  # in the environ, which every attempt shares
VIEW_LABEL = "metrics_view"  # set on the request by the view that answers


class Metrics:
    """The process's counters; one per app (tests make many apps in one process)."""

    def __init__(self, databases: dict) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "stafett_requests", "Requests answered, by the view that answered and the status "
            "class (2xx, 3xx, 4xx, 5xx)", ["view", "status"], registry=self.registry)
        self.duration = Histogram(
            "stafett_request_duration_seconds", "Time from a request's first attempt to its "
            "answer, retries included", registry=self.registry,
            buckets=(.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))
        self.retries = Counter(
            "stafett_retries", "Attempts thrown away and tried again after a retryable error "
            "(a ZODB conflict), by the error's type", ["error"], registry=self.registry)
        self.exhausted = Counter(
            "stafett_retries_exhausted", "Requests that met a retryable error on their last "
            "attempt (the user saw the busy page)", registry=self.registry)
        self.transfers = {name: TransferTotals() for name in databases}
        for name, database in databases.items():
            database.setActivityMonitor(self.transfers[name])
        self.registry.register(StorageCollector(self.transfers))

    def answered(self, request, status: int, error: BaseException | None) -> None:
        if error is not None and is_error_retryable(request, error):
            return  # pyramid_retry tries again; counted by retried()
        if error is not None and retryable_kind(error):
            self.exhausted.inc()
        view = getattr(request, VIEW_LABEL, "none")
        self.requests.labels(view=view, status=f"{status // 100}xx").inc()
        self.duration.observe(time.perf_counter() - request.environ[STARTED])

    def retried(self, event) -> None:
        self.retries.labels(error=type(event.exception).__name__).inc()


def retryable_kind(error: BaseException) -> bool:
    """An error pyramid_retry retries while attempts are left (pyramid_tm marks ZODB's
    TransientError so)."""
    return isinstance(error, RetryableException) or IRetryableError.providedBy(error)


class TransferTotals(ActivityMonitor):
    """Objects loaded from and stored to the storage by every connection closed so far.
    (ZODB's own monitor keeps a time window; a Prometheus counter wants running totals.)"""

    def __init__(self) -> None:
        super().__init__()
        self.loads = self.stores = 0

    def closedConnection(self, conn) -> None:  # noqa: N802 - ZODB's name
        loads, stores = conn.getTransferCounts(True)
        with self.trim_lock:
            self.loads += loads
            self.stores += stores


class StorageCollector:
    def __init__(self, transfers: dict[str, TransferTotals]) -> None:
        self.transfers = transfers

    def collect(self):
        loads = CounterMetricFamily("stafett_zodb_loads", "Objects loaded from the object "
                                    "database (cache misses)", labels=["database"])
        stores = CounterMetricFamily("stafett_zodb_stores", "Objects written to the object "
                                     "database", labels=["database"])
        for name, totals in self.transfers.items():
            loads.add_metric([name or "main"], totals.loads)
            stores.add_metric([name or "main"], totals.stores)
        yield loads
        yield stores


def includeme(config) -> None:
    metrics = config.registry.metrics = Metrics(config.registry._zodb_databases)
    config.add_tween("stafett.views.metrics.count_requests", under=INGRESS)
    config.add_subscriber(metrics.retried, IBeforeRetry)
    config.add_view_deriver(label_requests)
    config.add_route("metrics", "/metrics")


def count_requests(handler, registry):
    """Outside pyramid_tm, so a conflict at commit is seen with the page it ends in."""
    metrics = registry.metrics

    def tween(request):
        request.environ.setdefault(STARTED, time.perf_counter())
        try:
            response = handler(request)
        except Exception as error:
            metrics.answered(request, 500, error)
            raise
        metrics.answered(request, response.status_int, request.exception)
        return response

    return tween


def label_requests(view, info):
    """Name each view once, at configuration: ``<module>.<function>`` (a class view adds its
    attr). An error page keeps the name of the view that failed, when one ran."""
    original = info.original_view
    name = getattr(original, "__qualname__", type(original).__qualname__)
    label = f"{getattr(original, '__module__', '').rsplit('.', 1)[-1]}.{name}"
    if info.options.get("attr"):
        label += "." + info.options["attr"]

    def labelled(context, request):
        if not (info.exception_only and hasattr(request, VIEW_LABEL)):
            setattr(request, VIEW_LABEL, label)
        return view(context, request)

    return labelled


@view_config(route_name="metrics", request_method="GET", permission=NO_PERMISSION_REQUIRED)
def metrics(request) -> Response:
    if not may_scrape(request):
        raise HTTPNotFound()
    body = generate_latest(request.registry.metrics.registry)
    return Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def may_scrape(request) -> bool:
    token = request.registry.settings.get(TOKEN_SETTING, "")
    sent = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(sent.encode("utf-8", "replace"),
                                     f"Bearer {token}".encode()):
        return True
    return from_this_machine(request)
