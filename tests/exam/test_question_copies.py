"""Copying questions between exams (exam/question_copies.py): of the same course, and of another course where the
person is a test maker too; new questions with the same content, pictures copied into the target's course."""

import io

from PIL import Image
from sqlalchemy import select

from lti_tool.audit import AuditEntry
from lti_tool.content.models import QuestionImage
from lti_tool.db import db
from lti_tool.identity.models import Course as CourseRow
from tests.exam.conftest import Course
from tests.lti_platform import INSTRUCTOR


def add(course, exam, text, token=None, **fields):
    added = course.call("POST", f"/api/exams/{exam['id']}/questions", token, json={
        "type": "single", "text": text, "points": 2,
        "options": [{"text": "right", "correct": True}, {"text": "wrong", "correct": False}], **fields})
    assert added.status_code == 201, added.json
    return added.json


def questions_of(course, exam, token=None):
    return course.call("GET", f"/api/exams/{exam['id']}", token).json["question_list"]


def copy(course, target, body, token=None):
    return course.call("POST", f"/api/exams/{target['id']}/questions/copy", token, json=body)


def test_chosen_questions_are_copied_in_order_as_new_questions(course):
    source = course.exam(questions=0, link="link-source")
    first = add(course, source, "Mitochondria?", category="Cells", explanation="Because.")
    add(course, source, "Not this one")
    third = add(course, source, "Ribosomes?", category="Cells")
    target = course.exam(questions=1)
    copied = copy(course, target, {"exam_id": source["id"], "question_ids": [third["id"], first["id"]]})
    assert copied.status_code == 201 and copied.json == {"copied": 2}
    after = questions_of(course, target)
    assert [(q["text"], q["category"], q["points"]) for q in after] == [
        ("Question 1", "", 1), ("Mitochondria?", "Cells", 2), ("Ribosomes?", "Cells", 2)]
    assert after[1]["explanation"] == "Because."
    assert [(o["text"], o["correct"]) for o in after[1]["options"]] == [("right", True), ("wrong", False)]
    assert after[1]["id"] != first["id"]
    # A new question: editing the copy leaves the source as it was.
    course.call("PUT", f"/api/exams/{target['id']}/questions/{after[1]['id']}", json={
        "type": "single", "text": "Changed", "options": [{"text": "a", "correct": True}, {"text": "b"}]})
    assert questions_of(course, source)[0]["text"] == "Mitochondria?"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "questions.copied"))
    assert entry.data == {"from_exam": source["id"], "questions": [first["id"], third["id"]]}


def test_without_a_choice_every_question_is_copied(course):
    source = course.exam(questions=3, link="link-source")
    target = course.exam(questions=0)
    assert copy(course, target, {"exam_id": source["id"]}).json == {"copied": 3}
    assert [q["text"] for q in questions_of(course, target)] == ["Question 1", "Question 2", "Question 3"]


def test_the_sources_are_the_courses_where_the_person_makes_exams(client, lti, course):
    target = course.exam(questions=0)
    sibling = course.exam(questions=2, link="link-sibling")
    course.exam(questions=0, link="link-empty")  # nothing to copy
    taught = Course(client, lti, context_id="course-2", link="link-2")
    # The same person is a test maker of course-2 ...
    mine = lti.token_for((INSTRUCTOR,), sub="teacher-course-1", context_id="course-2",
                         resource_link_id="link-2")["token"]
    theirs = taught.call("POST", "/api/exams", mine, json={"title": "Last term"}).json
    add(taught, theirs, "From last term", mine)
    # ... and not of course-3, whose exam is someone else's.
    other = Course(client, lti, context_id="course-3", link="link-3")
    foreign = other.exam(questions=1)
    listed = course.call("GET", f"/api/exams/{target['id']}/question-sources").json["exams"]
    assert [(e["exam_id"], e["same_course"], e["questions"]) for e in listed] == [
        (sibling["id"], True, 2), (theirs["id"], False, 1)]
    assert listed[1]["course"] == db.session.scalar(select(CourseRow.title).where(CourseRow.context_id == "course-2"))

    shown = course.call("GET", f"/api/exams/{target['id']}/question-sources/{theirs['id']}").json["questions"]
    assert [q["text"] for q in shown] == ["From last term"]
    assert copy(course, target, {"exam_id": theirs["id"]}).json == {"copied": 1}
    refused = copy(course, target, {"exam_id": foreign["id"]})
    assert refused.status_code == 403 and "test maker" in refused.json["error"]["message"]
    assert course.call("GET", f"/api/exams/{target['id']}/question-sources/{foreign['id']}").status_code == 403
    assert copy(course, target, {"exam_id": 999999}).status_code == 404
    assert copy(course, target, {"exam_id": 10**30}).status_code == 404  # beyond any id the databases store
    assert [q["text"] for q in questions_of(course, target)] == ["From last term"]


def test_a_picture_comes_into_the_target_course(client, lti, course):
    picture = io.BytesIO()
    Image.new("RGB", (5, 5), (200, 0, 0)).save(picture, "PNG")
    mine = lti.token_for((INSTRUCTOR,), sub="teacher-course-1", context_id="course-2",
                         resource_link_id="link-2")["token"]
    taught = Course(client, lti, context_id="course-2", link="link-2")
    src = taught.call("POST", "/api/content/images", mine, content_type="multipart/form-data",
                      data={"file": (io.BytesIO(picture.getvalue()), "red.png")}).json["src"]
    source = taught.call("POST", "/api/exams", mine, json={"title": "With a picture"}).json
    add(taught, source, f'<p>Which colour?</p><img src="{src}" alt="A red square">', mine, format="html")
    target = course.exam(questions=0)
    assert copy(course, target, {"exam_id": source["id"]}).status_code == 201
    [question] = questions_of(course, target)
    copied_id = int(question["text"].split('src="/content/images/')[1].split('"')[0])
    source_id = int(src.split("/content/images/")[1].split("?")[0])
    course_of = dict(db.session.execute(select(QuestionImage.id, CourseRow.context_id).join(
        CourseRow, CourseRow.id == QuestionImage.course_id)).all())
    assert (course_of[source_id], course_of[copied_id]) == ("course-2", "course-1")


def test_wrong_choices_and_a_taken_exam_copy_nothing(course):
    source = course.exam(questions=2, link="link-source")
    gone = questions_of(course, source)[0]["id"]
    target = course.exam(questions=1)
    for body, message in [
        ({"exam_id": source["id"], "question_ids": [gone, 123456]}, "1 question chosen is not there any more"),
        ({"exam_id": source["id"], "question_ids": "all"}, "as a list of ids"),
        ({"exam_id": source["id"], "question_ids": [True]}, "as a list of ids"),
        ({"exam_id": source["id"], "question_ids": []}, "Choose at least one question"),
    ]:
        refused = copy(course, target, body)
        assert refused.status_code == 400 and message in refused.json["error"]["message"], refused.json
    course.call("POST", f"/api/exams/{target['id']}/attempts", course.student())
    taken = copy(course, target, {"exam_id": source["id"]})
    assert taken.status_code == 409 and "Copying questions in would change scoring" in taken.json["error"]["message"]
    assert [q["text"] for q in questions_of(course, target)] == ["Question 1"]
    refused = copy(course, target, {"exam_id": source["id"]}, course.student())
    assert refused.status_code == 403
