"""Several attempts, one grade: the exam's grading method decides what the LMS gradebook holds, re-sent
(with a later timestamp, which the test platform requires as Moodle does) whenever it changes."""

import threading
import time

import pytest
from sqlalchemy import select, text

from lti_tool.audit import AuditEntry
from lti_tool.db import db, utcnow
from lti_tool.exam import attempts, gradebook
from lti_tool.exam.models import Attempt, Exam, GradeOutbox
from lti_tool.launch import passback
from tests.exam.conftest import right_option, wrong_option
from tests.exam.test_attempts import save, start


@pytest.fixture
def gradebook_platform(client, lti):
    """The test platform, trusting the tool's keys for its token endpoint."""
    lti.platform.tool_jwks = client.get("/lti/jwks").json
    return lti.platform


def answer(course, exam, token, right):
    """Start an attempt and answer its first `right` questions right, the others wrong; return its id."""
    state = start(course, exam, token)
    for n, question in enumerate(state["questions"]):
        chosen = right_option(question) if n < right else wrong_option(question)
        assert save(course, state, question, [chosen], token).status_code == 200
    return state["id"]


def full_then_force_closed(course, exam, token):
    """A first attempt at 100 % handed in, then a second force-closed by a proctor at 25 % (4 questions)."""
    first = answer(course, exam, token, right=4)
    assert course.call("POST", f"/api/attempts/{first}/submit", token).status_code == 200
    passback.send_due()
    second = answer(course, exam, token, right=1)
    attempts.force_close(db.session.get(Attempt, second), actor_user_id=None, origin="test", reason="left the room")
    passback.send_due()
    return first, second


def given(platform, sub):
    return [score["scoreGiven"] for score in platform.scores if score["userId"] == sub]


@pytest.mark.parametrize(("method", "sent"), [
    ("highest", [4.0]),
    ("last", [4.0, 1.0]),
    ("average", [4.0, 2.5]),
    ("first", [4.0]),
])
def test_a_force_closed_second_attempt_reaches_the_gradebook_only_as_the_method_says(
        course, gradebook_platform, method, sent):
    exam = course.exam(questions=4, attempts_allowed=3, grading_method=method)
    full_then_force_closed(course, exam, course.student("ada"))
    assert given(gradebook_platform, "ada") == sent
    assert all(score["scoreMaximum"] == 4.0 for score in gradebook_platform.scores)


def test_changing_the_method_resends_the_grade_with_a_later_timestamp_and_is_audited(course, gradebook_platform):
    exam = course.exam(questions=4, attempts_allowed=3)
    assert exam["settings"]["grading_method"] == "highest"
    full_then_force_closed(course, exam, course.student("ada"))
    assert given(gradebook_platform, "ada") == [4.0]

    changed = course.call("PATCH", f"/api/exams/{exam['id']}", json={"grading_method": "last"})
    assert changed.status_code == 200 and changed.json["settings"]["grading_method"] == "last"
    assert passback.send_due()["sent"] == 1
    course.call("PATCH", f"/api/exams/{exam['id']}", json={"grading_method": "average"})
    assert passback.send_due()["sent"] == 1
    # The platform refuses a score not later than the one it holds: each was taken, so each was later.
    assert given(gradebook_platform, "ada") == [4.0, 1.0, 2.5]
    stamps = [score["timestamp"] for score in gradebook_platform.scores]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3

    trail = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "exam.grading_method_changed")
                               .order_by(AuditEntry.id)).all()
    assert [(e.data["from"], e.data["to"], e.data["grades_queued"]) for e in trail] == [
        ("highest", "last", 1), ("last", "average", 1)]


def test_a_change_that_leaves_grades_as_they_are_queues_nothing(course, gradebook_platform):
    exam = course.exam(questions=4, attempts_allowed=3)
    token = course.student("ada")
    first = answer(course, exam, token, right=4)
    course.call("POST", f"/api/attempts/{first}/submit", token)
    passback.send_due()
    course.call("PATCH", f"/api/exams/{exam['id']}", json={"grading_method": "last"})  # one attempt: the same
    assert passback.send_due()["claimed"] == 0
    # Recomputing again (a method change that lost a race with a finalize does this) adds nothing either.
    assert gradebook.method_changed(db.session.get(Exam, exam["id"]), utcnow()) == []
    assert db.session.scalars(select(GradeOutbox.score_given)).all() == [4.0]


def test_an_attempt_in_progress_does_not_count(course, gradebook_platform):
    exam = course.exam(questions=4, attempts_allowed=3, grading_method="last")
    token = course.student("ada")
    first, second = full_then_force_closed(course, exam, token)
    third = answer(course, exam, token, right=4)  # still open
    course.call("PATCH", f"/api/exams/{exam['id']}", json={"grading_method": "average"})
    passback.send_due()
    assert given(gradebook_platform, "ada") == [4.0, 1.0, 2.5]
    [row] = [r for r in course.call("GET", f"/api/exams/{exam['id']}/marks").json["students"] if r["attempts"]]
    assert [(a["attempt_id"], a["counts_toward_grade"]) for a in row["attempts"]] == [
        (first, True), (second, True), (third, False)]


@pytest.mark.parametrize("value", ["best", "", None, 2, ["highest"]])
def test_an_unknown_method_is_refused_with_the_choices(course, value):
    exam = course.exam(questions=1)
    refused = course.call("PATCH", f"/api/exams/{exam['id']}", json={"grading_method": value})
    assert refused.status_code == 400
    assert "grading_method must be one of highest, average, first, last" in refused.json["error"]["message"]
    assert course.call("GET", f"/api/exams/{exam['id']}").json["settings"]["grading_method"] == "highest"
    created = course.call("POST", "/api/exams", json={"title": "Quiz", "grading_method": value})
    assert created.status_code == 400


def test_the_marks_show_every_attempt_which_counts_and_the_grade(course, gradebook_platform):
    exam = course.exam(questions=4, attempts_allowed=3, pass_mark=50)
    token = course.student("ada")
    first, second = full_then_force_closed(course, exam, token)
    course.student("bob")  # never starts

    def marks():
        body = course.call("GET", f"/api/exams/{exam['id']}/marks").json
        return {row["name"]: row for row in body["students"]}, body["histogram"]

    rows, buckets = marks()
    ada = rows["Name of ada"]
    assert [(a["attempt"], a["status"], a["percent"], a["counts_toward_grade"]) for a in ada["attempts"]] == [
        (1, "submitted", 100.0, True), (2, "terminated", 25.0, False)]
    assert ada["grade"] == {"score": 4.0, "max_score": 4.0, "percent": 100.0, "method": "highest"}
    assert (ada["attempt_id"], ada["passed"]) == (second, True)  # the latest attempt, and the grade's verdict
    assert buckets[-1]["count"] == 1
    assert (rows["Name of bob"]["attempts"], rows["Name of bob"]["grade"]) == ([], None)

    course.call("PATCH", f"/api/exams/{exam['id']}", json={"grading_method": "last"})
    rows, buckets = marks()
    ada = rows["Name of ada"]
    assert [a["counts_toward_grade"] for a in ada["attempts"]] == [False, True]
    assert (ada["grade"]["percent"], ada["passed"]) == (25.0, False)
    assert buckets[2]["count"] == 1

    csv_lines = course.call("GET", f"/api/exams/{exam['id']}/marks.csv").get_data(as_text=True).splitlines()
    assert csv_lines[0] == ("name,email,attempt,status,score,max_score,percent,started_at,finished_at,minutes_used,"
                            "counts_toward_grade,grade,grade_max_score,grade_percent,passed,grading_method,passback")
    ada_lines = [line.split(",") for line in csv_lines if line.startswith("Name of ada")]
    assert [(cells[2], cells[10], cells[13], cells[15]) for cells in ada_lines] == [
        ("1", "False", "25.0", "last"), ("2", "True", "25.0", "last")]
    assert any(line.startswith("Name of bob") and ",not_started," in line for line in csv_lines)


def test_a_method_change_racing_an_ending_attempt_leaves_the_right_grade_last(app, course, gradebook_platform):
    """The test maker switches to 'last' while a proctor force-closes the second attempt. Whichever commits
    second must compute from what the first committed; here the ending waits for the change's lock on the exam."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: the two cannot overlap")
    exam = course.exam(questions=4, attempts_allowed=3)
    token = course.student("ada")
    first = answer(course, exam, token, right=4)
    course.call("POST", f"/api/attempts/{first}/submit", token)
    second = answer(course, exam, token, right=1)

    # The change, not yet committed: with only the first attempt finished, 'last' changes no grade.
    changing = db.session.get(Exam, exam["id"])
    changing.grading_method = "last"
    assert gradebook.method_changed(changing, utcnow()) == []

    def force_close():
        with app.app_context():
            attempts.force_close(db.session.get(Attempt, second), actor_user_id=None, origin="test",
                                 reason="left the room")
            db.session.remove()

    ending = threading.Thread(target=force_close)
    ending.start()
    wait_for_a_lock_wait()
    db.session.commit()
    ending.join(timeout=30)
    assert not ending.is_alive()
    db.session.expire_all()
    latest = db.session.scalars(select(GradeOutbox).order_by(GradeOutbox.timestamp.desc())).first()
    assert (latest.score_given, latest.attempt_id) == (1.0, second)


def wait_for_a_lock_wait(timeout=10):
    """Until another session of this database waits for a row lock (the ending, for the exam's row)."""
    deadline = time.monotonic() + timeout
    with db.engine.connect() as watcher:
        while not watcher.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock'")).scalar():
            assert time.monotonic() < deadline, "the ending never waited for the exam's lock"
            watcher.rollback()


def test_attempts_ending_at_once_do_not_wait_on_each_other(app, course, gradebook_platform):
    """At the deadline the whole class's attempts end together: one student's ending, not yet committed, must
    not hold up another's (the grade reads the exam's row under a shared lock; a method change takes it alone)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: the two cannot overlap")
    exam = course.exam(questions=2)
    ada, bob = answer(course, exam, course.student("ada"), right=2), answer(course, exam, course.student("bob"),
                                                                          right=1)
    ending = db.session.get(Attempt, ada)
    ending.status, ending.finished_at = "submitted", utcnow()
    gradebook.attempts_ended([ending], utcnow())  # holds the exam's row lock until this session commits

    def force_close_bob():
        with app.app_context():
            attempts.force_close(db.session.get(Attempt, bob), actor_user_id=None, origin="test", reason="left")
            db.session.remove()

    other = threading.Thread(target=force_close_bob)
    other.start()
    other.join(timeout=10)
    blocked = other.is_alive()
    db.session.rollback()
    other.join(timeout=30)
    assert not blocked, "the second ending waited for the first's lock on the exam"
