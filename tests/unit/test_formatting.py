"""R33: dates, times and numbers in the user's language (Babel), on the Oslo clock; codes
named in words wherever a message is rendered."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from stafett.formatting import formatter, iso, oslo
from stafett.i18n import _, translate
from stafett.messages import (
    MACHINE_NAMES,
    OBJECT_NAMES,
    REASON_NAMES,
    STATE_NAMES,
    TRIGGER_NAMES,
    message_for,
)
from stafett.services import notify
from stafett.services.archive import render_html
from stafett.workflows import WORKFLOWS, WorkflowError, fire

SUMMER = dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC)
WINTER = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)
LATE_EVENING = dt.datetime(2026, 1, 15, 23, 30, tzinfo=dt.UTC)  # already the 16th in Oslo


def _ns(moment: dt.datetime) -> int:
    return int(moment.timestamp()) * 10**9


# -- one clock -------------------------------------------------------------------------------
@pytest.mark.parametrize(("moment", "wall_clock"), [(SUMMER, "12:00"), (WINTER, "11:00")])
def test_a_utc_moment_is_shown_on_the_oslo_clock_summer_and_winter(moment, wall_clock):
    for value in (moment, _ns(moment), moment.replace(tzinfo=None)):
        assert formatter("nb").time(value) == wall_clock
    assert formatter("nb").datetime(moment) == f"{moment:%d.%m.%Y}, {wall_clock}"
    assert formatter("en").datetime(moment) == f"{moment:%d/%m/%Y}, {wall_clock}"
    assert oslo(moment).utcoffset() == (dt.timedelta(hours=2) if moment is SUMMER
                                        else dt.timedelta(hours=1))


def test_the_day_of_a_moment_is_the_oslo_day():
    assert formatter("nb").date(LATE_EVENING) == "16.01.2026"
    assert formatter("nn").date(dt.date(2026, 1, 15)) == "15.01.2026"
    assert formatter("en").date(dt.date(2026, 1, 15)) == "15/01/2026"
    assert iso(LATE_EVENING) == "2026-01-16T00:30:00+01:00"


def test_nothing_is_shown_for_a_missing_value():
    fmt = formatter("nb")
    assert fmt.date(None) == fmt.datetime(None) == fmt.number(None) == fmt.percent(None) == ""


# -- numbers ---------------------------------------------------------------------------------
def test_numbers_use_the_languages_decimal_mark():
    assert formatter("nb").percent(0.6) == "0,6\N{NO-BREAK SPACE}%"
    assert formatter("nn").percent(33.3) == "33,3\N{NO-BREAK SPACE}%"
    assert formatter("en").percent(0.6) == "0.6%"
    assert formatter("nb").number(2.5, 1) == "2,5"
    assert formatter("nb").number(1234.5, 1) == "1\N{NO-BREAK SPACE}234,5"
    assert formatter("nb").number(1234.5, 1, grouped=False) == "1234,5"
    assert formatter("en").number(1234.5, 1) == "1,234.5"


def test_an_unknown_language_falls_back_to_bokmal():
    assert formatter("de").percent(0.6) == formatter("nb").percent(0.6)


# -- messages: mail bodies, refusals ---------------------------------------------------------
def test_a_mail_body_writes_a_moment_as_its_oslo_date():
    body = _("mail_evaluation_due_body", default="... evaluated by ${date}. ...")
    assert "16.01.2026" in translate(body, "nb", {"date": LATE_EVENING})
    assert "16/01/2026" in translate(body, "en", {"date": LATE_EVENING})


def test_the_evaluation_reminder_mail_writes_the_deadline_for_the_reader(world):
    log = world.active()
    measure = world.measure(world.concern(log), world.actor)
    measure.deadline = dt.date(2026, 7, 1)
    message = notify.evaluation_due(log, measure, world.emp(world.actor))
    assert "01.07.2026" in message.body and "2026-07-01" not in message.body


def test_r18_a_second_evaluation_is_refused_in_plain_words(world):
    log = world.active()
    measure = world.measure(world.concern(log), world.actor)
    measure.state = "evaluated"
    with pytest.raises(WorkflowError) as refused:
        fire(measure, "evaluate", world.holder)
    for locale, words in (("nb", "tiltaket er allerede evaluert"),
                          ("nn", "tiltaket er alt evaluert"),
                          ("en", "the measure has already been evaluated")):
        text = translate(message_for(refused.value), locale)
        assert words in text and not any(quote in text for quote in "«'")  # no quoted code


@pytest.mark.parametrize(("locale", "sentence"), [
    ("nb", "Dette kan ikke gjøres nå: det går ikke å gjenåpne en logg som er aktiv."),
    ("nn", "Dette kan ikkje gjerast no: det går ikkje å opne igjen ein logg som er aktiv."),
    ("en", "This cannot be done now: you cannot reopen a log that is active."),
])
def test_r18_other_refused_transitions_name_the_action_object_and_state(world, locale,
                                                                       sentence):
    log = world.active()
    with pytest.raises(WorkflowError) as refused:
        fire(log, "reopen", world.leader)
    assert translate(message_for(refused.value), locale) == sentence


def test_every_trigger_state_and_workflow_has_a_name_in_every_language():
    triggers = {t for w in WORKFLOWS for t in w.specs}
    states = {s for w in WORKFLOWS for s in w.states}
    assert triggers <= TRIGGER_NAMES.keys() and states <= STATE_NAMES.keys()
    assert {w.name for w in WORKFLOWS} <= MACHINE_NAMES.keys() & OBJECT_NAMES.keys()
    names = [*TRIGGER_NAMES.values(), *STATE_NAMES.values(), *MACHINE_NAMES.values(),
             *OBJECT_NAMES.values(), *REASON_NAMES.values()]
    for locale in ("nb", "nn", "en"):
        assert all(translate(name, locale) not in ("", str(name)) for name in names), locale


# -- PDFs --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("moment", "wall_clock"), [(SUMMER, "12:00"), (WINTER, "11:00")])
def test_r35_meeting_pdf_says_when_it_was_produced_on_the_oslo_clock(moment, wall_clock):
    log = SimpleNamespace(subject=SimpleNamespace(name="Test Barn"), unit=None)
    meeting = SimpleNamespace(date=moment.date(), agenda="", participants=())
    html = render_html("meeting_measures.pt", "nb", log=log, meeting=meeting, rows=[], voices=[],
                       generated=moment)
    assert f"{moment:%d.%m.%Y}, {wall_clock}" in html
    assert f"{moment:%H:%M}" not in html
