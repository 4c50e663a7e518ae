"""Taking an exam through the API: the server's clock, saves, refusals, submit, and the finalize path."""

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from lti_tool.db import db, utcnow
from lti_tool.exam import attempts, gradebook
from lti_tool.exam.lifecycle import Status
from lti_tool.exam.models import Answer, Attempt, GradeOutbox, Question
from lti_tool.identity.models import User
from tests.exam.conftest import Course, right_option, wrong_option
from tests.lti_platform import LEARNER, LTI


def start(course, exam, token):
    response = course.call("POST", f"/api/exams/{exam['id']}/attempts", token)
    assert response.status_code == 200, response.json
    return response.json


def save(course, attempt, question, option_ids, token, **extra):
    return course.call("PUT", f"/api/attempts/{attempt['id']}/answers/{question['id']}", token,
                       json={"option_ids": option_ids, **extra})


def test_a_student_takes_an_exam_and_gets_graded(course):
    exam = course.exam(questions=2)
    student = course.student()
    attempt = start(course, exam, student)
    assert attempt["status"] == "in_progress"
    assert attempt["seconds_left"] > 59 * 60
    first, second = attempt["questions"]
    assert "correct" not in str(attempt)  # answers never reach the browser before the end
    assert save(course, attempt, first, [right_option(first)], student).json["saved"] is True
    assert save(course, attempt, second, [wrong_option(second)], student, flagged=True).status_code == 200
    again = course.call("GET", f"/api/attempts/{attempt['id']}", student).json
    assert [q["chosen"] for q in again["questions"]] == [[right_option(first)], [wrong_option(second)]]
    assert again["questions"][1]["flagged"] is True
    submitted = course.call("POST", f"/api/attempts/{attempt['id']}/submit", student).json
    assert submitted["status"] == "submitted"
    row = db.session.get(Attempt, attempt["id"])
    assert (row.score, row.max_score) == (1.0, 2.0)
    assert db.session.scalar(select(GradeOutbox)).score_given == 1.0


def test_resuming_returns_the_same_attempt_with_answers_and_position(course):
    exam = course.exam(questions=3)
    student = course.student()
    attempt = start(course, exam, student)
    question = attempt["questions"][2]
    save(course, attempt, question, [right_option(question)], student)
    assert course.call("PUT", f"/api/attempts/{attempt['id']}/position", student,
                       json={"position": 2}).status_code == 204
    resumed = start(course, exam, course.student())  # a new launch, e.g. another device
    assert resumed["id"] == attempt["id"]
    assert resumed["position"] == 2
    assert resumed["questions"][2]["chosen"] == [right_option(question)]


def test_saving_again_replaces_the_answer(course):
    exam = course.exam(questions=1)
    student = course.student()
    attempt = start(course, exam, student)
    [question] = attempt["questions"]
    save(course, attempt, question, [right_option(question)], student)
    save(course, attempt, question, [wrong_option(question)], student)
    save(course, attempt, question, [wrong_option(question)], student)
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 1
    assert db.session.scalar(select(Answer)).option_ids == [wrong_option(question)]


def test_a_save_after_deadline_plus_grace_is_refused_and_changes_nothing(course, app):
    exam = course.exam(questions=1)
    student = course.student()
    attempt = start(course, exam, student)
    [question] = attempt["questions"]
    save(course, attempt, question, [right_option(question)], student)
    row = db.session.get(Attempt, attempt["id"])
    row.deadline = row.check_at = utcnow() - timedelta(seconds=app.config["ANSWER_GRACE_SECONDS"] + 1)
    db.session.commit()
    late = save(course, attempt, question, [wrong_option(question)], student)
    assert late.status_code in (404, 409)
    # The read that found it overdue finalized it, with the deadline as finished_at.
    db.session.expire_all()
    row = db.session.get(Attempt, attempt["id"])
    assert row.status == "timed_out"
    assert row.finished_at == row.deadline
    assert db.session.scalar(select(Answer)).option_ids == [right_option(question)]
    assert row.score == 1.0


def test_a_save_within_the_grace_period_is_accepted(course):
    exam = course.exam(questions=1)
    student = course.student()
    attempt = start(course, exam, student)
    [question] = attempt["questions"]
    row = db.session.get(Attempt, attempt["id"])
    row.deadline = row.check_at = utcnow() - timedelta(seconds=2)
    db.session.commit()
    assert save(course, attempt, question, [right_option(question)], student).status_code == 200


def test_an_option_of_another_question_is_refused(course):
    exam = course.exam(questions=2)
    student = course.student()
    attempt = start(course, exam, student)
    first, second = attempt["questions"]
    response = save(course, attempt, first, [right_option(second)], student)
    assert response.status_code == 409
    assert "does not belong" in response.json["error"]["message"]
    assert db.session.scalar(select(Answer)) is None


@pytest.mark.parametrize("option_ids", ["1", [True], [1.5], None, {"a": 1}])
def test_malformed_option_ids_are_refused(course, option_ids):
    exam = course.exam(questions=1)
    student = course.student()
    attempt = start(course, exam, student)
    response = save(course, attempt, attempt["questions"][0], option_ids, student)
    assert response.status_code == 409
    assert response.json["error"]["message"]


def test_two_answers_to_a_single_answer_question_are_refused(course):
    exam = course.exam(questions=1)
    student = course.student()
    attempt = start(course, exam, student)
    [question] = attempt["questions"]
    response = save(course, attempt, question, [right_option(question), wrong_option(question)], student)
    assert response.status_code == 409


def test_a_second_attempt_is_refused_when_one_is_allowed(course):
    exam = course.exam(questions=1)
    student = course.student()
    attempt = start(course, exam, student)
    course.call("POST", f"/api/attempts/{attempt['id']}/submit", student)
    again = course.call("POST", f"/api/exams/{exam['id']}/attempts", student)
    assert again.status_code == 409
    assert "used your attempt" in again.json["error"]["message"]


def test_a_second_attempt_is_allowed_when_two_are(course):
    exam = course.exam(questions=1, attempts_allowed=2)
    student = course.student()
    first = start(course, exam, student)
    course.call("POST", f"/api/attempts/{first['id']}/submit", student)
    second = start(course, exam, student)
    assert second["id"] != first["id"] and second["number"] == 2


def test_a_student_sees_only_their_own_attempt(course):
    exam = course.exam(questions=1)
    attempt = start(course, exam, course.student("s1"))
    other = course.student("s2")
    assert course.call("GET", f"/api/attempts/{attempt['id']}", other).status_code == 404
    assert save(course, attempt, attempt["questions"][0], [], other).status_code == 404


def test_the_same_student_launched_from_another_course_cannot_save(course, client, lti):
    exam = course.exam(questions=1)
    attempt = start(course, exam, course.student("s1"))
    elsewhere = Course(client, lti, context_id="course-2", link="link-2").student("s1")
    assert save(course, attempt, attempt["questions"][0], [], elsewhere).status_code == 404
    assert db.session.get(Attempt, attempt["id"]).last_saved_at is None


@pytest.mark.parametrize("status, reason", [("paused", "paused by the proctor"), ("submitted", "has ended")])
def test_a_save_to_an_attempt_that_is_not_in_progress_says_why_and_changes_nothing(course, status, reason):
    exam = course.exam(questions=1)
    student = course.student()
    attempt = start(course, exam, student)
    db.session.get(Attempt, attempt["id"]).status = status
    db.session.commit()
    response = save(course, attempt, attempt["questions"][0], [right_option(attempt["questions"][0])], student)
    assert response.status_code == 409
    assert reason in response.json["error"]["message"]
    assert db.session.scalar(select(Answer)) is None
    assert db.session.get(Attempt, attempt["id"]).last_saved_at is None


def test_a_question_of_another_exam_is_refused(course):
    first = start(course, course.exam(questions=1), course.student("s1"))
    other_exam = course.exam(questions=1, link="link-2")
    other_question = db.session.scalar(select(Question).filter_by(exam_id=other_exam["id"]))
    response = save(course, first, {"id": other_question.id}, [other_question.options[0].id], course.student("s1"))
    assert response.status_code == 409
    assert "not part of this attempt" in response.json["error"]["message"]
    assert db.session.scalar(select(Answer)) is None


def test_a_closed_or_unopened_exam_cannot_be_started(course):
    exam = course.exam(questions=1, opens_at=(utcnow() + timedelta(days=1)).isoformat())
    response = course.call("POST", f"/api/exams/{exam['id']}/attempts", course.student())
    assert response.status_code == 409 and "opens at" in response.json["error"]["message"]


def test_deadline_is_capped_by_the_window_and_stretched_by_accommodations(course, app):
    closes = utcnow() + timedelta(minutes=30)
    exam = course.exam(questions=1, duration_minutes=60, closes_at=closes.isoformat())
    capped = start(course, exam, course.student("s1"))
    assert abs(capped["seconds_left"] - 30 * 60) <= 2
    exam2 = course.exam(questions=1, link="link-2", duration_minutes=10)
    student = course.student("s2", link="link-2")
    user_id = db.session.scalar(select(User.id).filter_by(sub="s2"))
    assert course.call("PUT", f"/api/exams/{exam2['id']}/accommodations/{user_id}",
                       json={"extra_minutes": 5, "time_multiplier": 1.5}).status_code == 200
    stretched = start(course, exam2, student)
    assert abs(stretched["seconds_left"] - 20 * 60) <= 2  # 10 x 1.5 + 5


def test_two_finalize_callers_racing_produce_one_grade(course, app):
    exam = course.exam(questions=1)
    attempt_id = start(course, exam, course.student())["id"]
    stale = db.session.get(Attempt, attempt_id)  # this caller loaded it while it was open
    db.session.expunge(stale)
    db.session.rollback()
    with app.app_context():  # another worker, with its own session, ends it first
        attempts.finalize(db.session.get(Attempt, attempt_id), Status.SUBMITTED, actor_user_id=None,
                          origin="first caller")
    db.session.add(stale)
    assert stale.status == "in_progress"
    ended = attempts.finalize(stale, Status.TIMED_OUT, actor_user_id=None, origin="second caller")
    assert ended.status == "submitted"
    assert db.session.scalar(select(func.count()).select_from(GradeOutbox)) == 1


def test_the_sweeper_finalizes_due_attempts_only(course, app):
    exam = course.exam(questions=1)
    due = db.session.get(Attempt, start(course, exam, course.student("s1"))["id"])
    not_due = db.session.get(Attempt, start(course, exam, course.student("s2"))["id"])
    due.deadline = due.check_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert attempts.finalize_due(grace_seconds=5) == 1
    assert attempts.finalize_due(grace_seconds=5) == 0
    db.session.expire_all()
    assert db.session.get(Attempt, due.id).status == "timed_out"
    assert db.session.get(Attempt, due.id).finished_at == due.deadline
    assert db.session.get(Attempt, not_due.id).status == "in_progress"


def _overdue(course, exam, *subs):
    rows = [db.session.get(Attempt, start(course, exam, course.student(sub))["id"]) for sub in subs]
    for row in rows:
        row.deadline = row.check_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    return [row.id for row in rows]


def test_a_sweep_ends_its_batch_in_one_transaction(course):
    """One commit per batch: on PostgreSQL the batch's row locks (SKIP LOCKED) then last until every
    attempt in it is ended, so another worker's sweep takes other attempts instead of racing for these."""
    exam = course.exam(questions=1)
    _overdue(course, exam, "s1", "s2", "s3")
    commits = []

    def count(session):
        commits.append(session)

    event.listen(db.session, "after_commit", count)
    try:
        assert attempts.finalize_due(grace_seconds=5, limit=2) == 2
        assert len(commits) == 1
        assert attempts.finalize_due(grace_seconds=5, limit=2) == 1
    finally:
        event.remove(db.session, "after_commit", count)
    assert set(db.session.scalars(select(Attempt.status))) == {"timed_out"}
    assert db.session.scalar(select(func.count()).select_from(GradeOutbox)) == 3


def test_one_attempt_that_cannot_be_ended_does_not_hold_up_the_others(course, monkeypatch, caplog):
    exam = course.exam(questions=1)
    bad, *good = _overdue(course, exam, "s1", "s2", "s3")
    queue = gradebook.attempts_ended

    def failing_queue(ended, now):
        if any(attempt.id == bad for attempt in ended):
            raise RuntimeError("cannot queue this grade")
        return queue(ended, now)

    monkeypatch.setattr(gradebook, "attempts_ended", failing_queue)
    assert attempts.finalize_due(grace_seconds=5) == 2
    db.session.expire_all()
    assert db.session.get(Attempt, bad).status == "in_progress"
    assert {db.session.get(Attempt, i).status for i in good} == {"timed_out"}
    assert f"could not end attempt {bad}" in caplog.text


def test_closing_the_exam_ends_every_open_attempt(course):
    exam = course.exam(questions=1)
    for sub in ("s1", "s2"):
        start(course, exam, course.student(sub))
    response = course.call("POST", f"/api/exams/{exam['id']}/close")
    assert response.json == {"attempts_ended": 2}
    statuses = set(db.session.scalars(select(Attempt.status)))
    assert statuses == {"timed_out"}
    assert db.session.scalar(select(func.count()).select_from(GradeOutbox)) == 2
    refused = course.call("POST", f"/api/exams/{exam['id']}/attempts", course.student("s3"))
    assert refused.status_code == 409


def test_force_close_needs_a_reason_and_terminates(course):
    exam = course.exam(questions=1)
    row = db.session.get(Attempt, start(course, exam, course.student())["id"])
    with pytest.raises(attempts.AttemptRefused):
        attempts.force_close(row, actor_user_id=None, origin="test", reason=" ")
    ended = attempts.force_close(row, actor_user_id=None, origin="test", reason="left the room")
    assert (ended.status, ended.finish_reason) == ("terminated", "left the room")


def test_the_lobby_reading_an_overdue_attempt_finalizes_it(course, app):
    exam = course.exam(questions=1)
    student = course.student()
    attempt = start(course, exam, student)
    row = db.session.get(Attempt, attempt["id"])
    row.deadline = row.check_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    standing = course.call("GET", "/api/exams/current", student).json["standing"]
    assert standing["open_attempt_id"] is None and standing["attempts_used"] == 1
    assert standing["message"] == "You have no attempts left."
    db.session.expire_all()
    assert db.session.get(Attempt, attempt["id"]).status == "timed_out"


def test_the_lobby_is_told_why_a_student_cannot_start_as_a_code_it_words_in_the_students_language(course):
    exam = course.exam(questions=1)
    student = course.student()

    def why():
        standing = course.call("GET", "/api/exams/current", student).json["standing"]
        return standing["reason"], standing["message"]

    assert why() == (None, None)
    opens = (utcnow() + timedelta(days=1)).replace(microsecond=0)
    course.call("PATCH", f"/api/exams/{exam['id']}", json={"opens_at": opens.isoformat()})
    assert why() == ("not_open_yet", f"This exam opens at {opens.isoformat(timespec='minutes')} (UTC).")
    course.call("PATCH", f"/api/exams/{exam['id']}", json={
        "opens_at": None, "closes_at": (utcnow() - timedelta(minutes=1)).isoformat()})
    assert why() == ("closed", "This exam is closed.")
    course.call("PATCH", f"/api/exams/{exam['id']}", json={"closes_at": None})
    finished = start(course, exam, student)
    assert course.call("POST", f"/api/attempts/{finished['id']}/submit", student).status_code == 200
    assert why() == ("no_attempts_left", "You have no attempts left.")


def test_a_student_takes_only_the_exam_their_course_link_opens(course):
    unbound = course.exam(questions=1, link="link-2")  # opened by another link of the course
    bound = course.exam(questions=1)
    student = course.student()  # launched from link-1
    refused = course.call("POST", f"/api/exams/{unbound['id']}/attempts", student)
    assert refused.status_code == 403
    assert "not the one your course link opens" in refused.json["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    assert start(course, bound, student)["exam"]["id"] == bound["id"]


def test_a_link_students_took_an_exam_through_keeps_that_exam(course):
    first = course.exam(questions=1)
    start(course, first, course.student())
    second = course.call("POST", "/api/exams", json={"title": "Another"}).json
    refused = course.call("POST", f"/api/exams/{second['id']}/bind")
    assert refused.status_code == 409
    assert "gradebook column" in refused.json["error"]["message"]
    assert course.call("POST", f"/api/exams/{first['id']}/bind").status_code == 204  # the same exam: fine


def test_a_refusal_reaches_the_student_in_the_language_of_their_launch(course):
    """The exam page shows the server's refusals as they come: a French launch gets them in French."""
    exam = course.exam(questions=1)
    french = course.lti.token_for((LEARNER,), sub="student-fr", context_id=course.context_id,
                                  resource_link_id=course.link,
                                  **{LTI + "launch_presentation": {"locale": "fr-FR"}})["token"]
    attempt = start(course, exam, french)
    [question] = attempt["questions"]
    assert course.call("POST", f"/api/attempts/{attempt['id']}/submit", french).status_code == 200
    refused = save(course, attempt, question, [right_option(question)], french)
    assert refused.status_code == 409
    assert refused.json["error"]["message"] == ("La tentative est terminée ; plus aucune réponse ne peut être "
                                                "enregistrée.")
    # The same refusal to a launch that named no language, from a browser that asks for none: English.
    english = course.student("student-en")
    attempt = start(course, exam, english)
    assert course.call("POST", f"/api/attempts/{attempt['id']}/submit", english).status_code == 200
    refused = save(course, attempt, attempt["questions"][0], [right_option(question)], english)
    assert refused.json["error"]["message"] == "This attempt has ended; no more answers can be saved."
