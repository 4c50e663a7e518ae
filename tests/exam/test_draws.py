"""Random draws (exam/draws.py): "draw N of category C" gives each attempt N of C's questions, kept for the
attempt's life and its review, drawn evenly over many attempts; rules checked when set and at publishing."""

from collections import Counter
from io import BytesIO

import pytest
from sqlalchemy import event, select

from lti_tool.audit import AuditEntry
from lti_tool.db import db
from lti_tool.exam import draws
from lti_tool.exam.models import Exam, Question
from tests.exam.conftest import right_option, wrong_option


def exam_with_pools(course, pools, fixed=1, points=1, **settings):
    """A draft exam with `fixed` questions outside any category, then for each (category, size) of `pools`
    that many questions of the category; `points` for every question."""
    exam = course.exam(questions=0, **settings)
    texts = [(f"Fixed {n}", "") for n in range(1, fixed + 1)]
    texts += [(f"{category} {n}", category) for category, size in pools for n in range(1, size + 1)]
    for text, category in texts:
        added = course.call("POST", f"/api/exams/{exam['id']}/questions", json={
            "type": "single", "text": text, "points": points, "category": category,
            "options": [{"text": "right", "correct": True}, {"text": "wrong", "correct": False}]})
        assert added.status_code == 201, added.json
    return exam


def set_draws(course, exam, rules):
    return course.call("PUT", f"/api/exams/{exam['id']}/draws", json={"draws": rules})


def texts(attempt):
    return [question["text"] for question in attempt["questions"]]


def test_each_attempt_gets_the_fixed_questions_and_its_draw_of_each_pool(course):
    exam = exam_with_pools(course, [("Cells", 5), ("Genes", 3)])
    saved = set_draws(course, exam, [{"category": "Cells", "count": 2}])
    assert saved.status_code == 200, saved.json
    assert saved.json == {"rules": [{"category": "Cells", "count": 2, "available": 5}],
                          "categories": [{"name": "Cells", "questions": 5, "in_bank": 0},
                                         {"name": "Genes", "questions": 3, "in_bank": 0}]}
    course.publish(exam)
    # What the lobby tells students: the questions each attempt has.
    current = course.call("GET", "/api/exams/current", course.student()).json["exam"]
    assert (current["questions"], current["questions_per_attempt"]) == (9, 6)
    seen = set()
    for n in range(8):
        attempt = course.call("POST", f"/api/exams/{exam['id']}/attempts", course.student(f"s-{n}")).json
        got = texts(attempt)
        cells = [text for text in got if text.startswith("Cells")]
        # Genes has no rule: all three, fixed; the order is the exam's, the drawn ones in their places.
        assert [text for text in got if not text.startswith("Cells")] == ["Fixed 1", "Genes 1", "Genes 2", "Genes 3"]
        assert len(cells) == 2 and cells == sorted(cells)
        assert got.index(cells[-1]) < got.index("Genes 1")
        seen.add(tuple(cells))
    assert len(seen) > 1, "eight students all drew the same two of five"


def test_what_an_attempt_drew_stays_through_a_resume_grading_and_the_review(course):
    exam = exam_with_pools(course, [("Cells", 6)], fixed=0, review_when="immediately")
    set_draws(course, exam, [{"category": "Cells", "count": 2}])
    course.publish(exam)
    student = course.student()
    started = course.call("POST", f"/api/exams/{exam['id']}/attempts", student).json
    resumed = course.call("POST", f"/api/exams/{exam['id']}/attempts", student).json
    assert resumed["id"] == started["id"] and texts(resumed) == texts(started)
    assert texts(course.call("GET", f"/api/attempts/{started['id']}", student).json) == texts(started)
    first, second = started["questions"]
    for question, option in ((first, right_option(first)), (second, wrong_option(second))):
        course.call("PUT", f"/api/attempts/{started['id']}/answers/{question['id']}", student,
                    json={"option_ids": [option]})
    submitted = course.call("POST", f"/api/attempts/{started['id']}/submit", student).json
    assert (submitted["result"]["score"], submitted["result"]["max_score"]) == (1, 2)
    review = course.call("GET", f"/api/attempts/{started['id']}/review", student).json
    assert [question["text"] for question in review["questions"]] == texts(started)


def test_the_marks_count_each_question_over_the_students_who_drew_it(course):
    exam = exam_with_pools(course, [("Cells", 4)], fixed=1)
    set_draws(course, exam, [{"category": "Cells", "count": 1}])
    course.publish(exam)
    drew = Counter()
    for n in range(6):
        student = course.student(f"s-{n}")
        attempt = course.call("POST", f"/api/exams/{exam['id']}/attempts", student).json
        drew.update(texts(attempt))
        course.call("POST", f"/api/attempts/{attempt['id']}/submit", student)
    stats = {row["text"]: row for row in course.call("GET", f"/api/exams/{exam['id']}/marks").json["questions"]}
    assert stats["Fixed 1"]["seen"] == 6
    assert {text: row["seen"] for text, row in stats.items() if row["category"] == "Cells"} == {
        f"Cells {n}": drew[f"Cells {n}"] for n in range(1, 5)}


def test_draws_are_even_over_many_attempts(course):
    """3 of 10, 3,000 times, as each start draws (in the database): each question about 900 times. The bound is
    5 standard deviations (√630 ≈ 25)."""
    exam = exam_with_pools(course, [("Cells", 10)], fixed=1)
    assert set_draws(course, exam, [{"category": "Cells", "count": 3}]).status_code == 200
    row = db.session.get(Exam, exam["id"])
    fixed = db.session.scalar(select(Question.id).where(Question.exam_id == row.id, Question.category == ""))
    counts = Counter(qid for _ in range(3000) for qid in draws.drawn_ids(row))
    assert counts.pop(fixed) == 3000  # outside the pool: in every attempt
    assert sum(counts.values()) == 9000 and len(counts) == 10
    assert all(abs(count - 900) < 5 * 25 for count in counts.values()), counts


@pytest.mark.parametrize(("rules", "message"), [
    ([{"category": "Cells", "count": 6}], "Category “Cells” has 5 questions: draw from 1 to 5 of them."),
    ([{"category": "Cells", "count": 0}], "Category “Cells” has 5 questions: draw from 1 to 5 of them."),
    ([{"category": "Plants", "count": 1}],
     "No question of this exam or of the course's bank is in category “Plants”."),
    ([{"category": "Cells", "count": 1}, {"category": "Cells", "count": 2}], "Category “Cells” has two draws"),
    ([{"category": "Cells", "count": "2"}], "Draw 1 needs a category and a whole number of questions to draw."),
    ([{"category": "Cells", "count": True}], "Draw 1 needs a category and a whole number of questions to draw."),
    (["Cells"], "Draw 1 needs a category and a whole number of questions to draw."),
    ({"Cells": 2}, "Send the draws as a list"),
])
def test_a_wrong_rule_is_refused_and_nothing_changes(course, rules, message):
    exam = exam_with_pools(course, [("Cells", 5)])
    set_draws(course, exam, [{"category": "Cells", "count": 2}])
    refused = set_draws(course, exam, rules)
    assert refused.status_code == 400 and message in refused.json["error"]["message"]
    assert course.call("GET", f"/api/exams/{exam['id']}/draws").json["rules"] == [
        {"category": "Cells", "count": 2, "available": 5}]


def test_publishing_names_a_draw_larger_than_its_category_and_unequal_points(course):
    exam = exam_with_pools(course, [("Cells", 3)], fixed=0)
    set_draws(course, exam, [{"category": "Cells", "count": 3}])
    detail = course.call("GET", f"/api/exams/{exam['id']}").json
    last = detail["question_list"][-1]
    course.call("DELETE", f"/api/exams/{exam['id']}/questions/{last['id']}")
    first = detail["question_list"][0]
    course.call("PUT", f"/api/exams/{exam['id']}/questions/{first['id']}", json={
        "type": "single", "text": first["text"], "points": 2, "category": "Cells",
        "options": [{"text": "right", "correct": True}, {"text": "wrong", "correct": False}]})
    refused = course.call("POST", f"/api/exams/{exam['id']}/publish")
    assert refused.status_code == 409
    assert refused.json["error"]["problems"] == [
        "Category “Cells” has 2 questions, and its random draw asks for 3: add questions or draw fewer.",
        "The questions of category “Cells” are worth different points (1, 2): students drawing different ones "
        "would be marked out of different totals. Give them the same points."]


def test_once_students_have_taken_it_the_draws_and_categories_stay(course):
    exam = exam_with_pools(course, [("Cells", 3)])
    set_draws(course, exam, [{"category": "Cells", "count": 1}])
    course.publish(exam)
    course.call("POST", f"/api/exams/{exam['id']}/attempts", course.student())
    refused = set_draws(course, exam, [{"category": "Cells", "count": 2}])
    assert refused.status_code == 409 and "random draws cannot change now" in refused.json["error"]["message"]
    question = course.call("GET", f"/api/exams/{exam['id']}").json["question_list"][1]
    moved = course.call("PUT", f"/api/exams/{exam['id']}/questions/{question['id']}", json={
        "type": "single", "text": question["text"], "points": 1, "category": "Genes",
        "options": [{"text": "right", "correct": True}, {"text": "wrong", "correct": False}]})
    assert moved.status_code == 409 and "category" in moved.json["error"]["message"]


def test_setting_draws_is_audited_and_a_student_cannot(course):
    exam = exam_with_pools(course, [("Cells", 3)])
    assert set_draws(course, exam, [{"category": "Cells", "count": 1}]).status_code == 200
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "exam.draws_set"))
    assert entry.data == {"draws": {"Cells": 1}}
    refused = course.call("PUT", f"/api/exams/{exam['id']}/draws", course.student(), json={"draws": []})
    assert refused.status_code == 403


def test_a_duplicate_keeps_the_categories_and_draws(course):
    exam = exam_with_pools(course, [("Cells", 3)])
    set_draws(course, exam, [{"category": "Cells", "count": 2}])
    copy = course.call("POST", f"/api/exams/{exam['id']}/duplicate")
    assert copy.status_code == 201, copy.json
    assert course.call("GET", f"/api/exams/{copy.json['id']}/draws").json["rules"] == [
        {"category": "Cells", "count": 2, "available": 3}]


def test_the_json_export_carries_categories_and_imports_again(course):
    exam = exam_with_pools(course, [("Cells", 2)])
    exported = course.call("GET", f"/api/exams/{exam['id']}/export").get_data()
    other = course.exam(questions=0)
    imported = course.call("POST", f"/api/exams/{other['id']}/import?dry_run=0",
                           data={"file": (BytesIO(exported), "questions.json")})
    assert imported.status_code == 200, imported.json
    again = course.call("GET", f"/api/exams/{other['id']}").json["question_list"]
    assert [(q["text"], q["category"]) for q in again] == [("Fixed 1", ""), ("Cells 1", "Cells"), ("Cells 2", "Cells")]


def test_a_start_loads_only_the_questions_it_drew(course):
    """A bank of 30 in a pool, 2 drawn: the options are read for 2 questions, not 30 (bench/random_draws.py)."""
    exam = exam_with_pools(course, [("Cells", 30)], fixed=0)
    set_draws(course, exam, [{"category": "Cells", "count": 2}])
    course.publish(exam)
    reads = []

    def options_read(conn, cursor, statement, parameters, *args):
        if statement.lstrip().upper().startswith("SELECT") and "FROM options" in statement:
            reads.append(len(parameters))

    event.listen(db.engine, "before_cursor_execute", options_read)
    try:
        attempt = course.call("POST", f"/api/exams/{exam['id']}/attempts", course.student()).json
        course.call("GET", f"/api/attempts/{attempt['id']}", course.student())
    finally:
        event.remove(db.engine, "before_cursor_execute", options_read)
    assert len(attempt["questions"]) == 2
    assert reads and all(count <= 2 for count in reads), reads


def test_a_students_lobby_counts_the_bank_without_reading_it(course):
    exam = exam_with_pools(course, [("Cells", 30)], fixed=2)
    set_draws(course, exam, [{"category": "Cells", "count": 3}])
    course.publish(exam)
    student = course.student()
    read = []

    def question_rows(conn, cursor, statement, *args):
        if "questions.text" in statement:
            read.append(statement)

    event.listen(db.engine, "before_cursor_execute", question_rows)
    try:
        current = course.call("GET", "/api/exams/current", student).json["exam"]
    finally:
        event.remove(db.engine, "before_cursor_execute", question_rows)
    assert (current["questions"], current["questions_per_attempt"]) == (32, 5)
    assert read == []
