"""The pre-exam check (issue 13, item 3): what it asks for per exam, consent before the clock, the record kept
with the attempt and shown to proctors, strict validation, and a deadline counted from the start alone."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from lti_tool.audit import AuditEntry
from lti_tool.db import db, utcnow
from lti_tool.proctor.models import PreExamCheck


def camera(course, exam, **settings):
    response = course.call("PUT", f"/api/exams/{exam['id']}/camera/settings", json=settings)
    assert response.status_code == 200, response.json


def begin(course, exam, token):
    response = course.call("GET", f"/api/exams/{exam['id']}/check", token)
    assert response.status_code == 200, response.json
    return response.json


def start(course, exam, token, check=None):
    return course.call("POST", f"/api/exams/{exam['id']}/attempts", token,
                       json={} if check is None else {"check": check})


def consent(course, exam, token):
    response = course.call("POST", f"/api/exams/{exam['id']}/camera/consent", token)
    assert response.status_code == 200, response.json
    return response.json


def test_the_check_asks_for_what_the_exam_needs(course):
    plain = course.exam(questions=1)
    check = begin(course, plain, course.student())
    assert check["steps"] == [] and check["consent"] is False and check["fullscreen"] is False

    exam = course.exam(questions=1, link="link-2", require_fullscreen=True)
    camera(course, exam, policy="required", face_checks=True, screen_share=True)
    student = course.student("student-2", link="link-2")
    check = begin(course, exam, student)
    assert check["steps"] == ["frame", "consent", "camera", "faces", "screen", "fullscreen"]
    assert check["camera"] == {"mode": "snapshot", "policy": "required", "face_checks": True, "screen_share": True}
    assert check["consent"]["given"] is False and "entire screen" in check["consent"]["text"]
    assert datetime.fromisoformat(check["began_at"]) <= utcnow()

    camera(course, exam, policy="optional", face_checks=False, screen_share=False)
    assert begin(course, exam, student)["steps"] == ["frame", "consent", "camera", "fullscreen"]


def test_consent_is_given_before_any_attempt_and_a_required_camera_does_not_start_without_it(course, app):
    exam = course.exam(questions=1)
    camera(course, exam, policy="required")
    student = course.student()
    refused = start(course, exam, student)
    assert refused.status_code == 409, refused.json
    assert refused.json["error"]["code"] == "camera_consent_missing"
    assert "camera notice" in refused.json["error"]["message"]
    assert course.call("GET", "/api/exams/current", student).json["standing"]["open_attempt_id"] is None

    assert consent(course, exam, student)["consent"]["given"] is True
    assert start(course, exam, student).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).filter_by(action="camera.consent")) is not None


def test_an_optional_camera_starts_without_consent(course):
    exam = course.exam(questions=1)
    camera(course, exam, policy="optional")
    assert start(course, exam, course.student()).status_code == 200


def test_the_start_keeps_the_record_and_the_deadline_counts_from_the_start(course, app):
    exam = course.exam(questions=1, duration_minutes=20, require_fullscreen=True)
    camera(course, exam, policy="required", face_checks=True)
    student = course.student()
    check = begin(course, exam, student)
    consent(course, exam, student)
    # The student spent ten minutes on the check (the record says when it began, in the server's time).
    began = (utcnow() - timedelta(minutes=10)).isoformat()
    record = {"began_at": began, "steps": [
        {"name": "frame", "outcome": "passed", "seconds": 0.1},
        {"name": "consent", "outcome": "passed", "seconds": 300},
        {"name": "camera", "outcome": "passed", "detail": "FaceTime HD", "seconds": 2.5},
        {"name": "faces", "outcome": "passed", "faces": 1, "seconds": 3},
        {"name": "fullscreen", "outcome": "passed", "seconds": 4}]}
    assert check["steps"] == ["frame", "consent", "camera", "faces", "fullscreen"]
    before = utcnow()
    response = start(course, exam, student, record)
    assert response.status_code == 200, response.json
    attempt = response.json
    deadline = datetime.fromisoformat(attempt["deadline"])
    assert before + timedelta(minutes=20) <= deadline <= utcnow() + timedelta(minutes=20)
    assert attempt["seconds_left"] >= 20 * 60 - 5

    with app.app_context():
        kept = db.session.scalar(select(PreExamCheck).filter_by(attempt_id=attempt["id"]))
        assert [step["name"] for step in kept.steps] == check["steps"]
        assert kept.steps[3] == {"name": "faces", "outcome": "passed", "detail": "", "seconds": 3, "faces": 1}
        assert kept.began_at == datetime.fromisoformat(began)
        assert before <= kept.ended_at <= utcnow()
        audited = db.session.scalar(select(AuditEntry).filter_by(action="attempt.pre_exam_check"))
        assert audited.target_id == str(attempt["id"]) and audited.data["seconds"] >= 600

    timeline = course.call("GET", f"/api/exams/{exam['id']}/attempts/{attempt['id']}/timeline").json
    summary = timeline["pre_exam_check"]["summary"]
    assert summary.startswith("Pre-exam check: LMS frame allows it, consent given, camera working, 1 face, "
                              "full screen; took 10 min")


def test_a_resumed_attempt_keeps_its_first_record(course, app):
    exam = course.exam(questions=1, require_fullscreen=True)
    student = course.student()
    record = {"began_at": begin(course, exam, student)["began_at"],
              "steps": [{"name": "fullscreen", "outcome": "passed"}]}
    first = start(course, exam, student, record).json
    again = start(course, exam, student, record).json
    assert again["id"] == first["id"]
    with app.app_context():
        assert len(db.session.scalars(select(PreExamCheck)).all()) == 1


@pytest.mark.parametrize(("record", "words"), [
    ("yes", "an object"),
    ({"began_at": "yesterday", "steps": []}, "began_at"),
    ({"began_at": "2020-01-01T00:00:00+00:00", "steps": []}, "within 12 hours"),
    ({"began_at": "2020-01-01T00:00:00", "steps": []}, "began_at"),
    ({"began_at": None, "steps": [], "extra": 1}, "an object"),
    ({"steps": "all"}, "began_at"),
    ({"now": True, "steps": []}, "an object"),
])
def test_bad_records_are_422_with_a_clear_message(course, record, words):
    exam = course.exam(questions=1, require_fullscreen=True)
    refused = start(course, exam, course.student(), record)
    assert refused.status_code == 422, refused.json
    assert refused.json["error"]["code"] == "invalid_pre_exam_check"
    assert words in refused.json["error"]["message"]


@pytest.mark.parametrize(("step", "words"), [
    ({"name": "teleport", "outcome": "passed"}, "Unknown step"),
    ({"name": "camera", "outcome": "passed"}, "has no “camera” step"),
    ({"name": "fullscreen", "outcome": "great"}, "outcome is one of"),
    ({"name": "fullscreen", "outcome": "passed", "detail": "x" * 201}, "at most 200"),
    ({"name": "fullscreen", "outcome": "passed", "seconds": -1}, "seconds"),
    ({"name": "fullscreen", "outcome": "passed", "seconds": True}, "seconds"),
    ({"name": "fullscreen", "outcome": "passed", "faces": 1}, "faces"),
    ({"name": "fullscreen", "outcome": "passed", "colour": "red"}, "some of"),
    ("fullscreen", "A step is an object"),
])
def test_bad_steps_are_422_and_start_nothing(course, step, words):
    exam = course.exam(questions=1, require_fullscreen=True)
    student = course.student()
    record = {"began_at": begin(course, exam, student)["began_at"], "steps": [step]}
    refused = start(course, exam, student, record)
    assert refused.status_code == 422, refused.json
    assert words in refused.json["error"]["message"]
    assert course.call("GET", "/api/exams/current", student).json["standing"]["open_attempt_id"] is None


def test_too_many_or_repeated_steps_are_refused(course):
    exam = course.exam(questions=1, require_fullscreen=True)
    student = course.student()
    began = begin(course, exam, student)["began_at"]
    twice = [{"name": "fullscreen", "outcome": "passed"}] * 2
    assert "once" in start(course, exam, student, {"began_at": began, "steps": twice}).json["error"]["message"]
    many = [{"name": "fullscreen", "outcome": "passed"}] * 7
    assert "at most 6" in start(course, exam, student, {"began_at": began, "steps": many}).json["error"]["message"]


def test_an_exam_that_needs_no_check_starts_without_a_record(course):
    exam = course.exam(questions=1)
    response = course.call("POST", f"/api/exams/{exam['id']}/attempts", course.student())
    assert response.status_code == 200, response.json
