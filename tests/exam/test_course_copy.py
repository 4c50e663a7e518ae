"""Term rollover: an LMS copies a course into a new one and each link keeps its custom exam_id, which names an
exam of the old course. The link runs nothing until a test maker who may copies that exam into the new course;
a student of the new course never reaches the old exam."""

import io
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from PIL import Image
from sqlalchemy import func, select

from lti_tool.content import images
from lti_tool.db import db
from lti_tool.exam import copies
from lti_tool.exam.models import Exam
from tests.lti_platform import INSTRUCTOR, LEARNER, TEACHING_ASSISTANT

OLD, NEW = "course-2025", "course-2026"
TA = (INSTRUCTOR, TEACHING_ASSISTANT)
CAMERA = {"policy": "required", "face_checks": False, "snapshot_interval_seconds": 30, "snapshot_width": 480,
          "retention_days": 90, "screen_share": True}
SETTINGS = {"instructions": "No notes.", "duration_minutes": 45, "shuffle_questions": True, "attempts_allowed": 2,
            "pass_mark": 60.0, "partial_credit": True}
OFFER = "/api/exams/current/copy-offer"
ACCEPT = "/api/exams/current/copy-offer/accept"


class Term:
    """A course of the test platform, with people launched into it from one link."""

    def __init__(self, client, lti, context_id, link):
        self.client, self.lti, self.context_id, self.link = client, lti, context_id, link
        self.maker = self.exam = None  # the old course's test maker and exam, once made

    def token(self, sub, roles=(LEARNER,), link=None):
        return self.lti.token_for(roles, sub=sub, context_id=self.context_id,
                                  resource_link_id=link or self.link)["token"]

    def call(self, method, path, token, **kwargs):
        return self.client.open(path, method=method, headers={"Authorization": f"Bearer {token}"}, **kwargs)


@pytest.fixture
def platform(lti):
    """The test platform, with the tool registered asking for the context history (as it does)."""
    lti.platform.tool_custom = {"context_history": "$Context.id.history"}
    return lti.platform


@pytest.fixture
def old(client, lti, platform):
    """Last term's course: an exam with questions, settings, camera settings and two proctors (one who teaches
    on in the new term, one who does not), taken by a student, on link `quiz`."""
    term = Term(client, lti, OLD, "quiz")
    maker = term.token("teacher-1", (INSTRUCTOR,))
    exam = term.call("POST", "/api/exams", maker, json={"title": "Midterm", **SETTINGS}).json
    for n in (1, 2):
        added = term.call("POST", f"/api/exams/{exam['id']}/questions", maker, json={
            "type": "single", "text": f"Question {n}", "points": n,
            "options": [{"text": "right", "correct": True}, {"text": "wrong", "correct": False}]})
        assert added.status_code == 201, added.json
    assert term.call("PUT", f"/api/exams/{exam['id']}/camera/settings", maker, json=CAMERA).status_code == 200
    proctors = [term.call("GET", "/api/session", term.token(sub, TA)).json["user"]["id"]
                for sub in ("ta-stays", "ta-leaves")]
    listed = term.call("PUT", f"/api/exams/{exam['id']}/proctors", maker, json={"user_ids": proctors})
    assert listed.status_code == 200, listed.json
    assert term.call("POST", f"/api/exams/{exam['id']}/bind", maker).status_code == 204
    assert term.call("POST", f"/api/exams/{exam['id']}/publish", maker).status_code == 200
    platform.place_link(OLD, "quiz", {"exam_id": str(exam["id"])})
    student = term.token("old-student")
    # The camera is required: the notice is agreed to (in the pre-exam check) before the attempt starts.
    assert term.call("POST", f"/api/exams/{exam['id']}/camera/consent", student).status_code == 200
    assert term.call("POST", f"/api/exams/{exam['id']}/attempts", student).status_code == 200
    term.exam = term.call("GET", f"/api/exams/{exam['id']}", maker).json
    term.maker = maker
    return term


def copy_into_new(client, lti, platform):
    """The LMS copies the old course; returns the new course with its copied link."""
    renamed = platform.copy_course(OLD, NEW)
    return Term(client, lti, NEW, renamed["quiz"])


def copies_of(exam_id):
    return db.session.scalar(select(func.count(Exam.id)).where(Exam.copied_from_exam_id == exam_id))


def test_a_teacher_of_both_courses_copies_the_exam_into_the_new_term(client, lti, platform, old):
    platform.set_moodle_shape()  # Moodle's backup and restore: no context history
    new = copy_into_new(client, lti, platform)
    student = new.token("new-student")
    assert new.call("GET", "/api/exams/current", student).json == {"exam": None}  # "not set up yet"
    new.token("ta-stays", TA)  # teaches on; ta-leaves is not in the new course

    maker = new.token("teacher-1", (INSTRUCTOR,))
    offer = new.call("GET", OFFER, maker).json["offer"]
    assert offer == {"allowed": True, "exam": {"title": "Midterm", "questions": 2, "course": f"Course {OLD}"}}
    accepted = new.call("POST", ACCEPT, maker)
    assert accepted.status_code == 200, accepted.json
    copy = accepted.json

    assert copy["id"] != old.exam["id"] and copy["title"] == "Midterm"
    assert copy["settings"] == old.exam["settings"]
    assert [(q["text"], q["points"], [(o["text"], o["correct"]) for o in q["options"]])
            for q in copy["question_list"]] == [
        (q["text"], q["points"], [(o["text"], o["correct"]) for o in q["options"]]) for q in old.exam["question_list"]]
    assert {q["id"] for q in copy["question_list"]}.isdisjoint(q["id"] for q in old.exam["question_list"])
    assert [p["name"] for p in copy["proctors"]] == ["Name of ta-stays"]
    assert new.call("GET", f"/api/exams/{copy['id']}/camera/settings", maker).json == CAMERA
    assert copy["has_attempts"] is False
    marks = new.call("GET", f"/api/exams/{copy['id']}/marks", maker).json["students"]
    assert [(row["name"], row["status"]) for row in marks] == [("Name of new-student", "not_started")]
    actions = [e["action"] for e in new.call("GET", f"/api/exams/{copy['id']}/audit", maker).json["entries"]]
    assert actions == ["exam.copied"]
    old_audit = old.call("GET", f"/api/exams/{old.exam['id']}/audit", old.maker).json["entries"]
    assert [e["data"] for e in old_audit if e["action"] == "exam.copied_out"] == [
        {"to_exam": copy["id"], "to_course": copy_course_id(new, maker)}]

    assert new.call("GET", OFFER, maker).json == {"offer": None}
    assert new.call("GET", "/api/exams/current", maker).json["exam"]["id"] == copy["id"]
    # The copy is a draft until its test maker publishes it in the new course.
    assert copy["published"] is False
    assert new.call("GET", "/api/exams/current", student).json == {"exam": None,
                                                                   "message": "This exam is not open yet."}
    assert new.call("POST", f"/api/exams/{copy['id']}/attempts", student).status_code == 409
    assert new.call("POST", f"/api/exams/{copy['id']}/publish", maker).status_code == 200
    assert new.call("GET", "/api/exams/current", student).json["exam"]["id"] == copy["id"]
    assert new.call("POST", f"/api/exams/{copy['id']}/camera/consent", student).status_code == 200
    assert new.call("POST", f"/api/exams/{copy['id']}/attempts", student).status_code == 200


def copy_course_id(term, token):
    return term.call("GET", "/api/session", token).json["course"]["id"]


def test_without_a_history_a_teacher_of_only_the_new_course_is_told_why_there_is_no_copy(client, lti, platform,
                                                                                         old):
    platform.set_moodle_shape()
    new = copy_into_new(client, lti, platform)
    maker = new.token("teacher-new", (INSTRUCTOR,))
    offer = new.call("GET", OFFER, maker).json["offer"]
    assert offer["allowed"] is False and "exam" not in offer
    assert "only a test maker of that course" in offer["reason"] and "Select content" in offer["hint"]
    refused = new.call("POST", ACCEPT, maker)
    assert refused.status_code == 403 and "Select content" in refused.json["error"]["hint"]
    assert copies_of(old.exam["id"]) == 0
    assert new.call("GET", "/api/exams/current", new.token("new-student")).json == {"exam": None}


def test_a_canvas_history_naming_the_old_course_lets_a_teacher_of_only_the_new_course_copy(client, lti, platform,
                                                                                          old):
    platform.context_histories = {}
    new = copy_into_new(client, lti, platform)
    maker = new.token("teacher-new", (INSTRUCTOR,))
    assert new.call("GET", OFFER, maker).json["offer"]["allowed"] is True
    copy = new.call("POST", ACCEPT, maker).json
    assert copy["title"] == "Midterm" and len(copy["question_list"]) == 2
    assert new.call("GET", "/api/exams/current", maker).json["exam"]["id"] == copy["id"]


def test_a_history_not_naming_the_old_course_refuses_even_a_teacher_of_both(client, lti, platform, old):
    platform.context_histories = {}
    new = copy_into_new(client, lti, platform)
    platform.context_histories[NEW] = ["course-2019"]
    maker = new.token("teacher-1", (INSTRUCTOR,))
    offer = new.call("GET", OFFER, maker).json["offer"]
    assert offer["allowed"] is False and "not copied from that course" in offer["reason"]
    assert new.call("POST", ACCEPT, maker).status_code == 403
    assert copies_of(old.exam["id"]) == 0


def test_a_student_of_the_new_course_never_reaches_the_old_exam(client, lti, platform, old):
    new = copy_into_new(client, lti, platform)
    student = new.token("new-student")
    assert new.call("GET", "/api/session", student).json["resource_link"]["exam_id"] is None
    assert new.call("GET", "/api/exams/current", student).json == {"exam": None}
    assert new.call("GET", OFFER, student).status_code == 403
    assert new.call("POST", ACCEPT, student).status_code == 403
    assert new.call("POST", f"/api/exams/{old.exam['id']}/attempts", student).status_code == 404
    assert copies_of(old.exam["id"]) == 0
    maker = new.token("teacher-1", (INSTRUCTOR,))
    copy = new.call("POST", ACCEPT, maker).json
    assert new.call("POST", f"/api/exams/{copy['id']}/publish", maker).status_code == 200
    assert new.call("POST", f"/api/exams/{old.exam['id']}/attempts", student).status_code == 404
    assert new.call("GET", "/api/exams/current", student).json["exam"]["id"] != old.exam["id"]


def test_accepting_twice_makes_one_copy_and_another_link_to_the_same_exam_shares_it(client, lti, platform, old):
    platform.place_link(OLD, "quiz-again", {"exam_id": str(old.exam["id"])})
    renamed = platform.copy_course(OLD, NEW)
    new = Term(client, lti, NEW, renamed["quiz"])
    maker = new.token("teacher-1", (INSTRUCTOR,))
    first = new.call("POST", ACCEPT, maker)
    second = new.call("POST", ACCEPT, maker)
    assert first.status_code == second.status_code == 200
    assert first.json["id"] == second.json["id"]
    other = new.token("teacher-1", (INSTRUCTOR,), link=renamed["quiz-again"])
    assert new.call("GET", OFFER, other).json["offer"]["allowed"] is True
    assert new.call("POST", ACCEPT, other).json["id"] == first.json["id"]
    assert copies_of(old.exam["id"]) == 1


def test_two_accepts_at_once_make_one_copy(app, client, lti, platform, old, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite lets one writer at a time, so two accepts cannot overlap there")
    new = copy_into_new(client, lti, platform)
    maker = new.token("teacher-1", (INSTRUCTOR,))
    both_copying = threading.Barrier(2, timeout=10)

    def wait_for_the_other(source, *, copy):
        both_copying.wait()  # each request has made its copy; both now try to bind the link

    def accept(_):
        return app.test_client().post(ACCEPT, headers={"Authorization": f"Bearer {maker}"})

    copies.copied.connect(wait_for_the_other)
    try:
        with ThreadPoolExecutor(2) as pool:
            first, second = pool.map(accept, range(2))
    finally:
        copies.copied.disconnect(wait_for_the_other)
    assert first.status_code == second.status_code == 200, (first.json, second.json)
    assert first.json["id"] == second.json["id"]
    assert copies_of(old.exam["id"]) == 1


def test_a_link_that_runs_an_exam_of_its_course_offers_nothing(client, lti, platform, old):
    new = copy_into_new(client, lti, platform)
    maker = new.token("teacher-1", (INSTRUCTOR,))
    own = new.call("POST", "/api/exams", maker, json={"title": "New term quiz"}).json
    assert new.call("POST", f"/api/exams/{own['id']}/bind", maker).status_code == 204
    assert new.call("GET", OFFER, maker).json == {"offer": None}
    assert new.call("POST", ACCEPT, maker).status_code == 409
    assert copies_of(old.exam["id"]) == 0


def test_a_copied_question_shows_a_copy_of_its_picture_in_the_new_course(client, lti, platform, old):
    picture = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 90, 200)).save(picture, "PNG")
    src = old.call("POST", "/api/content/images", old.maker, content_type="multipart/form-data",
                   data={"file": (io.BytesIO(picture.getvalue()), "map.png")}).json["src"]
    # The old exam has been taken, so a new exam on a link of its own holds the question.
    draft = old.call("POST", "/api/exams", old.maker, json={"title": "With a map"}).json
    added = old.call("POST", f"/api/exams/{draft['id']}/questions", old.maker, json={
        "type": "single", "format": "html", "text": f'<p>Which sea?</p><img src="{src}" alt="A blue map">',
        "options": [{"text": "North", "correct": True}, {"text": "South", "correct": False}]})
    assert added.status_code == 201, added.json
    maps_maker = old.token("teacher-1", (INSTRUCTOR,), link="maps")
    assert old.call("POST", f"/api/exams/{draft['id']}/bind", maps_maker).status_code == 204
    platform.place_link(OLD, "maps", {"exam_id": str(draft["id"])})
    platform.set_moodle_shape()
    new = Term(client, lti, NEW, platform.copy_course(OLD, NEW)["maps"])
    maker = new.token("teacher-1", (INSTRUCTOR,))
    copy = new.call("POST", ACCEPT, maker)
    assert copy.status_code == 200, copy.json
    [question] = copy.json["question_list"]
    [copied_src] = re.findall(r'src="(/content/images/\d+)', question["text"])
    assert copied_src != src
    with client.application.app_context():
        course_id = db.session.scalar(select(Exam.course_id).filter_by(id=copy.json["id"]))
        assert images.of_course(course_id, [int(copied_src.rsplit("/", 1)[1])])
    [address] = re.findall(r'<img src="([^"]+)"', question["html"])
    assert client.get(address.replace("&amp;", "&")).status_code == 200
