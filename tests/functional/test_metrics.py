"""GET /metrics: Prometheus text that parses, counters that move, retries and exhausted
retries counted, and nothing shown to anyone outside the machine without the token."""

from __future__ import annotations

import pytest
import webtest
from prometheus_client.parser import text_string_to_metric_families
from pyramid.config import Configurator
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from ZODB.POSException import ConflictError

from stafett import main
from stafett.models.org import AppRoot

from ..conftest import app_settings, close_app, login

LOCAL = {"REMOTE_ADDR": "127.0.0.1"}
OUTSIDE = {"REMOTE_ADDR": "192.0.2.7"}
TOKEN = "scrape-me-7f3a"


@pytest.fixture
def app(datafs):
    wsgi = main({}, **app_settings(datafs, **{"stafett.metrics_token": TOKEN}))
    config = Configurator(registry=wsgi.registry)  # test-only views that meet conflicts
    config.add_view(conflict_twice, context=AppRoot, name="conflict-twice",
                    permission=NO_PERMISSION_REQUIRED)
    config.add_view(conflict_always, context=AppRoot, name="conflict-always",
                    permission=NO_PERMISSION_REQUIRED)
    config.commit()
    yield wsgi
    close_app(wsgi)


def conflict_twice(request):
    if request.environ["retry.attempt"] < 2:
        raise ConflictError(object=AppRoot())
    return Response("saved")


def conflict_always(request):
    raise ConflictError(object=AppRoot())


def scrape(testapp) -> dict[tuple[str, tuple], float]:
    """Every sample as (name, sorted labels) -> value."""
    text = testapp.get("/metrics", extra_environ=LOCAL).text
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_the_text_parses_and_names_every_metric(testapp):
    names = {family.name for family in text_string_to_metric_families(
        testapp.get("/metrics", extra_environ=LOCAL).text)}
    assert {"stafett_requests", "stafett_request_duration_seconds", "stafett_retries",
            "stafett_retries_exhausted", "stafett_zodb_loads", "stafett_zodb_stores"} <= names
    response = testapp.get("/metrics", extra_environ=LOCAL)
    assert response.content_type == "text/plain"
    assert "Set-Cookie" not in response.headers


def test_requests_are_counted_by_view_and_status_class_never_by_url(testapp):
    before = scrape(testapp)
    login(testapp, "larer")  # GET /login, POST /login (303)
    testapp.get("/demo/logs/no-such-log-12345/", status=404)
    after = scrape(testapp)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("stafett_requests_total", view="auth.login", status="2xx") == 1
    assert moved("stafett_requests_total", view="auth.login", status="3xx") == 1
    assert moved("stafett_requests_total", view="errors.notfound", status="4xx") == 1
    assert moved("stafett_request_duration_seconds_count") >= 4  # and the first scrape
    assert moved("stafett_zodb_loads_total", database="main") > 0
    assert not any("no-such-log" in str(key) for key in after)


def test_a_conflict_retried_is_counted_once_per_retry_and_the_request_once(testapp):
    before = scrape(testapp)
    assert testapp.get("/conflict-twice", extra_environ=LOCAL).text == "saved"
    after = scrape(testapp)
    assert (value(after, "stafett_retries_total", error="ConflictError")
            - value(before, "stafett_retries_total", error="ConflictError")) == 2
    assert value(after, "stafett_requests_total", view="test_metrics.conflict_twice",
                 status="2xx") == 1
    assert value(after, "stafett_retries_exhausted_total") == 0


def test_a_request_that_runs_out_of_retries_is_counted_with_its_busy_page(testapp):
    testapp.get("/conflict-always", status=503)
    samples = scrape(testapp)
    assert value(samples, "stafett_retries_exhausted_total") == 1
    assert value(samples, "stafett_retries_total", error="ConflictError") == 4  # of 5 attempts
    assert value(samples, "stafett_requests_total", view="test_metrics.conflict_always",
                 status="5xx") == 1


def test_a_commit_is_seen_as_stores(testapp, read_root):
    """Any connection of the app's database that commits: its objects reach the counter."""
    before = scrape(testapp)
    with read_root() as root:
        root.generation = root.generation  # rewrites the app root
    after = scrape(testapp)
    assert value(after, "stafett_zodb_stores_total", database="main") > value(
        before, "stafett_zodb_stores_total", database="main")


@pytest.mark.parametrize("environ,headers", [
    (OUTSIDE, {}),
    (OUTSIDE, {"Authorization": "Bearer wrong"}),
    (LOCAL, {"X-Forwarded-Proto": "https"}),  # the reverse proxy on this machine
    (LOCAL, {"Forwarded": "for=192.0.2.7"}),
])
def test_anyone_outside_without_the_token_gets_the_apps_404(testapp, environ, headers):
    response = testapp.get("/metrics", extra_environ=environ, headers=headers, status=404)
    assert "stafett_requests" not in response.text


def test_the_token_opens_it_from_outside(testapp):
    response = testapp.get("/metrics", extra_environ=OUTSIDE,
                           headers={"Authorization": f"Bearer {TOKEN}"}, status=200)
    assert "stafett_requests_total" in response.text


def test_without_a_token_setting_only_the_machine_itself_may_scrape(datafs):
    app = main({}, **app_settings(datafs))
    try:
        client = webtest.TestApp(app)
        client.get("/metrics", extra_environ=OUTSIDE, headers={"Authorization": "Bearer "},
                   status=404)
        client.get("/metrics", extra_environ=LOCAL, status=200)
    finally:
        close_app(app)
