"""Starting an attempt is what a whole class does in the same minute (bench/exam_day.py): its database
round trips must not grow with the exam's length."""

from sqlalchemy import event

from lti_tool.db import db
from tests.exam.test_attempts import start


def statements_to_start(course, questions, link):
    exam = course.exam(questions=questions, link=link)
    token = course.student(f"student-{link}", link=link)
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement.split()[0])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        attempt = start(course, exam, token)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(attempt["questions"]) == questions
    return statements


def test_starting_an_attempt_takes_as_many_statements_for_twelve_questions_as_for_two(course):
    short = statements_to_start(course, 2, "link-short")
    long = statements_to_start(course, 12, "link-long")
    assert len(long) == len(short), (short, long)


def test_a_start_reads_nothing_back_it_has_just_written(course):
    # The attempt, its exam, the questions it drew and their options are shown as written, not read again after
    # the commit; a new attempt has no answers to read.
    statements = statements_to_start(course, 3, "link-once")
    reads = [s for s in statements if s == "SELECT"]
    assert statements.count("INSERT") == 2 and len(reads) == 10, statements


def test_a_preview_reads_nothing_back_it_has_just_written(course):
    exam = course.exam(questions=3)
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement.split()[0])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        preview = course.call("POST", f"/api/exams/{exam['id']}/preview")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert preview.status_code == 200 and len(preview.json["questions"]) == 3, preview.json
    assert statements.count("SELECT") <= 8, statements  # 15 when the commit expired the questions it drew
