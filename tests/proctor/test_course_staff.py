"""The live room by the course's own staffing (issue 12 item 4): a Learner listed on an exam proctors that exam
and no other; a test maker set to Proctor only loses an open dashboard of an exam that does not list them."""

from lti_tool.realtime.sockets import CLOSE_FORBIDDEN
from tests.lti_platform import LEARNER, MOODLE_ROLES


def _user_id(room, token):
    return room.course.call("GET", "/api/session", token).json["user"]["id"]


def _refused_and_closed(page):
    assert page.next("error")["code"] == "forbidden"
    assert page.closed_with() == CLOSE_FORBIDDEN


def test_a_learner_listed_on_one_exam_gets_its_live_room_and_not_another(room):
    other = room.course.exam(questions=1, link="link-2")
    _, attempt = room.student("s-1")
    invigilator = room.lti.token_for((LEARNER,), sub="invigilator")["token"]
    refresh_roster = ("POST", "/api/course/roster/refresh", invigilator)
    assert room.course.call(*refresh_roster).status_code == 403
    listing = room.course.call("PUT", f"/api/exams/{room.exam['id']}/proctors",
                               json={"user_ids": [_user_id(room, invigilator)]})
    assert listing.status_code == 200, listing.json

    dashboard = room.dashboard(invigilator)
    assert [s["name"] for s in dashboard.next("roster")["students"]] == ["Name of s-1"]
    dashboard.send(type="note", attempt_id=attempt["id"], text="Calm start.")
    dashboard.next("ack", action="note")
    timeline = f"/api/exams/{room.exam['id']}/attempts/{attempt['id']}/timeline"
    assert room.course.call("GET", timeline, invigilator).status_code == 200
    room.lti.platform.tool_jwks = room.course.client.get("/lti/jwks").json
    room.lti.platform.set_moodle_roster([("s-1", "student"), ("invigilator", "student")])
    assert room.course.call(*refresh_roster).status_code == 200

    elsewhere = room.page("/ws/proctor")
    elsewhere.send(type="hello", token=invigilator, exam_id=other["id"])
    _refused_and_closed(elsewhere)
    assert room.course.call("GET", f"/api/exams/{other['id']}/camera", invigilator).status_code == 403


def test_a_test_maker_set_to_proctor_only_loses_an_open_dashboard_at_once(room):
    teacher = room.lti.token_for(MOODLE_ROLES["teacher"], sub="non-editing")["token"]
    dashboard = room.dashboard(teacher)
    dashboard.next("roster")
    set_to = room.course.call("PUT", f"/api/course/team/{_user_id(room, teacher)}", json={"proctor_only": True})
    assert set_to.status_code == 200, set_to.json
    _refused_and_closed(dashboard)
    refreshed = room.course.client.post("/api/session/refresh", headers={"Authorization": f"Bearer {teacher}"})
    assert refreshed.status_code == 403
