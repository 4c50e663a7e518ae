"""The page numbers its saves (`seq`) and resends one it gave up waiting for; the first copy may still reach
the server after a later choice for the same question (found by bench/exam_day.py under load). A save older
than the stored one must not overwrite it."""

import pytest

from lti_tool.db import db
from lti_tool.exam.models import Answer
from tests.exam.conftest import right_option, wrong_option
from tests.exam.test_attempts import save, start


def stored(attempt, question):
    db.session.expire_all()
    return db.session.query(Answer).filter_by(attempt_id=attempt["id"], question_id=question["id"]).one()


def test_a_late_copy_of_an_older_save_changes_nothing_and_is_acknowledged(course):
    exam = course.exam(questions=1)
    student = course.student()
    attempt = start(course, exam, student)
    [question] = attempt["questions"]
    first = save(course, attempt, question, [wrong_option(question)], student, seq=5)  # the page's resend
    later = save(course, attempt, question, [right_option(question)], student, seq=6)
    late_copy = save(course, attempt, question, [wrong_option(question)], student, seq=5)
    assert [r.json["superseded"] for r in (first, later, late_copy)] == [False, False, True]
    assert late_copy.status_code == 200
    assert (stored(attempt, question).option_ids, stored(attempt, question).seq) == ([right_option(question)], 6)


def test_the_same_save_sent_twice_is_applied_both_times(course):
    exam = course.exam(questions=1)
    student = course.student()
    attempt = start(course, exam, student)
    [question] = attempt["questions"]
    for _ in range(2):
        response = save(course, attempt, question, [right_option(question)], student, seq=3)
        assert (response.status_code, response.json["superseded"]) == (200, False)


def test_a_reloaded_page_learns_where_to_number_its_saves_from(course):
    exam = course.exam(questions=2)
    student = course.student()
    attempt = start(course, exam, student)
    assert attempt["seq"] == 0
    first, second = attempt["questions"]
    save(course, attempt, first, [right_option(first)], student, seq=41)
    save(course, attempt, second, [right_option(second)], student, seq=42)
    assert course.call("GET", f"/api/attempts/{attempt['id']}", student).json["seq"] == 42


def test_a_save_without_seq_is_applied_whatever_is_stored(course):
    exam = course.exam(questions=1)
    student = course.student()
    attempt = start(course, exam, student)
    [question] = attempt["questions"]
    save(course, attempt, question, [wrong_option(question)], student, seq=9)
    assert save(course, attempt, question, [right_option(question)], student).json["superseded"] is False
    assert stored(attempt, question).option_ids == [right_option(question)]


@pytest.mark.parametrize("seq", [-1, 1.5, "7", True, 2**53])
def test_a_malformed_seq_is_refused_and_changes_nothing(course, seq):
    exam = course.exam(questions=1)
    student = course.student()
    attempt = start(course, exam, student)
    [question] = attempt["questions"]
    response = save(course, attempt, question, [right_option(question)], student, seq=seq)
    assert response.status_code == 409 and "seq" in response.json["error"]["message"]
    assert db.session.query(Answer).filter_by(attempt_id=attempt["id"]).count() == 0
