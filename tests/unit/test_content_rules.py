"""R27's 8-hour window and R24's one-goal-at-a-time as the content forms use them."""

from __future__ import annotations

import datetime as dt

import pytest

from stafett.models import Goal
from stafett.models.base import DomainError
from stafett.workflows import TransitionForbidden
from stafett.workflows.content import edit_concern


def test_r27_measure_text_corrected_within_8_hours(world):
    log = world.active()
    measure = world.measure(world.concern(log), world.actor,
                            text="Ali leser med Emma hver skoledag.")
    measure.correct_text("Ali leser med Emma 15 minutter hver skoledag.",
                         now=measure.created + dt.timedelta(hours=7, minutes=59))
    assert measure.text == "Ali leser med Emma 15 minutter hver skoledag."


def test_r27_measure_text_fixed_after_8_hours(world):
    log = world.active()
    measure = world.measure(world.concern(log), world.actor,
                            text="Ali leser med Emma hver skoledag.")
    with pytest.raises(DomainError) as refused:
        measure.correct_text("Ali leser med Emma snarest.",
                             now=measure.created + dt.timedelta(hours=8, seconds=1))
    assert refused.value.msg == "measure_text_fixed"
    assert measure.text == "Ali leser med Emma hver skoledag."


def test_r24_an_edit_replaces_the_goal_once_and_keeps_the_former(world):
    concern = world.concern(world.active())
    concern.set_goal(Goal("Emma leser 20 minutter hver dag."))
    base = concern.goal.created.isoformat()

    def save(goal, base):
        edit_concern(concern, {"text": concern.text, "category": "learning", "goal": goal,
                               "goal_base": base}, world.holder)

    save("Emma leser 25", base)  # first autosave while typing
    save("Emma leser 25 minutter hver dag.", base)  # then the save
    assert concern.goal.text == "Emma leser 25 minutter hver dag."
    assert [g.text for g in concern.former_goals] == ["Emma leser 20 minutter hver dag."]
    save("Emma leser 30 minutter hver dag.", concern.goal.created.isoformat())
    assert len(concern.former_goals) == 2


def test_r2_only_the_holder_writes_concerns(world):
    concern = world.concern(world.active())
    with pytest.raises(TransitionForbidden):
        edit_concern(concern, {"text": "Endret.", "category": "learning"}, world.actor)
    assert concern.text != "Endret."
