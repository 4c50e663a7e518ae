"""Text the databases cannot store (a NUL, a lone surrogate) and text longer than its column are refused
with a 400 naming the field or the file's line, on SQLite and PostgreSQL alike, and nothing is half-written.
PostgreSQL answered each of these with a 500 before. The visible text "\\u0000" is text like any other."""

import json

import pytest
from sqlalchemy import func, select

from lti_tool.db import db
from lti_tool.exam.models import Exam, Question
from tests.exam.test_authoring import upload

QUESTION = {"type": "single", "text": "Capital of France?", "points": 1,
            "options": [{"text": "Paris", "correct": True}, {"text": "Lyon", "correct": False}]}


def refusal(response):
    assert response.status_code == 400, (response.status_code, response.get_data(as_text=True)[:300])
    return response.json["error"]["message"]


def questions_of(course, exam):
    return course.call("GET", f"/api/exams/{exam['id']}").json["question_list"]


@pytest.mark.parametrize(("body", "field"), [
    ({"title": "Midterm\x00"}, '"title" contains a NUL character'),
    ({"title": "Midterm", "instructions": "Read \x00 carefully"}, '"instructions" contains a NUL character'),
    ({"title": "Mid\ud800term"}, '"title" contains an unpaired surrogate'),
])
def test_an_exam_with_unstorable_text_is_not_created(course, body, field):
    assert field in refusal(course.call("POST", "/api/exams", json=body))
    assert db.session.scalar(select(func.count()).select_from(Exam)) == 0


def test_unstorable_instructions_leave_the_exam_as_it_was(course):
    exam = course.exam(questions=0, instructions="Be calm.")
    message = refusal(course.call("PATCH", f"/api/exams/{exam['id']}", json={"instructions": "x\x00"}))
    assert '"instructions" contains a NUL character' in message
    assert course.call("GET", f"/api/exams/{exam['id']}").json["instructions"] == "Be calm."


@pytest.mark.parametrize(("change", "field"), [
    ({"text": "Capital\x00 of France?"}, '"text" contains a NUL character'),
    ({"explanation": "\x00"}, '"explanation" contains a NUL character'),
    ({"options": [{"text": "Paris", "correct": True}, {"text": "Ly\x00on", "correct": False}]},
     '"options[1].text" contains a NUL character'),
    ({"text": "\udfff"}, '"text" contains an unpaired surrogate'),
])
def test_a_question_with_unstorable_text_is_not_added(course, change, field):
    exam = course.exam(questions=0)
    assert field in refusal(course.call("POST", f"/api/exams/{exam['id']}/questions", json={**QUESTION, **change}))
    assert questions_of(course, exam) == []


def test_a_nul_in_a_field_name_is_refused(course):
    message = refusal(course.call("POST", "/api/exams", json={"title": "Quiz", "ti\x00tle": "x"}))
    assert "a field name contains a NUL character" in message


def test_the_visible_text_backslash_u0000_is_kept_intact(course):
    exam = course.exam(questions=0)
    text = 'In C, "\\u0000" and "\\0" both end a string.'
    added = course.call("POST", f"/api/exams/{exam['id']}/questions", json={**QUESTION, "text": text})
    assert added.status_code == 201, added.json
    assert questions_of(course, exam)[0]["text"] == text


@pytest.mark.parametrize(("content", "filename", "line"), [
    (b"Capital of France? {=Paris ~Lyon}\n\nA NUL \x00 here {=yes ~no}\n", "quiz.gift", 3),
    (b"question,option_1,option_2,correct\nFine?,yes,no,1\nBad?,y\x00es,no,1\n", "quiz.csv", 3),
    (json.dumps([QUESTION, {**QUESTION, "explanation": "\x00"}], indent=1).encode(), "quiz.json", 17),
    (json.dumps([{**QUESTION, "text": "\ud800"}]).encode(), "quiz.json", 1),
])
def test_an_import_with_unstorable_text_names_its_line_and_imports_nothing(course, content, filename, line):
    exam = course.exam(questions=0)
    response = upload(course, exam["id"], content, filename, dry_run=False)
    message = refusal(response)
    assert f"line {line}:" in message
    assert "NUL character" in message or "unpaired surrogate" in message
    assert [p["line"] for p in response.json["error"]["problems"]] == [line]
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_an_import_keeps_the_visible_text_backslash_u0000(course):
    exam = course.exam(questions=0)
    content = json.dumps([{**QUESTION, "text": "What does \\u0000 print?"}]).encode()
    assert upload(course, exam["id"], content, "quiz.json", dry_run=False).status_code == 200
    assert questions_of(course, exam)[0]["text"] == "What does \\u0000 print?"
