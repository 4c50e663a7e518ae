"""An exam's proctors are people of the course, picked from its roster and listed by user (an address only finds
the person), at most MAX_PROCTORS of them; a test maker, or anyone listed (whatever the LMS role), may proctor, and
a listed person does not take the exam."""

import pytest
from sqlalchemy import select

from lti_tool.audit import AuditEntry
from lti_tool.db import db
from lti_tool.exam import proctors, roster
from lti_tool.exam.models import Exam
from lti_tool.identity import access
from lti_tool.identity import services as identity
from lti_tool.identity.models import Course as CourseRow
from tests.exam.test_attempts import start
from tests.lti_platform import INSTRUCTOR, LEARNER, TEACHING_ASSISTANT

TA = (INSTRUCTOR, TEACHING_ASSISTANT)


def user_id(course, token):
    return course.call("GET", "/api/session", token).json["user"]["id"]


def put(course, exam, **body):
    return course.call("PUT", f"/api/exams/{exam['id']}/proctors", json=body)


def test_an_address_finds_the_one_person_who_has_it(course, lti):
    exam = course.exam(questions=1)
    ta = lti.token_for(TA, sub="ta", email="TA@Example.edu")["token"]
    saved = put(course, exam, emails=[" ta@example.edu", "TA@EXAMPLE.EDU"])
    assert saved.status_code == 200, saved.json
    assert saved.json == {"proctors": [{"user_id": user_id(course, ta), "name": "Name of ta",
                                        "email": "TA@Example.edu"}]}
    detail = course.call("GET", f"/api/exams/{exam['id']}").json
    assert [p["user_id"] for p in detail["proctors"]] == [user_id(course, ta)]


def test_an_address_nobody_or_several_people_have_is_refused(course, lti):
    exam = course.exam(questions=1)
    lti.token_for(TA, sub="ta", email="ta@example.edu")
    lti.token_for(TA, sub="ta-again", email="ta@example.edu")
    for emails, said in ((["nobody@example.edu"], "nobody in this course has the address nobody@example.edu"),
                         (["ta@example.edu"], "several people of this course have the address ta@example.edu"),
                         (["not-an-email"], "Not email addresses"),
                         (["x" * 320 + "@example.edu"], "Not email addresses"),
                         (["ta\x00@example.edu"], '"emails[0]" contains a NUL character')):
        refused = put(course, exam, emails=emails)
        assert refused.status_code == 400, emails
        assert said in refused.json["error"]["message"]
    assert proctors.listed(db.session.get(Exam, exam["id"])) == []


def test_a_second_account_with_the_listed_address_cannot_proctor(course, lti):
    """The review's finding: a second Proctor account with the named proctor's email read their timeline."""
    exam = course.exam(questions=1)
    listed = lti.token_for(TA, sub="ta", email="ta@example.edu")["token"]
    twin = lti.token_for(TA, sub="ta-twin", email="ta@example.edu")["token"]
    assert put(course, exam, user_ids=[user_id(course, listed)]).status_code == 200
    attempt = start(course, exam, course.student())
    timeline = f"/api/exams/{exam['id']}/attempts/{attempt['id']}/timeline"
    assert course.call("GET", timeline, listed).status_code == 200
    assert course.call("GET", timeline, twin).status_code == 403


def test_who_may_proctor_an_exam(course, lti):
    made = course.exam(questions=1)
    listed_ta = lti.token_for(TA, sub="ta", email="ta@example.edu")["token"]
    other_ta = lti.token_for(TA, sub="ta2", email="ta2@example.edu")["token"]
    student = lti.token_for((LEARNER,), sub="sneaky", email="sneaky@example.edu")["token"]
    assert put(course, made, user_ids=[user_id(course, listed_ta), user_id(course, student)]).status_code == 200
    exam = db.session.get(Exam, made["id"])
    assert proctors.can_proctor(exam, access.verify_token(course.maker)) is True
    assert proctors.can_proctor(exam, access.verify_token(listed_ta)) is True
    assert proctors.can_proctor(exam, access.verify_token(other_ta)) is False
    # Listed, though the LMS sends them as Learner (a school that takes mod/lti:manage away from invigilators).
    assert proctors.can_proctor(exam, access.verify_token(student)) is True


def test_people_of_another_course_cannot_be_listed(course, lti):
    exam = course.exam(questions=1)
    elsewhere = lti.token_for(TA, sub="ta-b", context_id="course-b", email="b@example.edu")["token"]
    refused = put(course, exam, user_ids=[user_id(course, elsewhere)])
    assert refused.status_code == 400 and "Not people of this course" in refused.json["error"]["message"]
    refused = put(course, exam, emails=["b@example.edu"])
    assert refused.status_code == 400 and "nobody in this course" in refused.json["error"]["message"]


@pytest.mark.parametrize("body", [
    {"emails": [f"p{i}@example.edu" for i in range(50_000)]},
    {"user_ids": list(range(1, proctors.MAX_PROCTORS + 2))},
])
def test_a_list_longer_than_the_cap_is_refused(course, body):
    exam = course.exam(questions=1)
    refused = put(course, exam, **body)
    assert refused.status_code == 400
    assert f"at most {proctors.MAX_PROCTORS} proctors" in refused.json["error"]["message"]


@pytest.mark.parametrize("body", [{"emails": "ta@example.edu"}, {"user_ids": ["1"]}, {"user_ids": [True]}])
def test_a_list_of_the_wrong_shape_is_refused(course, body):
    refused = put(course, course.exam(questions=1), **body)
    assert refused.status_code == 400 and "must be a list" in refused.json["error"]["message"]


def test_each_change_is_audited_with_who_came_and_went(course, lti):
    exam = course.exam(questions=1)
    first = user_id(course, lti.token_for(TA, sub="ta1", email="ta1@example.edu")["token"])
    second = user_id(course, lti.token_for(TA, sub="ta2", email="ta2@example.edu")["token"])
    put(course, exam, user_ids=[first])
    put(course, exam, user_ids=[second])
    put(course, exam, user_ids=[])
    rows = db.session.scalars(select(AuditEntry).filter_by(action="proctors.set").order_by(AuditEntry.id)).all()
    assert [(r.data["added"], r.data["removed"]) for r in rows] == [([first], []), ([second], [first]),
                                                                     ([], [second])]


def candidates(course, exam, query, token=None):
    response = course.call("GET", f"/api/exams/{exam['id']}/proctor-candidates", token, query_string={"q": query})
    assert response.status_code == 200, response.json
    return [person["name"] for person in response.json["candidates"]]


def test_candidates_are_the_course_people_matching_every_word_a_page_at_most(course, lti):
    exam = course.exam(questions=1)
    lti.token_for((LEARNER,), sub="ada-lovelace", email="ada@uni.example")
    lti.token_for(TA, sub="grace-hopper", email="grace@uni.example")
    lti.token_for((LEARNER,), sub="ada-elsewhere", context_id="course-2")
    assert candidates(course, exam, "ADA") == ["Name of ada-lovelace"]
    assert candidates(course, exam, "grace@uni") == ["Name of grace-hopper"]
    assert candidates(course, exam, "name lovelace") == ["Name of ada-lovelace"]
    assert candidates(course, exam, "%") == []
    assert candidates(course, exam, "") == ["Name of ada-lovelace", "Name of grace-hopper",
                                            "Name of teacher-course-1"]
    found = course.call("GET", f"/api/exams/{exam['id']}/proctor-candidates").json["candidates"]
    assert {p["name"]: p["roles"] for p in found}["Name of grace-hopper"] == ["proctor"]
    assert course.call("GET", f"/api/exams/{exam['id']}/proctor-candidates",
                       course.student("s-1")).status_code == 403


def test_a_search_answers_with_a_bounded_page_and_never_offers_who_left(course, app):
    exam = course.exam(questions=1)
    row = db.session.scalar(select(CourseRow))
    for n in range(proctors.MAX_CANDIDATES + 5):
        person = identity.upsert_user(row.platform_id, f"many-{n:02}", name=f"Many {n:02}")
        identity.set_membership(person, row, ["student"] if n else [], [LEARNER])
    db.session.commit()
    found = candidates(course, exam, "many")
    assert len(found) == proctors.MAX_CANDIDATES
    assert "Many 00" not in found and found[0] == "Many 01"


def test_a_listed_learner_is_no_student_of_that_exam_and_cannot_start_it(course, lti):
    exam = course.exam(questions=1)
    other = course.exam(questions=1, link="link-2")
    invigilator = course.student("invigilator")
    course.student("s-1")
    assert put(course, exam, user_ids=[user_id(course, invigilator)]).status_code == 200
    row = db.session.get(Exam, exam["id"])
    assert [user.display_name for user, _ in roster.students(row)] == ["Name of s-1"]
    assert roster.student_count(row) == 1
    assert roster.student_count(db.session.get(Exam, other["id"])) == 2
    refused = course.call("POST", f"/api/exams/{exam['id']}/attempts", invigilator)
    assert refused.status_code == 409
    assert "listed as a proctor of this exam" in refused.json["error"]["message"]
    marks = course.call("GET", f"/api/exams/{exam['id']}/marks").json
    assert [r["name"] for r in marks["students"]] == ["Name of s-1"]
    landing = lti.token_for((LEARNER,), sub="invigilator")["landing"]
    assert landing == "/proctor/"
