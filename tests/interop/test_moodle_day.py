"""A school's day with Moodle 4.3, end to end, against the test platform in Moodle's shape (issue 12): the admin
registers the tool with a one-time link, the teacher adds the exam with Select content, makes the non-editing
teacher a proctor only, who then proctors for longer than one launch token lasts; a student's two attempts are
graded by the highest; the course is copied into the next term and the teacher copies the exam into it."""

from sqlalchemy import select

from lti_tool.db import db
from lti_tool.exam.models import Attempt
from lti_tool.identity.models import User
from lti_tool.launch import passback
from lti_tool.realtime.sockets import CLOSE_UNAUTHENTICATED
from tests.conftest import LtiLaunch
from tests.exam.conftest import right_option, wrong_option
from tests.launch.test_deep_linking import SETTINGS, decode_response
from tests.launch.test_registration import new_link, register
from tests.lti_platform import MOODLE_ROLES
from tests.proctor.conftest import Page, server  # noqa: F401 (server is a fixture)

COURSE, NEXT_TERM = "moodle-course-7", "moodle-course-19"
LINK = "cm-42"


class Moodle:
    """The people of the day, launching through the registered Moodle as its browser would."""

    def __init__(self, client, platform):
        self.client = client
        self.lti = LtiLaunch(client, platform)
        self.platform = platform

    def launch(self, who, role, *, course=COURSE, link=LINK, **claims):
        """The launch Moodle signs for this person's role (a link's custom parameters are the platform's)."""
        return self.lti.token_for(MOODLE_ROLES[role], sub=who, context_id=course, resource_link_id=link,
                                  **claims)["token"]

    def call(self, method, path, token, **kwargs):
        return self.client.open(path, method=method, headers={"Authorization": f"Bearer {token}"}, **kwargs)


def _user_id(sub):
    return db.session.scalar(select(User.id).filter_by(sub=sub))


def _answer(moodle, attempt, token, right):
    for n, question in enumerate(attempt["questions"]):
        option = right_option(question) if n < right else wrong_option(question)
        saved = moodle.call("PUT", f"/api/attempts/{attempt['id']}/answers/{question['id']}", token,
                            json={"option_ids": [option]})
        assert saved.status_code == 200, saved.json


def test_a_moodle_day(app, client, test_platform, server):  # noqa: F811 (server is the fixture)
    test_platform.set_moodle_shape()
    moodle = Moodle(client, test_platform)

    # The admin registers the tool with the one-time link the tool's admin made.
    assert register(client, test_platform, new_link()).status_code == 200
    test_platform.tool_jwks = client.get("/lti/jwks").json

    # The teacher adds the exam with Select content; Moodle stores the link's custom exam_id.
    picker = moodle.launch("mrs-day", "editingteacher", message_type="LtiDeepLinkingRequest",
                           deep_linking=SETTINGS)
    answer = moodle.call("POST", "/api/deep-link", picker, json={"title": "Midterm"}).json
    [item] = decode_response(client, moodle.lti, answer)["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    exam_id = int(item["custom"]["exam_id"])
    test_platform.place_link(COURSE, LINK, item["custom"])
    teacher = moodle.launch("mrs-day", "editingteacher")
    for n in range(4):
        added = moodle.call("POST", f"/api/exams/{exam_id}/questions", teacher, json={
            "type": "single", "text": f"Question {n + 1}", "points": 1,
            "options": [{"text": "right", "correct": True}, {"text": "wrong", "correct": False}]})
        assert added.status_code == 201, added.json
    settings = moodle.call("PATCH", f"/api/exams/{exam_id}", teacher,
                           json={"attempts_allowed": 2, "grading_method": "highest"})
    assert settings.status_code == 200, settings.json
    assert moodle.call("POST", f"/api/exams/{exam_id}/publish", teacher).status_code == 200

    # A student's first attempt: all right, submitted, in Moodle's gradebook.
    student = moodle.launch("s-1", "student")
    first = moodle.call("POST", f"/api/exams/{exam_id}/attempts", student).json
    _answer(moodle, first, student, right=4)
    assert moodle.call("POST", f"/api/attempts/{first['id']}/submit", student).status_code == 200
    assert passback.send_due()["sent"] == 1

    # The non-editing teacher arrives as Instructor; Moodle's roster lists them as Learner. The teacher makes
    # them a proctor only and lists them on the exam: their next launch proctors, and edits nothing.
    assert moodle.launch("mr-ne", "teacher")
    test_platform.set_moodle_roster([("mrs-day", "editingteacher"), ("mr-ne", "teacher"), ("s-1", "student")])
    assert moodle.call("POST", "/api/course/roster/refresh", teacher).status_code == 200
    proctor_id = _user_id("mr-ne")
    made = moodle.call("PUT", f"/api/course/team/{proctor_id}", teacher, json={"proctor_only": True})
    assert made.status_code == 200, made.json
    listed = moodle.call("PUT", f"/api/exams/{exam_id}/proctors", teacher, json={"user_ids": [proctor_id]})
    assert listed.status_code == 200, listed.json

    # Their launch token lasts 3 s here (15 minutes by default); the live room outlives it.
    token_ttl, app.config["LAUNCH_TOKEN_TTL"] = app.config["LAUNCH_TOKEN_TTL"], 3
    proctor = moodle.launch("mr-ne", "teacher")
    app.config["LAUNCH_TOKEN_TTL"] = token_ttl
    assert moodle.call("POST", "/api/exams", proctor, json={"title": "Not mine"}).status_code == 403
    outlived = Page(server + "/ws/proctor")  # keeps the launch's token: closed when it runs out
    outlived.send(type="hello", token=proctor, exam_id=exam_id)
    outlived.next("hello")
    room = Page(server + "/ws/proctor")
    room.send(type="hello", token=proctor, exam_id=exam_id)
    room.next("hello")
    fresh = moodle.call("POST", "/api/session/refresh", proctor)
    assert fresh.status_code == 200, fresh.json
    room.send(type="hello", token=fresh.json["token"], exam_id=exam_id)
    room.next("hello")
    assert outlived.closed_with(timeout=10) == CLOSE_UNAUTHENTICATED

    # The second attempt: one right of four, closed by the proctor past the first token's lifetime.
    second = moodle.call("POST", f"/api/exams/{exam_id}/attempts", student).json
    assert second["number"] == 2
    _answer(moodle, second, student, right=1)
    room.send(type="terminate", attempt_id=second["id"], reason="Phone on the desk.")
    room.next("ack", action="terminate")
    room.close()
    outlived.close()
    passback.send_due()
    latest = [s for s in test_platform.scores if s["userId"] == "s-1"][-1]
    assert (latest["scoreGiven"], latest["scoreMaximum"]) == (4.0, 4.0)
    marks = moodle.call("GET", f"/api/exams/{exam_id}/marks", teacher).json
    [row] = marks["students"]
    assert [(a["attempt"], a["counts_toward_grade"]) for a in row["attempts"]] == [(1, True), (2, False)]

    # Next term: Moodle restores the course into a new one; the link keeps its exam_id.
    copied_link = test_platform.copy_course(COURSE, NEXT_TERM)[LINK]
    newcomer = moodle.launch("s-2", "student", course=NEXT_TERM, link=copied_link)
    assert moodle.call("GET", "/api/exams/current", newcomer).json["exam"] is None
    next_teacher = moodle.launch("mrs-day", "editingteacher", course=NEXT_TERM, link=copied_link)
    offer = moodle.call("GET", "/api/exams/current/copy-offer", next_teacher).json
    assert (offer["offer"]["allowed"], offer["offer"]["exam"]["title"]) == (True, "Midterm")
    accepted = moodle.call("POST", "/api/exams/current/copy-offer/accept", next_teacher)
    assert accepted.status_code == 200, accepted.json
    copy_id = accepted.json["id"]
    assert copy_id != exam_id
    # The copy is a draft until the teacher has checked it and publishes it for the new term.
    assert moodle.call("POST", f"/api/exams/{copy_id}/publish", next_teacher).status_code == 200
    newcomer = moodle.launch("s-2", "student", course=NEXT_TERM, link=copied_link)
    current = moodle.call("GET", "/api/exams/current", newcomer).json["exam"]
    assert current["id"] == copy_id
    assert moodle.call("GET", f"/api/exams/{exam_id}", newcomer).status_code == 403
    assert db.session.scalars(select(Attempt).filter_by(exam_id=copy_id)).all() == []
