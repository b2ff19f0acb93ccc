"""The family's side through its one door (R27, R40): who may write what, what is refused,
what the unit's statistics count, and when a family member last visited."""

from __future__ import annotations

import datetime as dt

import pytest

from stafett.access_journal import SqliteBackend
from stafett.models import Evaluation, Meeting
from stafett.models.base import DomainError, today
from stafett.services import stats
from stafett.visits import VISIT_GAP_NS, Visits
from stafett.workflows import TransitionForbidden, fire
from stafett.workflows.family import (
    due_at,
    give_meeting_feedback,
    note_family_verdicts,
    record_child_voice,
    voices_of,
)


def _voice(meeting, text="Jeg vil sitte ved vinduet.", way="talk_before", concern_id=""):
    return {"meeting_id": meeting.id, "concern_id": concern_id, "way": way, "text": text}


def test_r40_the_holder_records_how_the_child_was_heard(world):
    log = world.active()
    concern = world.concern(log)
    meeting = world.meeting(log)
    voice = record_child_voice(log, _voice(meeting, way="talk_after", concern_id=concern.id),
                               world.holder)
    assert (str(voice.way), voice.concern_id, str(voice.author_role)) == (
        "talk_after", concern.id, "holder")
    assert voices_of(log, concern_id=concern.id) == [voice]


def test_r40_the_subject_writes_in_own_words_whatever_way_is_sent(world):
    log = world.active(subject_username="youth")
    meeting = world.meeting(log)
    voice = record_child_voice(log, _voice(meeting, way="in_meeting"), world.youth)
    assert str(voice.way) == "own_words" and str(voice.author_role) == "subject"


@pytest.mark.parametrize("who", ["guardian", "actor", "leader", "stranger"])
def test_r40_nobody_else_records_the_childs_voice(world, who):
    log = world.active()
    world.measure(world.concern(log), world.actor)
    meeting = world.meeting(log)
    with pytest.raises(TransitionForbidden):
        record_child_voice(log, _voice(meeting), getattr(world, who))
    assert len(log.voices) == 0


def test_r40_a_voice_belongs_to_a_meeting_of_this_log(world):
    log = world.active()
    other = world.active()
    meeting = world.meeting(other)
    with pytest.raises(DomainError) as refused:
        record_child_voice(log, _voice(meeting), world.holder)
    assert refused.value.msg == "voice_needs_meeting" and len(log.voices) == 0


def test_r27_the_family_notes_a_view_per_person_and_can_change_or_take_it_back(world):
    log = world.active(guardians=("guardian", "guardian2"))
    measure = world.measure(world.concern(log), world.actor)
    entry = {"measure_id": measure.id, "verdict": "partly", "comment": "Noen dager."}
    note_family_verdicts(log, [entry], world.guardian)
    note_family_verdicts(log, [dict(entry, verdict="worked")], world.guardian)
    note_family_verdicts(log, [dict(entry, comment="Fint.")], world.guardian2)
    views = sorted((v.author, str(v.verdict), v.comment) for v in log.family_verdicts.values())
    assert views == [("guardian", "worked", "Noen dager."), ("guardian2", "partly", "Fint.")]
    note_family_verdicts(log, [{"measure_id": measure.id, "verdict": "", "comment": ""}],
                         world.guardian)
    assert [v.author for v in log.family_verdicts.values()] == ["guardian2"]


def test_r27_an_evaluated_measure_takes_no_view_and_nothing_changes(world):
    log = world.active()
    measure = world.measure(world.concern(log), world.actor)
    meeting = world.meeting(log)
    fire(measure, "evaluate", world.holder,
         evaluation=Evaluation(meeting.id, "Bra.", "worked", "continue"))
    with pytest.raises(DomainError) as refused:
        note_family_verdicts(log, [{"measure_id": measure.id, "verdict": "worked"}],
                             world.guardian)
    assert refused.value.msg == "family_verdict_not_due" and len(log.family_verdicts) == 0


@pytest.mark.parametrize("who", ["holder", "actor", "stranger"])
def test_r27_only_the_family_notes_views_and_feedback(world, who):
    log = world.active()
    measure = world.measure(world.concern(log), world.actor)
    meeting = world.meeting(log)
    with pytest.raises(TransitionForbidden):
        note_family_verdicts(log, [{"measure_id": measure.id, "verdict": "worked"}],
                             getattr(world, who))
    with pytest.raises(TransitionForbidden):
        give_meeting_feedback(meeting, "Fint møte.", getattr(world, who))


def test_the_measures_due_at_a_meeting_are_those_whose_deadline_falls_before_it(world):
    log = world.active()
    concern = world.concern(log)
    measure = world.measure(concern, world.actor)
    early = log.meetings.add(Meeting(measure.deadline - dt.timedelta(days=1), "Tidlig"))
    late = log.meetings.add(Meeting(measure.deadline, "Frist"))
    assert due_at(log, early) == [] and due_at(log, late) == [measure]


def test_feedback_after_the_meeting_once_per_person_counted_for_the_unit(world):
    log = world.active(guardians=("guardian", "guardian2"))
    held = world.meeting(log)
    coming = log.meetings.add(Meeting(today() + dt.timedelta(days=5), "Neste"))
    world.m.index.reindex(log)
    with pytest.raises(DomainError) as refused:
        give_meeting_feedback(coming, "For tidlig.", world.guardian)
    assert refused.value.msg == "feedback_before_meeting"
    give_meeting_feedback(held, "For mange folk.", world.guardian)
    give_meeting_feedback(held, "Det var for mange folk.", world.guardian)
    give_meeting_feedback(held, "Bra.", world.guardian2)
    assert sorted(f.text for f in log.meeting_feedback.values()) == [
        "Bra.", "Det var for mange folk."]
    figures = stats.meetings_with_feedback(world.m.index, log.unit_id, today())
    assert figures == {"held": 1, "answered": 1, "percent": 100.0}  # the coming one waits


def test_a_meeting_held_long_ago_falls_out_of_the_yearly_share(world):
    log = world.active()
    log.meetings.add(Meeting(today() - dt.timedelta(days=400), "Gammelt"))
    world.meeting(log)
    world.m.index.reindex(log)
    assert stats.meetings_with_feedback(world.m.index, log.unit_id, today())["held"] == 1


def test_a_visit_lasts_while_pages_follow_each_other(tmp_path):
    visits = Visits(SqliteBackend(str(tmp_path / "visits.sqlite")))
    start = 10**18
    assert visits.visit("log", "me", start) is None  # the first visit
    assert visits.visit("log", "me", start + 60 * 10**9) is None  # still the first
    later = start + VISIT_GAP_NS + 61 * 10**9
    assert visits.visit("log", "me", later) == start + 60 * 10**9  # new visit: since then
    assert visits.visit("log", "me", later + 10**9) == start + 60 * 10**9  # within it
    stamp = visits.backend.query("SELECT last FROM log_visits WHERE account = 'me'")
    assert stamp == [(later,)]  # a page within a minute of the last writes nothing
    assert visits.visit("log", "someone else", later) is None
    visits.forget_log("log")
    assert visits.visit("log", "me", later) is None


def test_the_evolve_step_gives_older_logs_their_family_containers_and_counts_meetings(world):
    from stafett.storage import _family_side

    log = world.active()
    world.meeting(log)
    for name in ("voices", "family_verdicts", "meeting_feedback"):
        delattr(log, name)  # a log stored before this release
    _family_side(world.root)
    assert all(len(getattr(log, name)) == 0 and getattr(log, name).__parent__ is log
               for name in ("voices", "family_verdicts", "meeting_feedback"))
    assert stats.meetings_with_feedback(world.m.index, log.unit_id, today())["held"] == 1
