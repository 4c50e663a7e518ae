"""An answer save is what every student does on every click (bench/save_cost.py): a student's save of a question
whose options the worker has read once is three statements (stamp, upsert, commit); a test maker's preview reads
the options each time, as its draft may still change between two saves."""

import pytest
from sqlalchemy import event

from lti_tool.db import db
from lti_tool.exam import option_sets
from tests.exam.conftest import right_option, wrong_option
from tests.exam.test_attempts import save, start


@pytest.fixture(autouse=True)
def nothing_kept():
    option_sets._kept.clear()
    yield
    option_sets._kept.clear()


def statements_of(call):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement.split()[0].upper())

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        answer = call()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert answer.status_code == 200, answer.json
    return statements


def test_a_students_second_save_of_a_question_reads_no_options(course):
    exam = course.exam(questions=1)
    token = course.student()
    attempt = start(course, exam, token)
    [question] = attempt["questions"]
    first = statements_of(lambda: save(course, attempt, question, [right_option(question)], token, seq=1))
    again = statements_of(lambda: save(course, attempt, question, [wrong_option(question)], token, seq=2))
    assert first.count("SELECT") == 1 and "SELECT" not in again, (first, again)
    assert [s for s in again if s in ("UPDATE", "INSERT")] == ["UPDATE", "INSERT"]
    # The kept options still refuse what is not the question's, and two answers to a single-answer question.
    refused = save(course, attempt, question, [right_option(question) + 10_000], token, seq=3)
    assert refused.status_code == 409 and "does not belong" in refused.json["error"]["message"]
    both = save(course, attempt, question, [right_option(question), wrong_option(question)], token, seq=4)
    assert both.status_code == 409 and "takes one answer" in both.json["error"]["message"]


def test_a_preview_reads_the_options_each_time_as_the_draft_may_change(course):
    exam = course.exam(questions=1)
    preview = course.call("POST", f"/api/exams/{exam['id']}/preview").json
    [question] = preview["questions"]
    assert save(course, preview, question, [right_option(question)], None, seq=1).status_code == 200
    # The test maker replaces the options of the draft: new rows, new ids.
    changed = course.call("PUT", f"/api/exams/{exam['id']}/questions/{question['id']}", json={
        "type": "single", "text": question["text"], "points": 1,
        "options": [{"text": "right", "correct": True}, {"text": "wrong", "correct": False}]})
    assert changed.status_code == 200, changed.json
    new_right = next(o["id"] for o in changed.json["options"] if o["correct"])
    assert new_right != right_option(question)
    assert save(course, preview, question, [new_right], None, seq=2).status_code == 200
    assert option_sets._kept == {}
