"""Drafts and publishing: a new exam is a draft its students neither see nor start, publishing says everything
that stops it being taken, and it goes back to a draft only while nobody has an attempt."""

from datetime import timedelta

from sqlalchemy import select

from lti_tool.audit import AuditEntry
from lti_tool.db import db, utcnow
from lti_tool.exam.models import Option


def draft(course, questions=1, **settings):
    """A bound exam with `questions` questions, not published."""
    exam = course.call("POST", "/api/exams", json={"title": "Draft quiz", **settings}).json
    for n in range(questions):
        added = course.call("POST", f"/api/exams/{exam['id']}/questions", json={
            "type": "single", "text": f"Question {n + 1}",
            "options": [{"text": "right", "correct": True}, {"text": "wrong", "correct": False}]})
        assert added.status_code == 201, added.json
    assert course.call("POST", f"/api/exams/{exam['id']}/bind").status_code == 204
    return course.call("GET", f"/api/exams/{exam['id']}").json


def test_a_new_exam_is_a_draft_students_neither_see_nor_start(course):
    exam = draft(course)
    assert exam["published"] is False
    student = course.student()
    current = course.call("GET", "/api/exams/current", student)
    assert current.json == {"exam": None, "message": "This exam is not open yet."}
    refused = course.call("POST", f"/api/exams/{exam['id']}/attempts", student)
    assert refused.status_code == 409
    assert refused.json["error"]["message"] == "This exam is not open yet."
    # The test maker still sees the exam the link runs, marked as a draft.
    assert course.call("GET", "/api/exams/current").json["exam"]["published"] is False


def test_publishing_is_refused_with_every_problem_listed(course):
    empty = draft(course, questions=0, closes_at=(utcnow() - timedelta(hours=1)).isoformat())
    refused = course.call("POST", f"/api/exams/{empty['id']}/publish")
    assert refused.status_code == 409
    assert refused.json["error"]["problems"] == [
        "Add at least one question, or draw some from the course's question bank.",
        "The exam has already closed: set a closing time in the future."]
    unanswerable = draft(course, questions=2)
    second = unanswerable["question_list"][1]["id"]
    for option in db.session.scalars(select(Option).where(Option.question_id == second)):
        option.is_correct = False
    db.session.commit()
    refused = course.call("POST", f"/api/exams/{unanswerable['id']}/publish")
    assert refused.json["error"]["problems"] == ["Mark a right answer in question 2."]
    assert course.call("GET", f"/api/exams/{unanswerable['id']}").json["problems"] == [
        "Mark a right answer in question 2."]
    assert course.call("GET", f"/api/exams/{unanswerable['id']}").json["published"] is False


def test_publishing_opens_the_exam_to_students_and_is_audited(course):
    exam = draft(course)
    published = course.call("POST", f"/api/exams/{exam['id']}/publish")
    assert published.status_code == 200 and published.json["published"] is True
    student = course.student()
    assert course.call("GET", "/api/exams/current", student).json["standing"]["can_start"] is True
    assert course.call("POST", f"/api/exams/{exam['id']}/attempts", student).status_code == 200
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "exam",
                                                                 AuditEntry.target_id == str(exam["id"]))).all()
    assert "exam.published" in actions


def test_unpublishing_is_allowed_until_a_student_has_an_attempt(course):
    exam = course.exam(questions=1)
    back = course.call("POST", f"/api/exams/{exam['id']}/unpublish")
    assert back.status_code == 200 and back.json["published"] is False
    course.publish(exam)
    assert course.call("POST", f"/api/exams/{exam['id']}/attempts", course.student()).status_code == 200
    refused = course.call("POST", f"/api/exams/{exam['id']}/unpublish")
    assert refused.status_code == 409 and "stays published" in refused.json["error"]["message"]
    assert course.call("GET", f"/api/exams/{exam['id']}").json["published"] is True


def test_a_duplicate_starts_as_a_draft(course):
    exam = course.exam(questions=1)
    copy = course.call("POST", f"/api/exams/{exam['id']}/duplicate")
    assert copy.status_code == 201 and copy.json["published"] is False
    assert [e["published"] for e in course.call("GET", "/api/exams").json["exams"]] == [True, False]
