"""An exam's proctors are people of the course, listed by user (an address only finds the person), at most
MAX_PROCTORS of them; only a listed Proctor (or a test maker) may proctor."""

import pytest
from sqlalchemy import select

from lti_tool.audit import AuditEntry
from lti_tool.db import db
from lti_tool.exam import proctors
from lti_tool.exam.models import Exam
from lti_tool.identity import access
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
    assert [p["user_id"] for p in detail["proctor_candidates"]] == [user_id(course, ta)]


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
    # Listed, but the LMS gives them no proctor role in the course.
    assert proctors.can_proctor(exam, access.verify_token(student)) is False


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
