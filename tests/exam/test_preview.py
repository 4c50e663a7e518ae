"""A test maker's preview: they take the exam as students see it, on a draft too, and nothing is recorded as an
attempt of the exam: no grade queued, not on the marks, not in the live room, not freezing the exam's edits."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from lti_tool.db import db
from lti_tool.exam import attempts, services
from lti_tool.exam.models import Attempt, GradeOutbox
from lti_tool.proctor import room
from tests.exam.conftest import right_option, wrong_option
from tests.lti_platform import INSTRUCTOR, LEARNER


def draft(course):
    exam = course.exam(questions=2)
    assert course.call("POST", f"/api/exams/{exam['id']}/unpublish").status_code == 200
    return exam


def preview_and_submit(course, exam):
    attempt = course.call("POST", f"/api/exams/{exam['id']}/preview")
    assert attempt.status_code == 200, attempt.json
    attempt = attempt.json
    assert attempt["preview"] is True and attempt["seconds_left"] > 0
    first, second = attempt["questions"]
    for question, option in ((first, right_option(first)), (second, wrong_option(second))):
        saved = course.call("PUT", f"/api/attempts/{attempt['id']}/answers/{question['id']}",
                            json={"option_ids": [option]})
        assert saved.status_code == 200, saved.json
    resumed = course.call("GET", f"/api/attempts/{attempt['id']}").json
    assert [q["chosen"] for q in resumed["questions"]] == [[right_option(first)], [wrong_option(second)]]
    submitted = course.call("POST", f"/api/attempts/{attempt['id']}/submit")
    assert submitted.status_code == 200, submitted.json
    return submitted.json


def test_a_test_maker_previews_a_draft_and_sees_the_result(course):
    exam = draft(course)
    result = preview_and_submit(course, exam)
    assert result["status"] == "submitted"
    assert (result["result"]["score"], result["result"]["max_score"]) == (1, 2)


def test_a_preview_queues_no_grade_and_is_on_no_marks_or_live_room(course, app):
    exam = course.exam(questions=2)
    student = course.student()
    taken = course.call("POST", f"/api/exams/{exam['id']}/attempts", student).json
    assert course.call("POST", f"/api/attempts/{taken['id']}/submit", student).status_code == 200
    preview = preview_and_submit(course, exam)

    rows = db.session.scalars(select(GradeOutbox.attempt_id)).all()
    assert rows == [taken["id"]]
    marks = course.call("GET", f"/api/exams/{exam['id']}/marks").json
    assert [row["attempt_id"] for row in marks["students"]] == [taken["id"]]
    assert all(stat["answered"] <= 1 for stat in marks["questions"])
    live = room.snapshot(services.get_exam(db.session.get(Attempt, taken["id"]).exam.course_id, exam["id"]))
    assert [row["attempt_id"] for row in live["students"]] == [taken["id"]]
    assert preview["id"] not in [row["attempt_id"] for row in live["students"]]


def test_a_preview_freezes_nothing_and_starting_again_replaces_it(course):
    exam = draft(course)
    first = preview_and_submit(course, exam)
    # Nobody has taken the exam: its questions can still change, and it can be published and unpublished.
    added = course.call("POST", f"/api/exams/{exam['id']}/questions", json={
        "type": "single", "text": "Question 3", "options": [{"text": "right", "correct": True}, {"text": "no"}]})
    assert added.status_code == 201, added.json
    assert course.call("POST", f"/api/exams/{exam['id']}/publish").status_code == 200
    assert course.call("POST", f"/api/exams/{exam['id']}/unpublish").status_code == 200
    again = course.call("POST", f"/api/exams/{exam['id']}/preview").json
    assert again["status"] == "in_progress" and len(again["questions"]) == 3
    assert first["status"] == "submitted" and all(q["chosen"] == [] for q in again["questions"])
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_a_preview_is_the_test_makers_alone(course):
    exam = course.exam(questions=1)
    preview = course.call("POST", f"/api/exams/{exam['id']}/preview").json
    student = course.student()
    assert course.call("GET", f"/api/attempts/{preview['id']}", student).status_code == 404
    assert course.call("POST", f"/api/exams/{exam['id']}/preview", student).status_code == 403
    taken = course.call("POST", f"/api/exams/{exam['id']}/attempts", student).json
    # A test maker's launch reaches only their own previews, never a student's attempt.
    assert course.call("GET", f"/api/attempts/{taken['id']}").status_code == 404


def test_a_preview_started_again_before_the_first_was_stored_is_the_same_preview(course, monkeypatch):
    exam = course.exam(questions=1)
    first = course.call("POST", f"/api/exams/{exam['id']}/preview").json
    # The second request looked for a preview before the first request's was stored, so it found none.
    looks = []

    def latest(*args, found=attempts.latest, **kwargs):
        looks.append(args)
        return None if len(looks) == 1 else found(*args, **kwargs)

    monkeypatch.setattr(attempts, "latest", latest)
    second = course.call("POST", f"/api/exams/{exam['id']}/preview")
    assert second.status_code == 200, second.json
    assert second.json["id"] == first["id"]
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def previews_at_once(app, course, exam, monkeypatch, wait_after):
    """Two preview requests of the test maker at once, each held after `wait_after` (a function of
    exam/attempts.py) until the other has got there too."""
    both_there = threading.Barrier(2, timeout=10)
    original = getattr(attempts, wait_after)

    def held(*args, **kwargs):
        result = original(*args, **kwargs)
        both_there.wait()
        return result

    def start(_):
        return app.test_client().post(f"/api/exams/{exam['id']}/preview",
                                      headers={"Authorization": f"Bearer {course.maker}"})

    monkeypatch.setattr(attempts, wait_after, held)
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(start, range(2))
    monkeypatch.undo()
    assert first.status_code == second.status_code == 200, (first.json, second.json)
    assert first.json["id"] == second.json["id"]
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


@pytest.fixture
def concurrent(database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite lets one writer at a time, so two previews cannot overlap there")


@pytest.mark.usefixtures("concurrent")
def test_two_previews_started_at_once_are_one_preview(app, course, monkeypatch):
    exam = course.exam(questions=1)
    previews_at_once(app, course, exam, monkeypatch, wait_after="new_attempt")


@pytest.mark.usefixtures("concurrent")
def test_two_restarts_of_a_finished_preview_at_once_replace_it_with_one_preview(app, course, monkeypatch):
    exam = course.exam(questions=1)
    preview_id = course.call("POST", f"/api/exams/{exam['id']}/preview").json["id"]
    assert course.call("POST", f"/api/attempts/{preview_id}/submit").status_code == 200
    db.session.remove()
    previews_at_once(app, course, exam, monkeypatch, wait_after="finalize_if_overdue")


def test_the_lobby_offers_a_test_maker_preview_and_not_start(course):
    exam = course.exam(questions=1)
    standing = course.call("GET", "/api/exams/current").json["standing"]
    assert standing["can_start"] is False
    assert standing["message"] == attempts.NOT_A_STUDENT
    assert "Preview" in standing["message"]
    assert course.call("POST", f"/api/exams/{exam['id']}/attempts").status_code == 403
    student = course.call("GET", "/api/exams/current", course.student()).json["standing"]
    assert (student["can_start"], student["message"]) == (True, None)
    # A test maker who is also a student of the course takes it like any student.
    both = course.lti.token_for((INSTRUCTOR, LEARNER), sub="teacher-student", context_id=course.context_id,
                                resource_link_id=course.link)["token"]
    assert course.call("GET", "/api/exams/current", both).json["standing"]["can_start"] is True
