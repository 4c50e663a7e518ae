"""Who gets which camera credentials: a student only a publisher token for their own uid and channel (no
parameter can ask for another), a proctor of another exam nothing; a refused upload stores nothing."""

from sqlalchemy import func, select

from lti_tool.db import db
from lti_tool.exam.models import Attempt
from lti_tool.proctor.camera.models import Snapshot
from tests.proctor.camera.test_camera import APP_CERT, APP_ID, call, camera_on, consent_and_start, snapshot, verify


def test_a_student_cannot_get_a_subscriber_token_or_one_for_another_uid_or_channel(course, app):
    app.config.update(AGORA_APP_ID=APP_ID, AGORA_APP_CERT=APP_CERT)
    exam = course.exam(questions=1)
    camera_on(course, exam)
    student = course.student()
    attempt = consent_and_start(course, exam, student)
    call(course, "POST", f"/api/attempts/{attempt['id']}/camera/consent", student)
    assert call(course, "GET", f"/api/exams/{exam['id']}/camera", student).status_code == 403
    asked = call(course, "POST", f"/api/attempts/{attempt['id']}/camera/token?uid=1&channel=other", student,
                 json={"uid": 1, "channel": "proctor-exam-999-0", "role": "subscriber"}).json
    own_uid = db.session.get(Attempt, attempt["id"]).user_id
    assert (asked["channel"], asked["uid"]) == (f"proctor-exam-{exam['id']}-0", own_uid)
    assert set(verify(asked["token"], asked["channel"], asked["uid"])) == {1, 2, 3, 4}


def test_a_proctor_not_listed_for_the_exam_gets_no_camera_access(course):
    exam = course.exam(questions=1)
    camera_on(course, exam)
    student = course.student()
    attempt = consent_and_start(course, exam, student)
    outsider = course.lti.token_for(
        ("http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",),
        sub="ta-outsider", email="outsider@example.edu")["token"]
    for path in (f"/api/exams/{exam['id']}/camera", f"/api/exams/{exam['id']}/attempts/{attempt['id']}/snapshots",
                 f"/api/exams/{exam['id']}/camera/settings"):
        assert call(course, "GET", path, outsider).status_code == 403, path


def test_a_refused_upload_stores_nothing(course):
    exam = course.exam(questions=1)
    camera_on(course, exam)
    student = course.student()
    attempt = consent_and_start(course, exam, student)
    call(course, "POST", f"/api/attempts/{attempt['id']}/camera/consent", student)
    for upload in (b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"%PDF-1.4", b"\x89PNG\r\n\x1a\n broken"):
        assert snapshot(course, attempt, student, data=upload).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Snapshot)) == 0
