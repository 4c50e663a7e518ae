"""Versions of a question's wording (exam/versions.py): a typo fixed after students took the exam keeps the earlier
wording, and each finished attempt's review shows the wording it was answered against."""

from sqlalchemy import select

from lti_tool.db import db
from lti_tool.exam.models import QuestionVersion


def reword(course, exam, question, text, options=("right", "wrong"), **fields):
    response = course.call("PUT", f"/api/exams/{exam['id']}/questions/{question['id']}", json={
        "type": "single", "text": text, "points": 1,
        "options": [{"text": options[0], "correct": True}, {"text": options[1], "correct": False}], **fields})
    assert response.status_code == 200, response.json
    return response.json


def finish(course, exam, student):
    attempt = course.call("POST", f"/api/exams/{exam['id']}/attempts", student).json
    question = attempt["questions"][0]
    right = next(o["id"] for o in question["options"] if o["text"].startswith("right"))
    course.call("PUT", f"/api/attempts/{attempt['id']}/answers/{question['id']}", student,
                json={"option_ids": [right]})
    course.call("POST", f"/api/attempts/{attempt['id']}/submit", student)
    return attempt


def review_of(course, attempt, student):
    review = course.call("GET", f"/api/attempts/{attempt['id']}/review", student)
    assert review.status_code == 200, review.json
    return review.json["questions"][0]


def test_a_review_shows_the_wording_the_attempt_was_answered_against(course):
    exam = course.exam(questions=1, review_when="immediately")
    question = exam["question_list"][0]
    early = course.student("early")
    first = finish(course, exam, early)
    reword(course, exam, question, "Question 1, reworded", options=("right!", "wrong!"), explanation="Now explained.")
    late = course.student("late")
    second = finish(course, exam, late)

    before = review_of(course, first, early)
    assert (before["text"], [o["text"] for o in before["options"]]) == ("Question 1", ["right", "wrong"])
    assert before["explanation"] is None
    # So does the finished attempt's own page (the end screen, a reload of it).
    ended = course.call("GET", f"/api/attempts/{first['id']}", early).json["questions"][0]
    assert (ended["text"], [o["text"] for o in ended["options"]]) == ("Question 1", ["right", "wrong"])
    after = review_of(course, second, late)
    assert (after["text"], [o["text"] for o in after["options"]]) == ("Question 1, reworded", ["right!", "wrong!"])
    assert after["explanation"] == "Now explained."
    # The test maker's list shows today's wording, the earlier one kept as version 1.
    assert course.call("GET", f"/api/exams/{exam['id']}").json["question_list"][0]["text"] == "Question 1, reworded"
    kept = db.session.scalars(select(QuestionVersion)).all()
    assert [(v.version, v.text, sorted(v.option_texts.values())) for v in kept] == [
        (1, "Question 1", ["right", "wrong"])]


def test_each_change_of_wording_is_a_version_and_an_unchanged_save_is_none(course):
    exam = course.exam(questions=1, review_when="immediately")
    question = exam["question_list"][0]
    student = course.student()
    attempt = finish(course, exam, student)
    reword(course, exam, question, "Question 1")  # the same wording: no version
    assert db.session.scalars(select(QuestionVersion)).all() == []
    reword(course, exam, question, "Second wording")
    reword(course, exam, question, "Third wording")
    assert [v.version for v in db.session.scalars(select(QuestionVersion).order_by(QuestionVersion.version))] == [1, 2]
    assert review_of(course, attempt, student)["text"] == "Question 1"


def test_an_attempt_open_during_the_edit_keeps_the_wording_it_ended_with(course):
    exam = course.exam(questions=1, review_when="immediately")
    question = exam["question_list"][0]
    student = course.student()
    attempt = course.call("POST", f"/api/exams/{exam['id']}/attempts", student).json
    reword(course, exam, question, "Fixed during the exam")
    # The open attempt's page gets the fix on its next read; the review shows what it ended with.
    assert course.call("GET", f"/api/attempts/{attempt['id']}", student).json["questions"][0]["text"] == (
        "Fixed during the exam")
    course.call("POST", f"/api/attempts/{attempt['id']}/submit", student)
    assert review_of(course, attempt, student)["text"] == "Fixed during the exam"
