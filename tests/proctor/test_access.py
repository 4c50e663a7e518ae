"""Who may do what, for every socket message and dashboard endpoint: students only for their own attempt,
proctors only for the exams they are listed for, nobody across courses, no expired or forged tokens."""

import time

import pytest
from sqlalchemy import func, select

from lti_tool.db import db
from lti_tool.identity import access, tokens
from lti_tool.proctor.models import ProctorEvent
from lti_tool.realtime import messages
from lti_tool.realtime.sockets import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED
from tests.exam.conftest import Course
from tests.exam.test_attempts import start


def _events():
    return db.session.scalar(select(func.count()).select_from(ProctorEvent))


@pytest.mark.parametrize("kind", sorted(set(messages.PROCTOR) - set(messages.STUDENT)))
def test_a_student_socket_refuses_every_proctor_message(room, kind):
    token, attempt = room.student()
    page = room.student_page(token, attempt)
    page.send(type=kind, attempt_id=attempt["id"], text="x", reason="x", minutes=5)
    assert page.next("error")["code"] == "unknown_type"
    assert _events() == 0


def test_an_expired_token_is_refused(room, app):
    token, attempt = room.student()
    expired = tokens.issue(access.verify_token(token), secret_key=app.config["SECRET_KEY"],
                           issuer=app.config["TOOL_BASE_URL"], ttl=-60, now=time.time())
    page = room.page("/ws/student")
    page.send(type="hello", token=expired, attempt_id=attempt["id"])
    assert "expired" in page.next("error")["message"]
    assert page.closed_with() == CLOSE_UNAUTHENTICATED


def test_a_token_from_another_course_opens_neither_socket(room, client, lti):
    token, attempt = room.student("s1")
    elsewhere = Course(client, lti, context_id="course-2", link="link-2")
    page = room.page("/ws/student")
    page.send(type="hello", token=elsewhere.student("s1"), attempt_id=attempt["id"])
    assert page.closed_with() == CLOSE_FORBIDDEN
    dashboard = room.dashboard(elsewhere.maker)
    assert dashboard.closed_with() == CLOSE_FORBIDDEN


def test_a_proctor_of_one_exam_cannot_see_or_act_on_another(room):
    other_exam = room.course.exam(questions=1, link="link-2")
    room.student("s1")
    elsewhere = start(room.course, other_exam, room.course.student("s2", link="link-2"))
    proctor = room.proctor_token()  # listed for room.exam only
    refused = room.page("/ws/proctor")
    refused.send(type="hello", token=proctor, exam_id=other_exam["id"])
    assert refused.closed_with() == CLOSE_FORBIDDEN
    dashboard = room.dashboard(proctor)
    dashboard.next("roster")
    for command in ({"type": "warn", "text": "x"}, {"type": "pause"}, {"type": "note", "text": "x"},
                    {"type": "terminate", "reason": "x"}, {"type": "extend", "minutes": 5}):
        dashboard.send(attempt_id=elsewhere["id"], **command)
        assert dashboard.next("error")["code"] == "not_found"
    assert _events() == 0
    assert room.attempt_row(elsewhere).status == "in_progress"


def _get(room, path, token):
    return room.course.client.get(path, headers={"Authorization": f"Bearer {token}"})


def test_the_review_endpoints_are_for_the_exams_proctors_only(room, client, lti):
    token, attempt = room.student("s1")
    exam_id = room.exam["id"]
    timeline = f"/api/exams/{exam_id}/attempts/{attempt['id']}/timeline"
    report = f"/api/exams/{exam_id}/irregularities.csv"
    for path in (timeline, report):
        assert _get(room, path, token).status_code == 403  # a student
        assert _get(room, path, room.proctor_token("other@example.edu", listed=False)).status_code == 403
        assert _get(room, path, Course(client, lti, context_id="course-2", link="link-2").maker).status_code == 404
        assert _get(room, path, room.proctor_token()).status_code == 200
        assert _get(room, path, room.course.maker).status_code == 200
    other_exam = room.course.exam(questions=1, link="link-2")
    foreign = f"/api/exams/{other_exam['id']}/attempts/{attempt['id']}/timeline"
    assert _get(room, foreign, room.course.maker).status_code == 404


def test_violation_counts_for_the_marks_table(room):
    token, attempt = room.student("s1")
    page = room.student_page(token, attempt)
    for n, kind in enumerate(("copy", "copy", "paste")):
        page.send(type="violation", kind=kind, client_time=time.time() * 1000, id=f"v-{n}")
        page.next("ack", id=f"v-{n}")
    path = f"/api/exams/{room.exam['id']}/violation-counts"
    assert _get(room, path, room.course.maker).json == {"attempts": {str(attempt["id"]): {"copy": 2, "paste": 1}}}
    assert _get(room, path, token).status_code == 403
