"""A student's review of a finished attempt through the API: what each review option shows and hides, before and
after the exam closes, to whom, and the grade that counts. The API is the boundary: a hidden part never leaves it."""

import json
from datetime import timedelta

import pytest

from lti_tool.db import utcnow
from tests.exam.conftest import right_option, wrong_option

PARTS = ("review_score", "review_answers", "review_right_answers", "review_explanations")


def exam_with_explanations(course, **settings):
    """Two single-answer questions, each with an explanation, under these settings."""
    exam = course.exam(questions=0, **settings)
    for n in (1, 2):
        added = course.call("POST", f"/api/exams/{exam['id']}/questions", json={
            "type": "single", "text": f"Question {n}", "points": 1, "explanation": f"Because {n}.",
            "options": [{"text": "right", "correct": True}, {"text": "wrong", "correct": False}]})
        assert added.status_code == 201, added.json
    course.publish(exam)
    return exam


def take(course, exam, student, right=1):
    """Start, answer the first `right` questions right and the rest wrong, submit; the submitted state."""
    attempt = course.call("POST", f"/api/exams/{exam['id']}/attempts", student).json
    for n, question in enumerate(attempt["questions"]):
        option = right_option(question) if n < right else wrong_option(question)
        saved = course.call("PUT", f"/api/attempts/{attempt['id']}/answers/{question['id']}", student,
                            json={"option_ids": [option]})
        assert saved.status_code == 200, saved.json
    submitted = course.call("POST", f"/api/attempts/{attempt['id']}/submit", student)
    assert submitted.status_code == 200, submitted.json
    return submitted.json


def review_of(course, attempt, student):
    response = course.call("GET", f"/api/attempts/{attempt['id']}/review", student)
    assert response.status_code == 200, response.json
    return response.json


def keys_in(value):
    """Every key anywhere in a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


def test_immediately_with_everything_shows_score_answers_right_answers_and_explanations(course):
    exam = exam_with_explanations(course, review_when="immediately", pass_mark=50)
    student = course.student()
    attempt = take(course, exam, student, right=1)
    assert attempt["result"]["review_available"] is True
    assert (attempt["result"]["score"], attempt["result"]["max_score"]) == (1, 2)

    review = review_of(course, attempt, student)
    assert review["available"] is True
    assert review["shows"] == ["answers", "explanations", "right_answers", "score"]
    assert review["score"] == {"score": 1, "max_score": 2, "percent": 50.0, "pass_mark": 50, "passed": True}
    assert review["grade"] == {"score": 1, "max_score": 2, "percent": 50.0, "pass_mark": 50, "passed": True,
                               "method": "highest", "attempts": 1, "counts": True}
    first, second = review["questions"]
    assert (first["number"], first["text"], first["outcome"], first["earned"], first["explanation"]) == (
        1, "Question 1", "right", 1, "Because 1.")
    assert (second["outcome"], second["earned"], second["explanation"]) == ("wrong", 0, "Because 2.")
    assert [(o["text"], o["chosen"], o["correct"]) for o in second["options"]] == [
        ("right", False, True), ("wrong", True, False)]


@pytest.mark.parametrize(("hidden", "absent"), [
    ("review_score", {"score", "grade", "earned", "max_score", "percent"}),
    ("review_answers", {"chosen", "outcome", "earned"}),
    ("review_right_answers", {"correct"}),
    ("review_explanations", {"explanation"}),
])
def test_each_part_the_options_hide_never_leaves_the_server(course, hidden, absent):
    exam = exam_with_explanations(course, review_when="immediately", **{hidden: False})
    student = course.student()
    attempt = take(course, exam, student)
    review = review_of(course, attempt, student)
    assert hidden.removeprefix("review_") not in review["shows"]
    assert not keys_in(review) & absent
    # The attempt's own state carries the student's saved choices, and nothing graded the review hides.
    assert not keys_in(attempt) & (absent - {"chosen"} | {"correct", "explanation", "breakdown"})
    if hidden != "review_explanations":
        assert "Because 1." in json.dumps(review)


def test_only_the_score_shows_no_questions(course):
    exam = exam_with_explanations(course, review_when="immediately", review_answers=False,
                                  review_right_answers=False, review_explanations=False)
    student = course.student()
    review = review_of(course, take(course, exam, student), student)
    assert review["shows"] == ["score"] and "questions" not in review
    assert review["score"]["passed"] is None  # the exam has no pass mark


def test_after_close_shows_nothing_until_the_test_maker_closes_the_exam(course):
    exam = exam_with_explanations(course, review_when="after_close")
    student = course.student()
    attempt = take(course, exam, student)
    assert attempt["review"] == {"when": "after_close", "closes_at": None}
    assert "score" not in attempt["result"] and attempt["result"]["review_available"] is False
    before = review_of(course, attempt, student)
    assert (before["available"], before["shows"]) == (False, [])
    assert not keys_in(before) & {"score", "grade", "questions", "correct", "explanation"}

    assert course.call("POST", f"/api/exams/{exam['id']}/close").status_code == 200
    after = review_of(course, attempt, student)
    assert after["available"] is True and after["questions"][0]["options"][0]["correct"] is True
    assert course.call("GET", f"/api/attempts/{attempt['id']}", student).json["result"]["score"] == 1


def test_after_close_opens_when_the_closing_time_has_passed(course):
    closes = utcnow() + timedelta(hours=1)
    exam = exam_with_explanations(course, review_when="after_close", closes_at=closes.isoformat())
    student = course.student()
    attempt = take(course, exam, student)
    assert attempt["review"]["closes_at"] == closes.isoformat()
    assert review_of(course, attempt, student)["available"] is False
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    assert course.call("PATCH", f"/api/exams/{exam['id']}", json={"closes_at": past}).status_code == 200
    assert review_of(course, attempt, student)["available"] is True


def test_never_shows_nothing_even_after_close(course):
    exam = exam_with_explanations(course)  # the default: no review
    student = course.student()
    attempt = take(course, exam, student)
    assert attempt["review"]["when"] == "never"
    course.call("POST", f"/api/exams/{exam['id']}/close")
    review = review_of(course, attempt, student)
    assert (review["available"], review["shows"]) == (False, [])
    assert not keys_in(review) & {"score", "grade", "questions"}


def test_another_student_cannot_read_the_review(course):
    exam = exam_with_explanations(course, review_when="immediately", attempts_allowed=2)
    attempt = take(course, exam, course.student())
    other = course.student(sub="student-2")
    assert course.call("GET", f"/api/attempts/{attempt['id']}/review", other).status_code == 404
    assert course.call("GET", f"/api/attempts/{attempt['id']}/review").status_code == 403  # the test maker


def test_an_attempt_in_progress_has_no_review(course):
    exam = exam_with_explanations(course, review_when="immediately")
    student = course.student()
    attempt = course.call("POST", f"/api/exams/{exam['id']}/attempts", student).json
    assert attempt["review"] == {"when": "immediately", "closes_at": None}
    response = course.call("GET", f"/api/attempts/{attempt['id']}/review", student)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "review_refused"
    assert "correct" not in json.dumps(response.json)


def test_each_attempt_has_its_review_and_the_grade_that_counts_follows_the_grading_method(course):
    exam = exam_with_explanations(course, review_when="immediately", attempts_allowed=2, pass_mark=60)
    student = course.student()
    first = take(course, exam, student, right=2)
    second = take(course, exam, course.student(), right=1)
    one, two = review_of(course, first, student), review_of(course, second, student)
    assert [a["number"] for a in two["attempts"]] == [1, 2]
    assert (one["score"]["score"], two["score"]["score"], two["score"]["passed"]) == (2, 1, False)
    assert (two["grade"]["score"], two["grade"]["passed"], two["grade"]["counts"], one["grade"]["counts"]) == (
        2, True, False, True)
    course.call("PATCH", f"/api/exams/{exam['id']}", json={"grading_method": "last"})
    last = review_of(course, second, student)["grade"]
    assert (last["method"], last["score"], last["counts"]) == ("last", 1, True)


@pytest.mark.parametrize(("settings", "named"), [
    ({"review_when": "sometimes"}, "review_when must be one of never, immediately, after_close"),
    ({"review_score": "yes"}, "review_score must be true or false"),
    ({"review_when": "immediately", "review_score": False, "review_answers": False,
      "review_right_answers": False, "review_explanations": False}, "nothing is chosen to show"),
])
def test_bad_review_options_are_refused_with_a_clear_400(course, settings, named):
    exam = course.exam(questions=1)
    response = course.call("PATCH", f"/api/exams/{exam['id']}", json=settings)
    assert response.status_code == 400
    assert named in response.json["error"]["message"]
    assert course.call("GET", f"/api/exams/{exam['id']}").json["settings"]["review_when"] == "never"


def test_hiding_every_part_of_a_timed_review_is_refused_one_change_at_a_time(course):
    exam = course.exam(questions=1, review_when="immediately", review_score=False, review_answers=False,
                       review_right_answers=False)
    response = course.call("PATCH", f"/api/exams/{exam['id']}", json={"review_explanations": False})
    assert response.status_code == 400 and "nothing is chosen to show" in response.json["error"]["message"]
    assert course.call("PATCH", f"/api/exams/{exam['id']}", json={
        "review_explanations": False, "review_when": "never"}).status_code == 200
