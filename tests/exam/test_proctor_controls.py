"""A proctor's controls on attempts: pause and resume (the clock stops), extra time for one attempt or
for everyone. The proctoring package calls these; the state machine guards them."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lti_tool.audit import AuditEntry
from lti_tool.db import db, utcnow
from lti_tool.exam import attempts
from lti_tool.exam.lifecycle import IllegalTransition
from lti_tool.exam.models import Attempt, Exam
from tests.exam.conftest import right_option
from tests.exam.test_attempts import save, start


def _attempt(course, exam, sub="student-1"):
    state = start(course, exam, course.student(sub))
    return state, db.session.get(Attempt, state["id"])


def test_a_pause_stops_the_clock_and_refuses_saves_until_resumed(course):
    exam = course.exam(questions=1)
    state, attempt = _attempt(course, exam)
    deadline = attempt.deadline
    paused_at = utcnow()
    attempts.pause(attempt, actor_user_id=None, origin="test", reason="noise", now=paused_at)
    assert (attempt.status, attempt.check_at) == ("paused", None)
    question = state["questions"][0]
    refused = save(course, state, question, [right_option(question)], course.student())
    assert refused.status_code == 409 and "paused" in refused.json["error"]["message"]
    assert attempts.finalize_due(grace_seconds=0, now=deadline + timedelta(minutes=1)) == 0
    attempts.resume(attempt, actor_user_id=None, origin="test", now=paused_at + timedelta(minutes=3))
    assert attempt.status == "in_progress"
    assert attempt.deadline == deadline + timedelta(minutes=3) == attempt.check_at
    assert save(course, state, question, [right_option(question)], course.student()).status_code == 200
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(attempt.id)))
    assert {"attempt.paused", "attempt.in_progress"} <= set(actions)


def test_pausing_twice_or_resuming_an_open_attempt_is_refused(course):
    _, attempt = _attempt(course, course.exam(questions=1))
    with pytest.raises(IllegalTransition):
        attempts.resume(attempt, actor_user_id=None, origin="test")
    attempts.pause(attempt, actor_user_id=None, origin="test")
    with pytest.raises(IllegalTransition):
        attempts.pause(attempt, actor_user_id=None, origin="test")


def test_extra_minutes_move_the_deadline_and_the_sweepers_check(course):
    _, attempt = _attempt(course, course.exam(questions=1))
    deadline = attempt.deadline
    attempts.extend(attempt, 10, actor_user_id=None, origin="test")
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.deadline == deadline + timedelta(minutes=10) == attempt.check_at


@pytest.mark.parametrize("minutes", [0, -5, 601, 2.5, True, "10"])
def test_extra_minutes_must_be_a_sensible_whole_number(course, minutes):
    _, attempt = _attempt(course, course.exam(questions=1))
    with pytest.raises(attempts.AttemptRefused):
        attempts.extend(attempt, minutes, actor_user_id=None, origin="test")


def test_an_ended_attempt_gets_no_extra_time(course):
    state, attempt = _attempt(course, course.exam(questions=1))
    course.call("POST", f"/api/attempts/{state['id']}/submit", course.student())
    db.session.expire_all()
    with pytest.raises(attempts.AttemptRefused):
        attempts.extend(db.session.get(Attempt, attempt.id), 5, actor_user_id=None, origin="test")


def test_extending_the_exam_moves_every_open_attempt_and_the_window(course):
    exam = course.exam(questions=1, closes_at=(utcnow() + timedelta(hours=2)).isoformat())
    _, first = _attempt(course, exam, "s1")
    _, second = _attempt(course, exam, "s2")
    state, ended = _attempt(course, exam, "s3")
    course.call("POST", f"/api/attempts/{state['id']}/submit", course.student("s3"))
    before = {a.id: a.deadline for a in (first, second)}
    row = db.session.get(Exam, exam["id"])
    closes_at = row.closes_at
    extended = attempts.extend_exam(row, 15, actor_user_id=None, origin="test")
    assert sorted(a.id for a in extended) == sorted(before)
    db.session.expire_all()
    assert db.session.get(Exam, exam["id"]).closes_at == closes_at + timedelta(minutes=15)
    for attempt_id, deadline in before.items():
        assert db.session.get(Attempt, attempt_id).deadline == deadline + timedelta(minutes=15)
    assert db.session.get(Attempt, ended.id).status == "submitted"
