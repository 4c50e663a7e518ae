"""Rights lost while a socket is open (issue 19, items 4 and 13): a proctor taken off the exam's list, a test
maker demoted by a newer launch, a person the roster shows gone. Their open sockets close with 4403 at once,
on every worker; their acts, re-hellos and token refreshes are refused; nobody else's socket is touched."""

import time

import pytest
import requests
from sqlalchemy import delete, func, select

from lti_tool.db import db
from lti_tool.exam.models import ExamProctor
from lti_tool.proctor.models import ProctorEvent
from lti_tool.realtime.sockets import CLOSE_FORBIDDEN
from tests.exam.conftest import Course
from tests.exam.test_attempts import start
from tests.lti_platform import INSTRUCTOR, LEARNER, MOODLE_ROLES
from tests.proctor.conftest import TA, Page, two_hosts


def _ta(room, email):
    return room.lti.token_for((TA,), sub=f"ta-{email}", email=email)["token"]


def _list_proctors(room, *emails):
    response = room.course.call("PUT", f"/api/exams/{room.exam['id']}/proctors", json={"emails": list(emails)})
    assert response.status_code == 200, response.json


def _off_the_list_unannounced(room):
    """The list emptied in the database without the bus telling anyone: a message lost (Redis at most once)."""
    db.session.execute(delete(ExamProctor).filter_by(exam_id=room.exam["id"]))
    db.session.commit()


def _open_dashboard(room, token):
    dashboard = room.dashboard(token)
    dashboard.next("roster")
    return dashboard


def _refresh(room, token):
    return room.course.client.post("/api/session/refresh", headers={"Authorization": f"Bearer {token}"})


def _events():
    return db.session.scalar(select(func.count()).select_from(ProctorEvent))


def _refused_and_closed(page):
    assert page.next("error")["code"] == "forbidden"
    assert page.closed_with() == CLOSE_FORBIDDEN


def test_emptying_the_proctor_list_closes_the_proctors_open_dashboard_at_once(room):
    token, attempt = room.student()
    page = room.student_page(token, attempt)
    proctor = _ta(room, "ta@example.edu")
    _list_proctors(room, "ta@example.edu")
    dashboard = _open_dashboard(room, proctor)
    makers = _open_dashboard(room, room.course.maker)

    _list_proctors(room)

    _refused_and_closed(dashboard)
    # The test maker's dashboard and the student's page are untouched: an act still goes through to the page.
    makers.send(type="warn", attempt_id=attempt["id"], text="Still here.")
    makers.next("ack", action="warn")
    assert page.next("warn")["text"] == "Still here."


def test_only_the_proctor_taken_off_the_list_loses_the_dashboard(room):
    _, attempt = room.student()
    kept, removed = _ta(room, "kept@example.edu"), _ta(room, "removed@example.edu")
    _list_proctors(room, "kept@example.edu", "removed@example.edu")
    kept_dashboard = _open_dashboard(room, kept)
    removed_dashboard = _open_dashboard(room, removed)

    _list_proctors(room, "kept@example.edu")

    _refused_and_closed(removed_dashboard)
    kept_dashboard.send(type="note", attempt_id=attempt["id"], text="Calm so far.")
    assert kept_dashboard.next("ack", action="note")["attempt_id"] == attempt["id"]


def test_warn_and_note_are_refused_once_the_list_no_longer_names_the_proctor_even_if_no_close_came(room):
    _, attempt = room.student()
    proctor = _ta(room, "ta@example.edu")
    _list_proctors(room, "ta@example.edu")
    warning, noting = _open_dashboard(room, proctor), _open_dashboard(room, proctor)

    _off_the_list_unannounced(room)

    warning.send(type="warn", attempt_id=attempt["id"], text="Eyes on your screen.")
    _refused_and_closed(warning)
    noting.send(type="note", attempt_id=attempt["id"], text="Looked away twice.")
    _refused_and_closed(noting)
    assert _events() == 0


def test_a_re_hello_with_a_fresh_token_does_not_keep_a_removed_proctors_dashboard(room):
    proctor = _ta(room, "ta@example.edu")
    _list_proctors(room, "ta@example.edu")
    dashboard = _open_dashboard(room, proctor)

    _off_the_list_unannounced(room)
    fresh = _refresh(room, proctor)
    assert fresh.status_code == 200  # still a Proctor of the course, just not of this exam

    dashboard.send(type="hello", token=fresh.json["token"], exam_id=room.exam["id"])
    _refused_and_closed(dashboard)


def test_a_dashboard_whose_worker_missed_the_change_closes_after_the_bus_gap(room, app):
    proctor = _ta(room, "ta@example.edu")
    _list_proctors(room, "ta@example.edu")
    dashboard = _open_dashboard(room, proctor)
    makers = _open_dashboard(room, room.course.maker)

    _off_the_list_unannounced(room)
    app.extensions["bus"]._gap()  # what a Redis bus reports on resubscribing

    _refused_and_closed(dashboard)
    assert makers.next("roster")["exam"]["id"] == room.exam["id"]  # resynced, not closed


def test_a_test_maker_demoted_by_a_newer_launch_loses_the_dashboard_and_cannot_refresh_into_it(room):
    _, attempt = room.student()
    dashboard = _open_dashboard(room, room.course.maker)
    old_token = room.course.maker

    room.lti.token_for((LEARNER,), sub="teacher-course-1")  # the LMS now says: a Learner

    _refused_and_closed(dashboard)
    assert _refresh(room, old_token).status_code == 403
    # The old token has not run out yet, and still names the Test Maker role: it opens no dashboard.
    again = room.dashboard(old_token)
    _refused_and_closed(again)
    assert _events() == 0


def test_a_roster_refresh_showing_people_gone_closes_their_sockets_and_refuses_their_refresh(room, client, lti):
    gone_token, gone_attempt = room.student("s-gone")
    kept_token, kept_attempt = room.student("s-kept")
    gone_proctor, kept_proctor = _ta(room, "gone@example.edu"), _ta(room, "kept@example.edu")
    _list_proctors(room, "gone@example.edu", "kept@example.edu")
    gone_page = room.student_page(gone_token, gone_attempt)
    kept_page = room.student_page(kept_token, kept_attempt)
    gone_dashboard = _open_dashboard(room, gone_proctor)
    kept_dashboard = _open_dashboard(room, kept_proctor)
    makers = _open_dashboard(room, room.course.maker)
    lti.platform.tool_jwks = client.get("/lti/jwks").json
    lti.platform.members = [
        {"status": "Inactive", "user_id": "s-gone", "roles": [LEARNER]},
        {"status": "Inactive", "user_id": "ta-gone@example.edu", "roles": [TA]},
        {"status": "Active", "user_id": "s-kept", "roles": [LEARNER]},
        {"status": "Active", "user_id": "ta-kept@example.edu", "roles": [TA]},
        {"status": "Active", "user_id": "teacher-course-1", "roles": [INSTRUCTOR]},
    ]

    assert room.course.call("POST", "/api/course/roster/refresh").status_code == 200

    _refused_and_closed(gone_dashboard)
    _refused_and_closed(gone_page)
    assert _refresh(room, gone_proctor).status_code == 403
    assert _refresh(room, gone_token).status_code == 403
    # Everyone else's sockets are open and working.
    kept_dashboard.send(type="warn", attempt_id=kept_attempt["id"], text="Two minutes left.")
    kept_dashboard.next("ack", action="warn")
    assert kept_page.next("warn")["text"] == "Two minutes left."
    makers.send(type="note", attempt_id=gone_attempt["id"], text="Left the course mid-exam.")
    makers.next("ack", action="note")
    assert _refresh(room, kept_proctor).status_code == 200


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_close_reaches_a_dashboard_on_another_worker(client, lti, app, database_url, redis_url, tmp_path):
    course = Course(client, lti)
    exam = course.exam(questions=1)
    start(course, exam, course.student())
    proctor = lti.token_for((TA,), sub="ta-1", email="ta@example.edu")["token"]
    listed = course.call("PUT", f"/api/exams/{exam['id']}/proctors", json={"emails": ["ta@example.edu"]})
    assert listed.status_code == 200
    with two_hosts(app, database_url, {"REDIS_URL": redis_url}, tmp_path) as (host_a, host_b):
        dashboard = Page(f"ws://127.0.0.1:{host_b}/ws/proctor")
        makers = Page(f"ws://127.0.0.1:{host_b}/ws/proctor")
        try:
            dashboard.send(type="hello", token=proctor, exam_id=exam["id"])
            dashboard.next("roster")
            makers.send(type="hello", token=course.maker, exam_id=exam["id"])
            makers.next("roster")

            emptied = requests.put(f"http://127.0.0.1:{host_a}/api/exams/{exam['id']}/proctors",
                                   json={"emails": []}, headers={"Authorization": f"Bearer {course.maker}"},
                                   timeout=10)
            assert emptied.status_code == 200, emptied.text

            _refused_and_closed(dashboard)
            makers.send(type="announce", text="Ten minutes left.")
            makers.next("ack", action="announce")
        finally:
            dashboard.close()
            makers.close()


def test_a_proctor_still_listed_keeps_acting_after_the_list_changes(room):
    # The re-checks must not refuse a right that stands: the list rewritten with the same proctor.
    _, attempt = room.student()
    proctor = _ta(room, "ta@example.edu")
    _list_proctors(room, "ta@example.edu")
    dashboard = _open_dashboard(room, proctor)
    _ta(room, "other@example.edu")
    _list_proctors(room, "ta@example.edu", "other@example.edu")
    dashboard.send(type="pause", attempt_id=attempt["id"], reason="Checking the room.")
    assert dashboard.next("ack", action="pause")["attempt_id"] == attempt["id"]
    dashboard.send(type="hello", token=_refresh(room, proctor).json["token"], exam_id=room.exam["id"])
    assert dashboard.next("hello")["expires_at"] > time.time()


def test_a_teacher_the_moodle_roster_lists_as_learner_keeps_the_live_room_and_is_no_student(room, client, lti):
    """Issue 12 defect 1: Moodle launches a non-editing teacher as Instructor and lists them as Learner in NRPS.
    The roster refresh must not demote them: their dashboard stays open across a token refresh, and they are not
    counted as a student."""
    student_token, attempt = room.student("s-1")
    teacher = lti.token_for(MOODLE_ROLES["teacher"], sub="non-editing")["token"]
    dashboard = _open_dashboard(room, teacher)
    lti.platform.tool_jwks = client.get("/lti/jwks").json
    lti.platform.set_moodle_roster([("teacher-course-1", "editingteacher"), ("non-editing", "teacher"),
                                    ("s-1", "student")])
    assert room.course.call("POST", "/api/course/roster/refresh").json == {"listed": 3, "with_access": 3}

    fresh = _refresh(room, teacher)
    assert fresh.status_code == 200
    dashboard.send(type="hello", token=fresh.json["token"], exam_id=room.exam["id"])
    dashboard.next("hello")
    dashboard.send(type="note", attempt_id=attempt["id"], text="Calm start.")
    dashboard.next("ack", action="note")
    marks = room.course.call("GET", f"/api/exams/{room.exam['id']}/marks").json
    assert [row["name"] for row in marks["students"]] == ["Name of s-1"]
