"""The superuser sees the last nightly run on the municipality's page ("Nattlig arbeid"):
the night, when it started and finished on the Oslo clock, each step with its summary and a
failure if any, in nb, nn and en. Nobody else sees it."""

from __future__ import annotations

import datetime as dt

import pytest

from stafett import main
from stafett.formatting import formatter
from stafett.workflows.nightly import Step, run_night

from ..conftest import app_settings, close_app, csrf_token, login

NIGHT = dt.date(2026, 12, 5)


def run_in(app, night=NIGHT, **kwargs):
    registry = app.registry
    return run_night(registry._zodb_databases[""], registry.settings, registry.access_journal,
                     night, **kwargs)


def choose(testapp, locale: str) -> None:
    testapp.post("/language", {"locale": locale, "csrf_token": csrf_token(testapp.get("/"))},
                 status=303)


def test_the_superuser_sees_that_no_night_has_run_yet(testapp):
    login(testapp, "superbruker")
    page = testapp.get("/demo/admin", status=200)
    assert "Nattlig arbeid" in page.text and "Nattarbeidet har ikke kjørt ennå." in page.text


STEPS_READ = {  # the steps after the daily ones, as each language names them
    "nb": ["Avsluttede innlogginger", "Forsegling av endringsloggene",
           "Forsegling av tilgangsloggen", "Levering av arkivkopier til kommunens arkiv",
           "Pakking av databasen"],
    "nn": ["Avslutta innloggingar", "Forsegling av endringsloggane",
           "Forsegling av tilgangsloggen", "Levering av arkivkopiar til arkivet i kommunen",
           "Pakking av databasen"],
    "en": ["Ended login sessions", "Sealing the change journals",
           "Sealing the access journal", "Delivering archive copies to the municipal archive",
           "Packing the database"]}
DAILY_READ = {"nb": ("Samtykker og påminnelser: Demo kommune", "samtykker utløpt: 0"),
              "nn": ("Samtykke og påminningar: Demo kommune", "samtykke gått ut: 0"),
              "en": ("Consents and reminders: Demo kommune", "consents expired: 0")}


@pytest.mark.parametrize(("locale", "heading", "finished"), [
    ("nb", "Nattlig arbeid", "Ferdig"), ("nn", "Nattleg arbeid", "Ferdig"),
    ("en", "Nightly work", "Finished")])
def test_the_superuser_sees_the_last_night_with_its_steps(app, testapp, locale, heading,
                                                          finished):
    outcome = run_in(app)
    login(testapp, "superbruker")
    choose(testapp, locale)
    page = testapp.get("/demo/admin", status=200)
    panel = page.html.find(id="nightly")
    text = panel.get_text(" ")
    fmt = formatter(locale)
    assert heading in text and finished in text and fmt.date(NIGHT) in text
    assert outcome.process in text
    cells = [[td.get_text(" ", strip=True) for td in row.find_all("td")]
             for row in panel.find("tbody").find_all("tr")]
    assert len(cells) == len(outcome.steps)  # every step done, in the order done
    assert [row[0] for row in cells[-5:]] == STEPS_READ[locale]
    daily_label, daily_count = DAILY_READ[locale]
    daily = next(row for row in cells if row[0] == daily_label)
    assert daily_count in daily[2]
    # The record's codes are the operator's; the reader sees words.
    assert "daily/" not in text and "expired=" not in text and "sealed=" not in text
    assert "Noah" not in text and "Emma" not in text


def test_the_superuser_sees_a_night_that_failed(app, testapp):
    def broken(_ctx, _root):
        raise OSError("disk full")

    run_in(app, steps=lambda _root: [Step("pack", broken)])
    login(testapp, "superbruker")
    page = testapp.get("/demo/admin", status=200)
    failed = page.html.find(id="nightly-failed")
    assert failed is not None and failed.get_text() == "pack: OSError"
    assert "Ikke ferdig" in page.html.find(id="nightly").get_text()


@pytest.mark.parametrize("username", ["rektor", "larer"])
def test_a_unit_leader_or_a_teacher_does_not_see_the_nightly_record(app, testapp, username):
    run_in(app)
    login(testapp, username)
    response = testapp.get("/demo/admin", expect_errors=True)
    assert response.status_int in (403, 404)
    assert "Nattlig arbeid" not in response.text and "daily/demo" not in response.text
    assert "Nattlig arbeid" not in testapp.get("/").text


def test_the_app_starts_its_scheduler_unless_the_nightly_work_is_off(datafs):
    off = main({}, **app_settings(datafs))  # the tests' settings turn it off
    assert off.registry.nightly_scheduler is None
    close_app(off)
    settings = app_settings(datafs, **{"stafett.nightly_at": "03:15"})
    del settings["stafett.nightly"]
    on = main({}, **settings)
    scheduler = on.registry.nightly_scheduler
    try:
        assert scheduler.thread.is_alive() and scheduler.at == dt.time(3, 15)
    finally:
        scheduler.stop()
        close_app(on)
    assert not scheduler.thread.is_alive()
