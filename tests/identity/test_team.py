"""The course team (issue 12 item 4): a test maker sets a person to Proctor only, so that Moodle's Instructor
launch of a non-editing teacher grants the Proctor role, not Test Maker; the flag outlives launches and roster
refreshes, takes authoring rights at once, never leaves a course without a test maker, and is audited."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from lti_tool.audit import AuditEntry
from lti_tool.db import db
from lti_tool.identity import team
from lti_tool.identity.models import Membership
from tests.exam.conftest import Course
from tests.lti_platform import LEARNER, MOODLE_ROLES


def user_id(course, token):
    return course.call("GET", "/api/session", token).json["user"]["id"]


def teacher_launch(lti, sub="non-editing"):
    return lti.token_for(MOODLE_ROLES["teacher"], sub=sub)


def set_proctor_only(course, person, value, token=None):
    return course.call("PUT", f"/api/course/team/{person}", token, json={"proctor_only": value})


def test_a_proctor_only_teachers_instructor_launch_grants_proctor_and_no_authoring(client, lti):
    course = Course(client, lti)
    exam = course.exam(questions=1)
    teacher = user_id(course, teacher_launch(lti)["token"])
    saved = set_proctor_only(course, teacher, True)
    assert saved.status_code == 200, saved.json
    assert (saved.json["roles"], saved.json["proctor_only"]) == (["proctor"], True)

    launched = teacher_launch(lti)
    token = launched["token"]
    assert launched["landing"] == "/proctor/"
    assert course.call("GET", "/api/session", token).json["roles"] == ["proctor"]
    exam_url = f"/api/exams/{exam['id']}"
    for method, path, body in (("POST", "/api/exams", {"title": "Mine"}), ("PATCH", exam_url, {"title": "X"}),
                               ("DELETE", exam_url, None), ("GET", f"{exam_url}/marks", None),
                               ("PUT", f"{exam_url}/accommodations/{teacher}", {"extra_minutes": 5}),
                               ("PUT", f"{exam_url}/proctors", {"user_ids": [teacher]}),
                               ("POST", f"{exam_url}/close", None), ("GET", "/api/course/team", None),
                               ("PUT", f"/api/course/team/{teacher}", {"proctor_only": False})):
        refused = course.call(method, path, token, json=body)
        assert refused.status_code == 403, (method, path)
    assert course.call("GET", exam_url).json["title"] == "Quiz"


def test_proctor_only_stays_through_later_launches_and_roster_refreshes(client, lti):
    course = Course(client, lti)
    teacher = user_id(course, teacher_launch(lti)["token"])
    set_proctor_only(course, teacher, True)
    teacher_launch(lti)
    lti.platform.tool_jwks = client.get("/lti/jwks").json
    lti.platform.set_moodle_roster([("teacher-course-1", "editingteacher"), ("non-editing", "teacher")])
    assert course.call("POST", "/api/course/roster/refresh").status_code == 200
    teacher_launch(lti)
    membership = db.session.scalar(select(Membership).filter_by(user_id=teacher))
    assert (membership.proctor_only, membership.roles) == (True, ["proctor"])
    launches = db.session.scalars(select(AuditEntry).filter_by(action="launch", actor_user_id=teacher)
                                  .order_by(AuditEntry.id)).all()
    assert [entry.data["roles"] for entry in launches] == [["test_maker"], ["proctor"], ["proctor"]]


def test_set_back_the_person_is_a_test_maker_again_at_once(client, lti):
    course = Course(client, lti)
    teacher = user_id(course, teacher_launch(lti)["token"])
    set_proctor_only(course, teacher, True)
    restored = set_proctor_only(course, teacher, False)
    assert (restored.json["roles"], restored.json["proctor_only"]) == (["test_maker"], False)
    token = teacher_launch(lti)["token"]
    assert course.call("POST", "/api/exams", token, json={"title": "Mine"}).status_code == 201


def test_an_open_page_loses_its_authoring_rights_at_once_and_cannot_refresh_them(client, lti):
    course = Course(client, lti)
    open_page = teacher_launch(lti)["token"]
    assert course.call("POST", "/api/exams", open_page, json={"title": "Before"}).status_code == 201
    set_proctor_only(course, user_id(course, open_page), True)
    assert course.call("POST", "/api/exams", open_page, json={"title": "After"}).status_code == 403
    refreshed = client.post("/api/session/refresh", headers={"Authorization": f"Bearer {open_page}"})
    assert refreshed.status_code == 403


def test_the_last_test_maker_cannot_make_themselves_proctor_only(client, lti):
    course = Course(client, lti)
    maker = user_id(course, course.maker)
    refused = set_proctor_only(course, maker, True)
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "last_test_maker"
    membership = db.session.scalar(select(Membership).filter_by(user_id=maker))
    assert (membership.proctor_only, membership.roles) == (False, ["test_maker"])
    assert db.session.scalar(select(AuditEntry).filter_by(action="membership.proctor_only")) is None

    teacher_launch(lti, sub="second-teacher")
    assert set_proctor_only(course, maker, True).status_code == 200


def test_two_test_makers_demoting_each_other_at_once_leave_one_test_maker(app, client, lti, database_url,
                                                                          monkeypatch):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite lets one writer at a time, so two demotions cannot overlap there")
    course = Course(client, lti)
    first = user_id(course, course.maker)
    second_token = teacher_launch(lti, sub="second-teacher")["token"]
    second = user_id(course, second_token)
    first_checked, second_done = threading.Event(), threading.Event()
    check = team._other_test_makers

    def slow_first_check(course_id, user_id):
        found = check(course_id, user_id)
        if user_id == first and not first_checked.is_set():
            first_checked.set()
            # Hold the first demotion between its check and its write while the second runs; with the course
            # locked the second waits for the first instead, and this wait runs out.
            second_done.wait(2)
        return found

    def demote(person, token):
        try:
            return app.test_client().put(f"/api/course/team/{person}", json={"proctor_only": True},
                                         headers={"Authorization": f"Bearer {token}"})
        finally:
            if person == second:
                second_done.set()

    monkeypatch.setattr(team, "_other_test_makers", slow_first_check)
    with ThreadPoolExecutor(2) as pool:
        demoting_first = pool.submit(demote, first, course.maker)
        assert first_checked.wait(10)
        demoting_second = pool.submit(demote, second, second_token)
        statuses = sorted([demoting_first.result(10).status_code, demoting_second.result(10).status_code])
    assert statuses == [200, 409]
    db.session.expire_all()
    assert sum("test_maker" in m.roles for m in db.session.scalars(select(Membership))) == 1


def test_the_team_lists_everyone_with_their_lms_and_tool_roles_for_test_makers_only(client, lti):
    course = Course(client, lti)
    student = course.student("s-1")
    teacher = user_id(course, teacher_launch(lti)["token"])
    set_proctor_only(course, teacher, True)
    team = course.call("GET", "/api/course/team").json
    assert team["me"] == user_id(course, course.maker)
    assert [(m["name"], m["lti_roles"], m["roles"], m["proctor_only"]) for m in team["members"]] == [
        ("Name of non-editing", list(MOODLE_ROLES["teacher"]), ["proctor"], True),
        ("Name of s-1", [LEARNER], ["student"], False),
        ("Name of teacher-course-1", list(MOODLE_ROLES["editingteacher"]), ["test_maker"], False),
    ]
    assert course.call("GET", "/api/course/team", student).status_code == 403
    assert set_proctor_only(course, teacher, False, student).status_code == 403
    assert client.get("/course/team").status_code == 200


def test_each_change_is_audited_and_a_bad_request_changes_nothing(client, lti):
    course = Course(client, lti)
    teacher = user_id(course, teacher_launch(lti)["token"])
    elsewhere = user_id(course, lti.token_for(MOODLE_ROLES["teacher"], sub="other", context_id="course-2")["token"])
    assert set_proctor_only(course, teacher, "yes").status_code == 400
    assert course.call("PUT", f"/api/course/team/{teacher}", json=[True]).status_code == 400
    assert set_proctor_only(course, elsewhere, True).status_code == 404
    set_proctor_only(course, teacher, True)
    set_proctor_only(course, teacher, False)
    rows = db.session.scalars(select(AuditEntry).filter_by(action="membership.proctor_only")
                              .order_by(AuditEntry.id)).all()
    maker = user_id(course, course.maker)
    assert [(r.actor_user_id, r.course_id is not None, r.data["user_id"], r.data["proctor_only"],
             r.data["roles_before"], r.data["roles"]) for r in rows] == [
        (maker, True, teacher, True, ["test_maker"], ["proctor"]),
        (maker, True, teacher, False, ["proctor"], ["test_maker"]),
    ]
