"""Authoring through the API: only the course's test makers, only their course, and no change that
would rescore attempts already taken."""

import io
import json

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from lti_tool.audit import AuditEntry
from lti_tool.db import db
from tests.exam.conftest import Course, right_option

GIFT = b"""// two questions
::Q1:: What is 2+2? {=4 ~3 ~5}

Pick the primes {~%50%2 ~%50%3 ~%-100%4}
"""


def upload(course, exam_id, content, filename, dry_run):
    return course.call("POST", f"/api/exams/{exam_id}/import?dry_run={1 if dry_run else 0}",
                       data={"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data")


def test_create_edit_and_read_an_exam(course):
    created = course.call("POST", "/api/exams", json={"title": "Midterm", "duration_minutes": 45,
                                                     "shuffle_questions": True, "pass_mark": 60})
    assert created.status_code == 201
    exam_id = created.json["id"]
    edited = course.call("PATCH", f"/api/exams/{exam_id}", json={
        "instructions": "No notes.", "opens_at": "2030-01-01T09:00:00+00:00",
        "closes_at": "2030-01-01T11:00:00+00:00"})
    assert edited.status_code == 200, edited.json
    settings = course.call("GET", f"/api/exams/{exam_id}").json["settings"]
    assert settings["duration_minutes"] == 45 and settings["shuffle_questions"] is True
    assert settings["instructions"] == "No notes." and settings["opens_at"].startswith("2030-01-01T09:00")
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"exam.created", "exam.updated"} <= actions


def test_the_audit_of_an_edit_lists_only_what_changed_from_old_to_new(course):
    exam = course.exam(questions=0)
    edited = course.call("PATCH", f"/api/exams/{exam['id']}", json={
        "title": "Quiz", "duration_minutes": 45, "opens_at": "2030-01-01T09:00:00+00:00"})
    assert edited.status_code == 200, edited.json
    unchanged = course.call("PATCH", f"/api/exams/{exam['id']}", json={"title": "Quiz", "duration_minutes": 45})
    assert unchanged.status_code == 200, unchanged.json
    updates = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "exam.updated")).all()
    assert len(updates) == 1
    assert updates[0].data["duration_minutes"]["to"] == 45
    assert updates[0].data["duration_minutes"]["from"] != 45
    assert updates[0].data["opens_at"]["from"] is None
    assert updates[0].data["opens_at"]["to"].startswith("2030-01-01T09:00")
    assert set(updates[0].data) == {"duration_minutes", "opens_at"}

def test_bad_settings_are_all_reported_and_nothing_changes(course):
    exam = course.exam(questions=0)
    response = course.call("PATCH", f"/api/exams/{exam['id']}", json={
        "duration_minutes": 0, "pass_mark": 120, "opens_at": "tomorrow", "colour": "red", "title": " "})
    assert response.status_code == 400
    message = response.json["error"]["message"]
    for fragment in ("duration_minutes", "pass_mark", "opens_at", "colour: unknown", "title cannot be empty"):
        assert fragment in message
    assert course.call("GET", f"/api/exams/{exam['id']}").json["title"] == "Quiz"


def test_close_before_open_is_refused(course):
    response = course.call("POST", "/api/exams", json={
        "title": "T", "opens_at": "2030-01-02T00:00:00+00:00", "closes_at": "2030-01-01T00:00:00+00:00"})
    assert response.status_code == 400 and "closes_at must be after opens_at" in response.json["error"]["message"]


def test_questions_can_be_added_edited_reordered_and_deleted_before_anyone_starts(course):
    exam = course.exam(questions=3)
    ids = [q["id"] for q in exam["question_list"]]
    assert course.call("PUT", f"/api/exams/{exam['id']}/questions/order",
                       json={"order": ids[::-1]}).status_code == 200
    assert [q["id"] for q in course.call("GET", f"/api/exams/{exam['id']}").json["question_list"]] == ids[::-1]
    edited = course.call("PUT", f"/api/exams/{exam['id']}/questions/{ids[0]}", json={
        "type": "multi", "text": "Pick two", "points": 2,
        "options": [{"text": "a", "correct": True}, {"text": "b", "correct": True}, {"text": "c", "correct": False}]})
    assert edited.status_code == 200 and edited.json["type"] == "multi"
    assert course.call("DELETE", f"/api/exams/{exam['id']}/questions/{ids[1]}").status_code == 204
    assert len(course.call("GET", f"/api/exams/{exam['id']}").json["question_list"]) == 2


@pytest.mark.parametrize("order", [[], [1, 1], "x"])
def test_a_bad_order_is_refused(course, order):
    exam = course.exam(questions=2)
    assert course.call("PUT", f"/api/exams/{exam['id']}/questions/order", json={"order": order}).status_code == 400


def test_an_invalid_question_is_refused_with_reasons(course):
    exam = course.exam(questions=0)
    response = course.call("POST", f"/api/exams/{exam['id']}/questions", json={
        "type": "single", "text": "", "options": [{"text": "a", "correct": True}, {"text": "a", "correct": True}]})
    assert response.status_code == 400
    assert "not saved" in response.json["error"]["message"]


def test_scoring_edits_are_refused_once_attempts_exist_but_wording_is_not(course):
    exam = course.exam(questions=1)
    course.call("POST", f"/api/exams/{exam['id']}/attempts", course.student())
    [question] = exam["question_list"]
    path = f"/api/exams/{exam['id']}/questions/{question['id']}"
    flipped = {"type": "single", "text": question["text"], "points": 1,
               "options": [{"text": "right", "correct": False}, {"text": "wrong", "correct": True}]}
    refused = course.call("PUT", path, json=flipped)
    assert refused.status_code == 409 and "only the wording" in refused.json["error"]["message"]
    reworded = {"type": "single", "text": "Question one, clearer", "points": 1,
                "options": [{"text": "right", "correct": True}, {"text": "wrong!", "correct": False}]}
    assert course.call("PUT", path, json=reworded).status_code == 200
    assert course.call("DELETE", path).status_code == 409
    assert course.call("PATCH", f"/api/exams/{exam['id']}", json={"partial_credit": True}).status_code == 409
    assert course.call("DELETE", f"/api/exams/{exam['id']}").status_code == 409
    assert course.call("POST", f"/api/exams/{exam['id']}/archive").status_code == 204


def test_an_untaken_exam_can_be_deleted_and_any_exam_duplicated(course):
    exam = course.exam(questions=2)
    copy = course.call("POST", f"/api/exams/{exam['id']}/duplicate").json
    assert copy["title"] == "Copy of Quiz" and len(copy["question_list"]) == 2
    assert course.call("DELETE", f"/api/exams/{exam['id']}").status_code == 204
    assert [e["id"] for e in course.call("GET", "/api/exams").json["exams"]] == [copy["id"]]


def test_gift_import_previews_then_imports(course):
    exam = course.exam(questions=0)
    preview = upload(course, exam["id"], GIFT, "quiz.gift", dry_run=True)
    assert preview.status_code == 200, preview.json
    assert preview.json["count"] == 2 and preview.json["dry_run"] is True
    assert course.call("GET", f"/api/exams/{exam['id']}").json["question_list"] == []
    done = upload(course, exam["id"], GIFT, "quiz.gift", dry_run=False)
    assert done.json["dry_run"] is False
    questions = course.call("GET", f"/api/exams/{exam['id']}").json["question_list"]
    assert [q["type"] for q in questions] == ["single", "multi"]
    assert [o["weight"] for o in questions[1]["options"]] == [50, 50, -100]


def test_a_broken_file_imports_nothing_and_names_its_lines(course):
    exam = course.exam(questions=0)
    broken = b"type,question,option_1,option_2,correct\nsingle,Fine?,yes,no,1\nsingle,,a,b,1\nsingle,Bad,a,b,9\n"
    response = upload(course, exam["id"], broken, "q.csv", dry_run=False)
    assert response.status_code == 400
    message = response.json["error"]["message"]
    assert "line 3" in message and "line 4" in message
    assert [p["line"] for p in response.json["error"]["problems"]] == [3, 4]
    assert course.call("GET", f"/api/exams/{exam['id']}").json["question_list"] == []


def test_export_imports_back_the_same_questions(course):
    exam = course.exam(questions=2)
    exported = course.call("GET", f"/api/exams/{exam['id']}/export")
    assert exported.mimetype == "application/json"
    other = course.exam(questions=0)
    upload(course, other["id"], exported.data, "export.json", dry_run=False)
    strip = [{k: v for k, v in q.items() if k != "id"} | {"options": [
        {k: v for k, v in o.items() if k != "id"} for o in q["options"]]} for q in exam["question_list"]]
    got = course.call("GET", f"/api/exams/{other['id']}").json["question_list"]
    assert [{k: v for k, v in q.items() if k != "id"} | {"options": [
        {k: v for k, v in o.items() if k != "id"} for o in q["options"]]} for q in got] == strip


def test_a_student_cannot_reach_any_authoring_endpoint(course):
    exam = course.exam(questions=1)
    student = course.student()
    qid = exam["question_list"][0]["id"]
    calls = [("GET", "/api/exams"), ("POST", "/api/exams"), ("GET", f"/api/exams/{exam['id']}"),
             ("PATCH", f"/api/exams/{exam['id']}"), ("DELETE", f"/api/exams/{exam['id']}"),
             ("POST", f"/api/exams/{exam['id']}/duplicate"), ("POST", f"/api/exams/{exam['id']}/archive"),
             ("POST", f"/api/exams/{exam['id']}/bind"), ("POST", f"/api/exams/{exam['id']}/close"),
             ("POST", f"/api/exams/{exam['id']}/questions"), ("PUT", f"/api/exams/{exam['id']}/questions/{qid}"),
             ("DELETE", f"/api/exams/{exam['id']}/questions/{qid}"),
             ("PUT", f"/api/exams/{exam['id']}/questions/order"), ("POST", f"/api/exams/{exam['id']}/import"),
             ("GET", f"/api/exams/{exam['id']}/export"), ("PUT", f"/api/exams/{exam['id']}/accommodations/1"),
             ("PUT", f"/api/exams/{exam['id']}/proctors"), ("GET", f"/api/exams/{exam['id']}/marks"),
             ("GET", f"/api/exams/{exam['id']}/marks.csv"), ("POST", f"/api/exams/{exam['id']}/passback/1/resend")]
    for method, path in calls:
        assert course.call(method, path, student, json={}).status_code == 403, (method, path)


def test_a_test_maker_of_course_a_cannot_touch_course_b(client, lti, course):
    exam_a = course.exam(questions=1)
    other = Course(client, lti, context_id="course-b", link="link-b")
    base = f"/api/exams/{exam_a['id']}"
    for method, path in [("GET", base), ("PATCH", base), ("DELETE", base), ("GET", f"{base}/marks"),
                         ("POST", f"{base}/questions"), ("POST", f"{base}/close")]:
        assert other.call(method, path, json={"title": "x"}).status_code == 404, (method, path)
    assert other.call("GET", "/api/exams").json["exams"] == []
    student_b = other.student("sb")
    assert other.call("POST", f"/api/exams/{exam_a['id']}/attempts", student_b).status_code == 404


def test_accommodations_for_course_members(course):
    exam = course.exam(questions=1)
    assert course.call("PUT", f"/api/exams/{exam['id']}/accommodations/999999",
                       json={"extra_minutes": 5}).status_code == 404
    student_id = course.call("GET", "/api/session", course.student("s9")).json["user"]["id"]
    assert course.call("PUT", f"/api/exams/{exam['id']}/accommodations/{student_id}",
                       json={"extra_minutes": 5, "time_multiplier": 1.25}).status_code == 200
    [row] = course.call("GET", f"/api/exams/{exam['id']}").json["accommodations"]
    assert (row["user_id"], row["extra_minutes"], row["time_multiplier"]) == (student_id, 5, 1.25)


def test_marks_table_stats_and_csv(course):
    exam = course.exam(questions=2, pass_mark=50)
    student = course.student("s1", )
    course.student("s2")  # never starts
    attempt = course.call("POST", f"/api/exams/{exam['id']}/attempts", student).json
    first = attempt["questions"][0]
    course.call("PUT", f"/api/attempts/{attempt['id']}/answers/{first['id']}", student,
                json={"option_ids": [right_option(first)]})
    course.call("POST", f"/api/attempts/{attempt['id']}/submit", student)
    marks = course.call("GET", f"/api/exams/{exam['id']}/marks").json
    rows = {r["name"]: r for r in marks["students"]}
    assert rows["Name of s1"]["percent"] == 50.0 and rows["Name of s1"]["passed"] is True
    assert rows["Name of s2"]["status"] == "not_started"
    assert sum(b["count"] for b in marks["histogram"]) == 1
    assert [q["percent_correct"] for q in marks["questions"]] in ([100.0, 0.0], [0.0, 100.0])
    csv_text = course.call("GET", f"/api/exams/{exam['id']}/marks.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("name,email,attempt,status,score")
    assert "Name of s1" in csv_text and "not_started" in csv_text


def test_the_exam_audit_trail_lists_exam_question_and_attempt_actions(course):
    exam = course.exam(questions=1)
    student = course.student()
    attempt = course.call("POST", f"/api/exams/{exam['id']}/attempts", student).json
    course.call("POST", f"/api/attempts/{attempt['id']}/submit", student)
    entries = course.call("GET", f"/api/exams/{exam['id']}/audit").json["entries"]
    actions = [e["action"] for e in entries]
    for action in ("exam.created", "questions.added", "attempt.started", "attempt.submitted", "attempt.graded"):
        assert action in actions
    one = course.call("GET", f"/api/exams/{exam['id']}/audit?attempt_id={attempt['id']}").json["entries"]
    assert {e["target"] for e in one} == {f"attempt:{attempt['id']}"}
    assert course.call("GET", f"/api/exams/{exam['id']}/audit?attempt_id=99999").status_code == 404
    started = next(e for e in entries if e["action"] == "attempt.started")
    assert started["actor_name"] == "Name of student-1"


def test_a_file_over_the_upload_limit_is_refused_in_plain_words_and_imports_nothing(course):
    exam = course.exam(questions=0)

    # Encoded here, in memory: the test client would spool a body this large to a file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(b"x" * 11_000_000), "huge.csv")})
    response = course.call("POST", f"/api/exams/{exam['id']}/import?dry_run=0", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")

    assert response.status_code == 413
    assert response.json["error"] == {
        "code": "too_large",
        "message": "This file is 10.5 MB; the largest is 10 MB; split it into smaller files.",
    }
    assert course.call("GET", f"/api/exams/{exam['id']}").json["question_list"] == []


def test_a_question_file_may_be_larger_than_any_other_request(course):
    """A bank with its pictures: up to 10 MB, where every other request stops at MAX_CONTENT_LENGTH (2 MB)."""
    exam = course.exam(questions=0)
    question = {"type": "single", "text": "Q", "options": [{"text": "a", "correct": True}, {"text": "b"}]}
    large = json.dumps({"questions": [question]}).encode() + b" " * 3_000_000
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(large), "bank.json")})
    response = course.call("POST", f"/api/exams/{exam['id']}/import?dry_run=0", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 200, response.json
    other = course.call("POST", f"/api/exams/{exam['id']}/questions", data=b"x" * 3_000_000,
                        content_type="application/json")
    assert other.status_code == 413 and "the largest is 2 MB" in other.json["error"]["message"]
