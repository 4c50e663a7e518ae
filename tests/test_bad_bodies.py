"""Every JSON endpoint that takes a body refuses malformed, wrong-shaped, wrong-typed and oversize bodies
with a clear 4xx, for a caller with the right role: never a 500. The routes come from the app itself, so
a new endpoint is covered the day it is added."""

import json
import re

import pytest

from tests.exam.conftest import Course
from tests.exam.test_attempts import start

TEXT_FIELDS = ("title", "instructions", "text", "explanation", "reason", "policy", "opens_at", "closes_at")
# Bodies a careless or hostile client sends; each must be refused or handled, never crash the server.
BODIES = [
    ("not json", "{oops", "application/json"),
    ("a list", "[1, 2, 3]", "application/json"),
    ("a string", '"text"', "application/json"),
    ("null", "null", "application/json"),
    ("wrong types", json.dumps({k: {"nested": [1]} for k in (
        "title", "text", "points", "options", "option_ids", "position", "emails", "extra_minutes",
        "time_multiplier", "user_id", "minutes", "duration_minutes", "opens_at", "closes_at", "order",
        "type", "reason", "flagged", "attempts_allowed", "pass_mark", "exam_id")}), "application/json"),
    ("numbers out of range", json.dumps({k: 10**30 for k in (
        "points", "option_ids", "position", "extra_minutes", "time_multiplier", "duration_minutes",
        "attempts_allowed", "pass_mark", "user_id", "exam_id", "minutes")}), "application/json"),
    ("form data", "a=1&b=2", "application/x-www-form-urlencoded"),
    # What PostgreSQL cannot store, as JSON escapes: refused in every text field (it was a 500 on PostgreSQL).
    ("NUL in text", json.dumps({**{k: "a\x00b" for k in TEXT_FIELDS}, "emails": ["ta\x00@example.edu"],
                                "options": [{"text": "\x00"}]}), "application/json"),
    ("lone surrogates in text", json.dumps({k: "a\ud800b" for k in TEXT_FIELDS}), "application/json"),
    ("NUL in a field name", json.dumps({"ti\x00tle": "x"}), "application/json"),
]


def _routes(app):
    for rule in app.url_map.iter_rules():
        methods = rule.methods & {"POST", "PUT", "PATCH"}
        if rule.rule.startswith("/api/") and methods:
            yield rule.rule, sorted(methods)


@pytest.fixture
def setting(client, lti):
    """A course with an exam, a started attempt and the tokens of both roles, to fill route parameters."""
    course = Course(client, lti)
    exam = course.exam(questions=1)
    student = course.student()
    attempt = start(course, exam, student)
    ids = {"exam_id": exam["id"], "attempt_id": attempt["id"], "question_id": attempt["questions"][0]["id"],
           "row_id": 1, "user_id": 1}
    return course, student, ids


def _path(rule, ids):
    return re.sub(r"<(?:int:)?(\w+)>", lambda m: str(ids.get(m.group(1), 1)), rule)


def test_every_json_endpoint_refuses_bad_bodies_without_a_server_error(app, setting):
    course, student, ids = setting
    checked = 0
    for rule, methods in _routes(app):
        for method in methods:
            for token in (course.maker, student):
                for name, body, content_type in BODIES:
                    response = course.client.open(_path(rule, ids), method=method, data=body,
                                                  content_type=content_type,
                                                  headers={"Authorization": f"Bearer {token}"})
                    where = (method, rule, name, response.get_data(as_text=True)[:300])
                    # 502/503 say the LMS refused or is down (the roster refresh calls it); 500 is a crash.
                    assert response.status_code != 500, where
                    if response.status_code >= 400:
                        assert response.is_json and response.json["error"]["message"], where
                    checked += 1
    assert checked > 100  # the app really has these routes


def test_an_oversize_body_is_refused_before_it_is_read(app, setting):
    course, _, ids = setting
    huge = json.dumps({"title": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)})
    response = course.call("PATCH", f"/api/exams/{ids['exam_id']}", data=huge, content_type="application/json")
    assert response.status_code == 413
    assert response.json["error"]["message"] == "This request is too large: the largest is 2 MB."
