"""From a student's last click to the LMS gradebook: submit or deadline, finalize, outbox, AGS."""

from datetime import timedelta

from lti_tool.db import db, utcnow
from lti_tool.exam import attempts
from lti_tool.exam.models import Attempt
from lti_tool.launch import passback
from tests.exam.conftest import right_option


def test_a_submitted_attempt_reaches_the_gradebook_once(course, client, lti):
    lti.platform.tool_jwks = client.get("/lti/jwks").json
    exam = course.exam(questions=2)
    student = course.student("ada")
    attempt = course.call("POST", f"/api/exams/{exam['id']}/attempts", student).json
    first = attempt["questions"][0]
    course.call("PUT", f"/api/attempts/{attempt['id']}/answers/{first['id']}", student,
                json={"option_ids": [right_option(first)]})
    course.call("POST", f"/api/attempts/{attempt['id']}/submit", student)
    assert passback.send_due()["sent"] == 1
    assert passback.send_due()["claimed"] == 0
    [score] = lti.platform.scores
    assert (score["userId"], score["scoreGiven"], score["scoreMaximum"]) == ("ada", 1.0, 2.0)
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")


def test_an_abandoned_attempt_is_finalized_at_its_deadline_and_graded(course, client, lti, app):
    lti.platform.tool_jwks = client.get("/lti/jwks").json
    exam = course.exam(questions=1)
    student = course.student("bob")
    attempt = course.call("POST", f"/api/exams/{exam['id']}/attempts", student).json
    question = attempt["questions"][0]
    course.call("PUT", f"/api/attempts/{attempt['id']}/answers/{question['id']}", student,
                json={"option_ids": [right_option(question)]})
    row = db.session.get(Attempt, attempt["id"])
    deadline = utcnow() - timedelta(minutes=5)
    row.deadline = row.check_at = deadline
    db.session.commit()
    assert attempts.finalize_due(grace_seconds=app.config["ANSWER_GRACE_SECONDS"]) == 1
    db.session.expire_all()
    assert db.session.get(Attempt, attempt["id"]).finished_at == deadline
    passback.send_due()
    [score] = lti.platform.scores
    assert score["scoreGiven"] == 1.0
    assert score["timestamp"].startswith(deadline.replace(microsecond=0).isoformat()[:19])
