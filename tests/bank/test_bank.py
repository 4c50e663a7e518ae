"""The course question bank (lti_tool/bank/): questions of a course in categories and with tags, added, edited,
deleted, imported and exported by its test makers, drawn at random by its exams, copied into them, and carried
into a new term with the exam that draws them."""

import io
import json
from collections import Counter

import pytest
from sqlalchemy import event, select

from lti_tool.audit import AuditEntry
from lti_tool.db import db
from lti_tool.exam import draws
from lti_tool.exam.models import Exam, Question
from tests.exam.conftest import Course, right_option
from tests.lti_platform import INSTRUCTOR

OLD, NEW = "course-2025", "course-2026"


def add(course, text, category="Cells", points=1, tags=(), token=None):
    added = course.call("POST", "/api/bank/questions", token, json={
        "type": "single", "text": text, "points": points, "category": category, "tags": list(tags),
        "options": [{"text": "right", "correct": True}, {"text": "wrong", "correct": False}]})
    assert added.status_code == 201, added.json
    return added.json


def bank_exam(course, pools, fixed=1):
    """A draft exam of `fixed` own questions drawing `count` of each bank category of `pools` ({category: count})."""
    exam = course.exam(questions=fixed)
    saved = course.call("PUT", f"/api/exams/{exam['id']}/draws",
                        json={"draws": [{"category": c, "count": n} for c, n in pools.items()]})
    assert saved.status_code == 200, saved.json
    return exam


def start(course, exam, sub):
    started = course.call("POST", f"/api/exams/{exam['id']}/attempts", course.student(sub))
    assert started.status_code == 200, started.json
    return started.json


def listed(course, query=""):
    answer = course.call("GET", f"/api/bank/questions{query}")
    assert answer.status_code == 200, answer.json
    return [question["text"] for question in answer.json["questions"]]


def test_a_test_maker_fills_the_bank_and_finds_questions_by_category_and_tag(course):
    add(course, "Cell wall", tags=["week 1", "Hard"])
    add(course, "Nucleus", tags=["week 1"])
    add(course, "DNA", category="Genes", tags=["hard", "week 2", " week 2 "])
    add(course, "Loose", category="")
    assert listed(course) == ["Loose", "Cell wall", "Nucleus", "DNA"]
    assert listed(course, "?category=Cells") == ["Cell wall", "Nucleus"]
    assert listed(course, "?category=") == ["Loose"]
    assert listed(course, "?tag=HARD") == ["Cell wall", "DNA"]
    assert listed(course, "?category=Genes&tag=week%202") == ["DNA"]
    summary = course.call("GET", "/api/bank").json
    assert summary == {
        "questions": 4,
        "categories": [{"name": "", "questions": 1, "drawn": False}, {"name": "Cells", "questions": 2, "drawn": False},
                       {"name": "Genes", "questions": 1, "drawn": False}],
        "tags": [{"name": "Hard", "questions": 2}, {"name": "week 1", "questions": 2},
                 {"name": "week 2", "questions": 1}]}
    # A tag is kept once, as first written, its spaces tidied.
    dna = course.call("GET", "/api/bank/questions?category=Genes").json["questions"][0]
    assert dna["tags"] == ["hard", "week 2"]
    assert db.session.scalars(select(Question.exam_id).where(Question.bank_course_id.is_not(None))).all() == [None] * 4


def test_bank_questions_are_checked_as_an_exams_are(course):
    bad = course.call("POST", "/api/bank/questions", json={"type": "single", "text": "", "options": []})
    assert bad.status_code == 400
    too_many = course.call("POST", "/api/bank/questions", json={
        "type": "single", "text": "Q", "tags": [f"t{n}" for n in range(21)],
        "options": [{"text": "a", "correct": True}, {"text": "b", "correct": False}]})
    assert too_many.status_code == 400 and "at most 20" in too_many.json["error"]["message"]
    not_texts = course.call("POST", "/api/bank/questions", json={
        "type": "single", "text": "Q", "tags": "week 1",
        "options": [{"text": "a", "correct": True}, {"text": "b", "correct": False}]})
    assert not_texts.status_code == 400 and '"tags" must be a list' in not_texts.json["error"]["message"]
    xss = add(course, "<p>Hi</p><script>alert(1)</script><img src=x onerror=alert(2)>", category="")
    assert "<script" not in xss["html"]  # plain text: shown as text
    assert listed(course) == [xss["text"]]


def test_only_the_courses_test_makers_reach_its_bank(client, lti, course):
    question = add(course, "Ours")
    student = course.student()
    for method, path in [("GET", "/api/bank"), ("GET", "/api/bank/questions"), ("POST", "/api/bank/questions"),
                         ("DELETE", f"/api/bank/questions/{question['id']}"), ("GET", "/api/bank/export")]:
        assert course.call(method, path, student, json={}).status_code == 403, path
    other = Course(client, lti, context_id="course-2", link="link-2")
    assert other.call("GET", "/api/bank/questions").json == {"questions": []}
    for method in ("PUT", "DELETE"):
        refused = other.call(method, f"/api/bank/questions/{question['id']}", json={})
        assert refused.status_code == 404, method
    # An exam of another course cannot draw from this bank: its categories are unknown there.
    theirs = other.exam(questions=1)
    refused = other.call("PUT", f"/api/exams/{theirs['id']}/draws", json={"draws": [{"category": "Cells", "count": 1}]})
    assert refused.status_code == 400 and "No question of this exam or of the course's bank" in refused.json["error"][
        "message"]


def test_each_student_draws_from_the_bank_and_keeps_what_was_drawn(course):
    for n in range(1, 7):
        add(course, f"Cell {n}")
    exam = bank_exam(course, {"Cells": 2})
    course.publish(exam)
    lobby = course.call("GET", "/api/exams/current", course.student()).json["exam"]
    assert (lobby["questions"], lobby["questions_per_attempt"]) == (7, 3)
    drawn = {}
    for n in range(12):
        attempt = start(course, exam, f"s{n}")
        texts = [q["text"] for q in attempt["questions"]]
        assert texts[0] == "Question 1" and len(texts) == 3 and all(t.startswith("Cell ") for t in texts[1:])
        drawn[f"s{n}"] = (attempt, texts)
    assert len({tuple(texts) for _, texts in drawn.values()}) > 1  # 12 students, 15 possible pairs
    # Resumed, the same questions; answered and submitted, graded on them; the review shows them.
    attempt, texts = drawn["s0"]
    student = course.student("s0")
    assert [q["text"] for q in start(course, exam, "s0")["questions"]] == texts
    for question in attempt["questions"]:
        saved = course.call("PUT", f"/api/attempts/{attempt['id']}/answers/{question['id']}", student,
                            json={"option_ids": [right_option(question)]})
        assert saved.status_code == 200, saved.json
    submitted = course.call("POST", f"/api/attempts/{attempt['id']}/submit", student)
    assert submitted.status_code == 200, submitted.json
    [row] = [r for r in course.call("GET", f"/api/exams/{exam['id']}/marks").json["students"]
             if r["name"] == "Name of s0"]
    assert (row["attempts"][0]["score"], row["attempts"][0]["max_score"]) == (3, 3)
    stats = course.call("GET", f"/api/exams/{exam['id']}/marks").json["questions"]
    assert [s["text"] for s in stats if s["from_bank"]] == sorted(set(texts[1:]))
    assert {s["text"]: s["seen"] for s in stats}[texts[1]] == 1


def test_draws_are_even_over_the_bank(course):
    """3,000 attempts drawing 2 of 6: each question 1,000 times on average, within 5 standard deviations."""
    for n in range(1, 7):
        add(course, f"Cell {n}")
    exam = bank_exam(course, {"Cells": 2}, fixed=0)
    course.publish(exam)
    row = db.session.get(Exam, exam["id"])  # the start's own drawing, without 3,000 requests
    counts = Counter(qid for _ in range(3000) for qid in draws.drawn_ids(row))
    assert len(counts) == 6 and sum(counts.values()) == 6000
    sigma = (3000 * 2 / 6 * (1 - 2 / 6)) ** 0.5
    assert all(abs(count - 1000) <= 5 * sigma for count in counts.values()), counts


def test_a_drawn_bank_question_keeps_its_scoring_and_versions_its_wording(course):
    first = add(course, "Cell 1")
    add(course, "Cell 2")
    exam = bank_exam(course, {"Cells": 2}, fixed=0)
    course.call("PATCH", f"/api/exams/{exam['id']}", json={"review_when": "immediately"})
    course.publish(exam)
    attempt = start(course, exam, "s1")
    student = course.student("s1")
    question = next(q for q in attempt["questions"] if q["id"] == first["id"])
    course.call("PUT", f"/api/attempts/{attempt['id']}/answers/{first['id']}", student,
                json={"option_ids": [right_option(question)]})
    assert course.call("POST", f"/api/attempts/{attempt['id']}/submit", student).status_code == 200

    body = {"type": "single", "text": "Cell 1", "points": 1, "category": "Cells",
            "options": [{"text": "right", "correct": True}, {"text": "wrong", "correct": False}]}
    for change in ({"points": 2}, {"category": "Genes"},
                   {"options": [{"text": "right", "correct": False}, {"text": "wrong", "correct": True}]}):
        refused = course.call("PUT", f"/api/bank/questions/{first['id']}", json={**body, **change})
        assert refused.status_code == 409 and "only the wording" in refused.json["error"]["message"], change
    reworded = course.call("PUT", f"/api/bank/questions/{first['id']}",
                           json={**body, "text": "Cell one", "tags": ["typo fixed"]})
    assert reworded.status_code == 200 and reworded.json["drawn"] is True
    assert reworded.json["tags"] == ["typo fixed"]
    deleted = course.call("DELETE", f"/api/bank/questions/{first['id']}")
    assert deleted.status_code == 409 and "cannot be deleted" in deleted.json["error"]["message"]
    # The student's review shows the wording they answered; a later student gets the new one.
    review = course.call("GET", f"/api/attempts/{attempt['id']}/review", student).json
    assert "Cell 1" in [q["text"] for q in review["questions"]]
    assert "Cell one" in [q["text"] for q in start(course, exam, "s2")["questions"]]


def test_an_undrawn_bank_question_changes_freely_and_is_deleted(course):
    question = add(course, "Cell 1")
    changed = course.call("PUT", f"/api/bank/questions/{question['id']}", json={
        "type": "multi", "text": "Cells?", "points": 3, "category": "Biology",
        "options": [{"text": "a", "correct": True}, {"text": "b", "correct": True}, {"text": "c", "correct": False}]})
    assert changed.status_code == 200, changed.json
    assert (changed.json["type"], changed.json["points"], changed.json["category"]) == ("multi", 3, "Biology")
    assert course.call("DELETE", f"/api/bank/questions/{question['id']}").status_code == 204
    assert listed(course) == []
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("bank.%"))
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["bank.questions_added", "bank.question_updated", "bank.question_deleted"]


def test_a_category_an_exam_draws_keeps_one_value_of_points(course):
    add(course, "Cell 1")
    add(course, "Cell 2")
    exam = bank_exam(course, {"Cells": 1}, fixed=0)
    refused = course.call("POST", "/api/bank/questions", json={
        "type": "single", "text": "Cell 3", "points": 2, "category": "Cells",
        "options": [{"text": "a", "correct": True}, {"text": "b", "correct": False}]})
    assert refused.status_code == 400 and "worth 1 point(s)" in refused.json["error"]["message"]
    add(course, "Cell 3", points=1)
    add(course, "Other", category="Genes", points=5)  # no exam draws Genes
    # An exam's own question in a drawn category with other points stops its publishing.
    own = course.call("POST", f"/api/exams/{exam['id']}/questions", json={
        "type": "single", "text": "Own cell", "points": 4, "category": "Cells",
        "options": [{"text": "a", "correct": True}, {"text": "b", "correct": False}]})
    assert own.status_code == 201
    problems = course.call("GET", f"/api/exams/{exam['id']}").json["problems"]
    assert any("worth different points (1, 4)" in problem for problem in problems)


def test_a_draw_larger_than_the_bank_category_is_refused_and_an_exam_of_bank_draws_only_publishes(course):
    add(course, "Cell 1")
    exam = course.exam(questions=0)
    refused = course.call("PUT", f"/api/exams/{exam['id']}/draws", json={"draws": [{"category": "Cells", "count": 2}]})
    assert refused.status_code == 400 and "draw from 1 to 1" in refused.json["error"]["message"]
    assert "Add at least one question, or draw some from the course's question bank." in course.call(
        "GET", f"/api/exams/{exam['id']}").json["problems"]
    course.call("PUT", f"/api/exams/{exam['id']}/draws", json={"draws": [{"category": "Cells", "count": 1}]})
    course.publish(exam)
    assert [q["text"] for q in start(course, exam, "s1")["questions"]] == ["Cell 1"]
    preview = course.call("POST", f"/api/exams/{exam['id']}/preview")
    assert preview.status_code == 200 and [q["text"] for q in preview.json["questions"]] == ["Cell 1"]


def test_bank_questions_are_copied_into_an_exam_as_fixed_ones(course):
    one = add(course, "Cell 1", tags=["week 1"])
    add(course, "Cell 2")
    exam = course.exam(questions=1)
    copied = course.call("POST", f"/api/exams/{exam['id']}/questions/copy",
                         json={"bank": True, "question_ids": [one["id"]]})
    assert copied.status_code == 201 and copied.json == {"copied": 1}
    questions = course.call("GET", f"/api/exams/{exam['id']}").json["question_list"]
    assert [(q["text"], q["category"], q["tags"]) for q in questions] == [
        ("Question 1", "", []), ("Cell 1", "Cells", ["week 1"])]
    assert questions[1]["id"] != one["id"] and len(listed(course)) == 2  # a copy; the bank keeps its own
    missing = course.call("POST", f"/api/exams/{exam['id']}/questions/copy", json={"bank": True, "question_ids": [0]})
    assert missing.status_code == 400 and "not there any more" in missing.json["error"]["message"]


MOODLE_BANK = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/Biology/Cells</text></category></question>
  <question type="multichoice">
    <name><text>Wall</text></name>
    <questiontext format="html"><text><![CDATA[<p>What has a cell wall?</p>]]></text></questiontext>
    <defaultgrade>1</defaultgrade><single>true</single>
    <answer fraction="100" format="html"><text>Plant cell</text></answer>
    <answer fraction="0" format="html"><text>Animal cell</text></answer>
    <tags><tag><text>week 1</text></tag><tag><text>plants</text></tag></tags>
  </question>
  <question type="truefalse">
    <name><text>Nucleus</text></name>
    <questiontext format="plain_text"><text>Bacteria have a nucleus.</text></questiontext>
    <answer fraction="0"><text>true</text></answer>
    <answer fraction="100"><text>false</text></answer>
  </question>
  <question type="essay"><name><text>Explain</text></name>
    <questiontext format="html"><text>Explain osmosis.</text></questiontext></question>
</quiz>
"""


def upload(course, path, name, data):
    return course.call("POST", path, data={"file": (io.BytesIO(data.encode()), name)},
                       content_type="multipart/form-data")


def test_a_moodle_bank_is_imported_with_its_categories_and_tags_and_exported_again(course):
    checked = upload(course, "/api/bank/import?dry_run=1", "bank.xml", MOODLE_BANK)
    assert checked.status_code == 200, checked.json
    assert [(q["category"], q["tags"]) for q in checked.json["questions"]] == [
        ("Biology/Cells", ["week 1", "plants"]), ("Biology/Cells", [])]
    assert checked.json["skipped"] == [{"line": 18, "name": "Explain", "type": "essay"}]
    assert listed(course) == []  # a dry run adds nothing
    imported = upload(course, "/api/bank/import?dry_run=0", "bank.xml", MOODLE_BANK)
    assert imported.status_code == 200 and imported.json["count"] == 2
    assert listed(course, "?tag=plants") == ["<p>What has a cell wall?</p>"]

    exported = course.call("GET", "/api/bank/export?format=moodle_xml")
    assert exported.status_code == 200
    assert 'filename="question-bank.xml"' in exported.headers["Content-Disposition"]
    xml = exported.get_data(as_text=True)
    assert "<text>$course$/top/Biology/Cells</text>" in xml and "<tag><text>plants</text></tag>" in xml
    # Import → export → import: equal.
    again = upload(course, "/api/bank/import?dry_run=1", "again.xml", xml).json["questions"]
    assert [(q["text"], q["category"], q["tags"], [(o["text"], o["correct"]) for o in q["options"]])
            for q in again] == [
        (q["text"], q["category"], q["tags"], [(o["text"], o["correct"]) for o in q["options"]])
        for q in checked.json["questions"]]
    as_json = course.call("GET", "/api/bank/export").get_json()
    assert as_json["questions"][0]["tags"] == ["week 1", "plants"]


def test_a_broken_file_adds_nothing_to_the_bank(course):
    broken = upload(course, "/api/bank/import?dry_run=0", "bank.xml", MOODLE_BANK.replace("</quiz>", ""))
    assert broken.status_code == 400
    assert listed(course) == []


@pytest.mark.parametrize("tags", [["x" * 51], [1, 2]])
def test_a_question_file_with_bad_tags_is_refused_with_its_line(course, tags):
    body = json.dumps({"questions": [{"type": "single", "text": "Q", "tags": tags,
                                      "options": [{"text": "a", "correct": True}, {"text": "b"}]}]})
    refused = upload(course, "/api/bank/import?dry_run=1", "bank.json", body)
    assert refused.status_code == 400
    assert refused.json["error"]["problems"][0]["line"] == 1


def test_a_term_copy_brings_the_bank_categories_its_draws_use(client, lti):
    """The LMS copies the course into a new term (Moodle's backup and restore); the exam copied into the new course
    draws from the new course's bank, which gets the old bank's questions of the categories the exam draws."""
    old = Course(client, lti, context_id=OLD, link="quiz")
    for n in (1, 2, 3):
        add(old, f"Cell {n}", tags=["week 1"])
    add(old, "Gene 1", category="Genes")  # no draw uses it: it stays behind
    exam = bank_exam(old, {"Cells": 2})
    assert old.call("POST", f"/api/exams/{exam['id']}/bind").status_code == 204
    lti.platform.place_link(OLD, "quiz", {"exam_id": str(exam["id"])})
    lti.platform.set_moodle_shape()
    renamed = lti.platform.copy_course(OLD, NEW)
    new = Course(client, lti, context_id=NEW, link=renamed["quiz"])
    new.maker = lti.token_for((INSTRUCTOR,), sub=f"teacher-{OLD}", context_id=NEW,
                              resource_link_id=renamed["quiz"])["token"]  # the same teacher, in the new term
    accepted = new.call("POST", "/api/exams/current/copy-offer/accept")
    assert accepted.status_code == 200, accepted.json
    assert listed(new) == ["Cell 1", "Cell 2", "Cell 3"]
    assert {q["id"] for q in new.call("GET", "/api/bank/questions").json["questions"]}.isdisjoint(
        q["id"] for q in old.call("GET", "/api/bank/questions").json["questions"])
    assert accepted.json["draws"]["rules"] == [{"category": "Cells", "count": 2, "available": 3}]
    assert listed(old) == ["Cell 1", "Cell 2", "Cell 3", "Gene 1"]  # the old bank is as it was


def test_an_exams_questions_are_copied_into_the_bank_with_their_categories_and_tags(client, lti, course):
    exam = course.exam(questions=0)
    for text, category in (("Osmosis?", "Cells"), ("Skip me", ""), ("Mitosis?", "Cells")):
        added = course.call("POST", f"/api/exams/{exam['id']}/questions", json={
            "type": "single", "text": text, "points": 1, "category": category, "tags": ["old bank"],
            "options": [{"text": "right", "correct": True}, {"text": "wrong", "correct": False}]})
        assert added.status_code == 201, added.json
    sources = course.call("GET", "/api/bank/question-sources").json["exams"]
    assert [(s["exam_id"], s["questions"], s["same_course"]) for s in sources] == [(exam["id"], 3, True)]
    offered = course.call("GET", f"/api/bank/question-sources/{exam['id']}").json["questions"]
    ids = [q["id"] for q in offered if q["text"] != "Skip me"]
    copied = course.call("POST", "/api/bank/questions/copy", json={"exam_id": exam["id"], "question_ids": ids})
    assert copied.status_code == 201 and copied.json == {"copied": 2}
    bank = course.call("GET", "/api/bank/questions").json["questions"]
    assert [(q["text"], q["category"], q["tags"]) for q in bank] == [
        ("Osmosis?", "Cells", ["old bank"]), ("Mitosis?", "Cells", ["old bank"])]
    assert {q["id"] for q in bank}.isdisjoint(ids)
    assert len(course.call("GET", f"/api/exams/{exam['id']}").json["question_list"]) == 3  # the exam keeps its own
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "bank.questions_copied")).one()
    assert entry.data["from_exam"] == exam["id"] and entry.data["count"] == 2

    # Another course's exam: only where the person is a test maker too.
    other = Course(client, lti, context_id="course-2", link="link-2")
    theirs = other.exam(questions=1)
    refused = course.call("POST", "/api/bank/questions/copy", json={"exam_id": theirs["id"]})
    assert refused.status_code == 403
    lti.token_for((INSTRUCTOR,), sub="teacher-course-1", context_id="course-2", resource_link_id="link-2")
    assert course.call("POST", "/api/bank/questions/copy", json={"exam_id": theirs["id"]}).status_code == 201
    for body, status in (({"exam_id": 0}, 404), ({"exam_id": exam["id"], "question_ids": "all"}, 400),
                         ({"exam_id": exam["id"], "question_ids": [123456]}, 400)):
        assert course.call("POST", "/api/bank/questions/copy", json=body).status_code == status, body
    assert course.call("POST", "/api/bank/questions/copy", course.student(), json={}).status_code == 403


def test_listing_the_bank_reads_a_few_statements_whatever_its_size(course):
    for n in range(30):
        add(course, f"Cell {n}")
    exam = bank_exam(course, {"Cells": 2})
    course.publish(exam)
    start(course, exam, "s1")
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement.split()[0])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        answer = course.call("GET", "/api/bank/questions")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(answer.json["questions"]) == 30 and all(q["drawn"] for q in answer.json["questions"])
    assert len(statements) <= 8, statements  # the launch's checks, the questions, their options, the drawn categories
