"""The pure rules: lifecycle moves, the clock, grading."""

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from lti_tool.exam import grading, lifecycle, timer
from lti_tool.exam.lifecycle import IllegalTransition, Status

T0 = datetime(2030, 1, 1, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("current", "to"), [
    ("in_progress", "paused"), ("paused", "in_progress"), ("in_progress", "submitted"),
    ("in_progress", "timed_out"), ("in_progress", "terminated"), ("paused", "terminated"), ("paused", "timed_out"),
])
def test_legal_moves(current, to):
    lifecycle.check_legal(current, to)


@pytest.mark.parametrize(("current", "to"), [
    ("submitted", "in_progress"), ("timed_out", "submitted"), ("terminated", "paused"),
    ("paused", "submitted"), ("in_progress", "in_progress"), ("submitted", "submitted"),
])
def test_illegal_moves_raise_a_clear_error(current, to):
    with pytest.raises(IllegalTransition, match="cannot become"):
        lifecycle.check_legal(current, to)


def test_every_status_has_its_moves_listed():
    assert set(lifecycle.TRANSITIONS) == set(Status)
    assert all(not lifecycle.TRANSITIONS[s] for s in lifecycle.FINAL)


def exam(**kw):
    return SimpleNamespace(**{"duration_minutes": 60, "closes_at": None, "closed_at": None, "opens_at": None,
                              "archived_at": None, **kw})


def test_deadline_is_start_plus_duration_times_multiplier_plus_extra_capped_by_close():
    assert timer.deadline_for(exam(), T0) == T0 + timedelta(minutes=60)
    assert timer.deadline_for(exam(), T0, extra_minutes=10, multiplier=1.5) == T0 + timedelta(minutes=100)
    assert timer.deadline_for(exam(closes_at=T0 + timedelta(minutes=20)), T0) == T0 + timedelta(minutes=20)
    assert timer.deadline_for(exam(closed_at=T0 + timedelta(minutes=5)), T0) == T0 + timedelta(minutes=5)


def test_window():
    assert not timer.is_open(exam(opens_at=T0 + timedelta(minutes=1)), T0)
    assert timer.is_open(exam(opens_at=T0), T0)
    assert not timer.is_open(exam(closes_at=T0), T0)
    assert not timer.is_open(exam(closed_at=T0 - timedelta(days=1)), T0)


def test_pause_freezes_the_clock_and_resume_moves_the_deadline():
    attempt = SimpleNamespace(deadline=T0 + timedelta(minutes=10), paused_at=T0)
    assert timer.seconds_left(attempt, T0 + timedelta(hours=1)) == 600
    assert timer.resumed_deadline(attempt.deadline, T0, T0 + timedelta(minutes=3)) == T0 + timedelta(minutes=13)
    attempt.paused_at = None
    assert timer.seconds_left(attempt, T0 + timedelta(minutes=11)) == 0


def question(kind, correct, weights=None, points=2.0):
    options = [SimpleNamespace(id=i, is_correct=i in correct, weight=(weights or {}).get(i)) for i in (1, 2, 3, 4)]
    return SimpleNamespace(id=7, kind=kind, points=points, options=options)


@pytest.mark.parametrize(("kind", "correct", "chosen", "earned"), [
    ("single", {1}, [1], 2.0), ("single", {1}, [2], 0.0), ("single", {1}, [], 0.0),
    ("multi", {1, 2}, [1, 2], 2.0), ("multi", {1, 2}, [1], 0.0), ("multi", {1, 2}, [1, 2, 3], 0.0),
    # An option id from another question never counts.
    ("single", {1}, [99], 0.0),
])
def test_all_or_nothing(kind, correct, chosen, earned):
    assert grading.grade_question(question(kind, correct), chosen, partial_credit=False).earned == earned


@pytest.mark.parametrize(("weights", "chosen", "earned"), [
    (None, [1], 1.0), (None, [1, 3], 0.0), (None, [3], 0.0), (None, [1, 2], 2.0),
    ({1: 50, 2: 50, 3: -100, 4: -100}, [1], 1.0), ({1: 50, 2: 50, 3: -100, 4: -100}, [1, 3], 0.0),
    ({1: 50, 2: 50, 3: -100, 4: -100}, [1, 2, 3], 0.0),
])
def test_partial_credit_never_below_zero(weights, chosen, earned):
    result = grading.grade_question(question("multi", {1, 2}, weights), chosen, partial_credit=True)
    assert result.earned == earned


def test_grade_sums_in_attempt_order():
    q1, q2 = question("single", {1}, points=1.0), question("single", {2}, points=3.0)
    q2.id = 8
    score, max_score, breakdown = grading.grade([q1, q2], {7: [1], 8: [1]}, partial_credit=False)
    assert (score, max_score) == (1.0, 4.0)
    assert [b["question_id"] for b in breakdown] == [7, 8]
