"""Formatted questions (text, options and explanation in HTML with TeX formulas) through every way in (the editor's
API, a JSON import) and every way out (the student's attempt, the review, the marks, the export): cleaned on the way
in, drawn the same everywhere, and plain questions untouched."""

import io
import json
import re

import pytest

from lti_tool.content import rich_text
from tests.content.test_rich_text import PAYLOADS, dangers

FORMATTED = {
    "type": "single", "format": "html", "points": 1,
    "text": r"<p>Which is the area of a circle?</p><p>Hint: \(r\) is its radius.</p>",
    "explanation": r"<p>It is \(\pi r^2\).</p>",
    "options": [{"text": r"\(\pi r^2\)", "correct": True}, {"text": r"\(2 \pi r\)", "correct": False}],
}


def escaped(text):
    """Text as GIFT writes it: its special characters after a backslash."""
    return re.sub(r"([~=#{}:])", r"\\\1", text)


def add(course, exam, question):
    response = course.call("POST", f"/api/exams/{exam['id']}/questions", json=question)
    assert response.status_code == 201, response.json
    return response.json


def test_a_formatted_question_is_drawn_the_same_for_the_test_maker_the_student_and_the_review(course):
    exam = course.exam(questions=0, review_when="immediately")
    stored = add(course, exam, FORMATTED)
    course.publish(exam)
    assert (stored["format"], stored["text"]) == ("html", FORMATTED["text"])
    assert stored["html"].startswith("<p>Which is the area")
    assert '<math alttext="r" aria-label="r" display="inline">' in stored["html"]
    student = course.student()
    attempt = course.call("POST", f"/api/exams/{exam['id']}/attempts", student).json
    [question] = attempt["questions"]
    assert question["html"] == stored["html"]
    assert {o["html"] for o in question["options"]} == {o["html"] for o in stored["options"]}
    assert all(o["html"].startswith('<math alttext=') for o in question["options"])

    right = next(o["id"] for o in question["options"] if o["text"] == FORMATTED["options"][0]["text"])
    saved = course.call("PUT", f"/api/attempts/{attempt['id']}/answers/{question['id']}", student,
                        json={"option_ids": [right]})
    assert saved.status_code == 200, saved.json
    assert course.call("POST", f"/api/attempts/{attempt['id']}/submit", student).status_code == 200
    review = course.call("GET", f"/api/attempts/{attempt['id']}/review", student).json
    [reviewed] = review["questions"]
    assert reviewed["html"] == stored["html"] and reviewed["explanation_html"] == stored["explanation_html"]
    assert "<msup><mi>r</mi><mn>2</mn></msup>" in reviewed["explanation_html"]
    marks = course.call("GET", f"/api/exams/{exam['id']}/marks").json
    assert marks["questions"][0]["html"] == stored["html"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_field_keeps_what_could_run_whichever_way_it_came_in(course, payload):
    exam = course.exam(questions=0)
    question = {"type": "single", "format": "html", "points": 1, "text": f"<p>Q {payload}</p>",
                "explanation": f"<p>E {payload}</p>",
                "options": [{"text": f"A {payload}", "correct": True}, {"text": f"B {payload}", "correct": False}]}
    add(course, exam, question)
    gift = f"[html]<p>Q {escaped(payload)}</p> {{=A {escaped(payload)} ~B {escaped(payload)} ####E {escaped(payload)}}}"
    for name, data in (("bank.json", json.dumps([question])), ("bank.gift", gift)):
        imported = course.call("POST", f"/api/exams/{exam['id']}/import?dry_run=0", content_type="multipart/form-data",
                               data={"file": (io.BytesIO(data.encode()), name)})
        assert imported.status_code == 200, (name, imported.json)
    shown = course.call("GET", f"/api/exams/{exam['id']}").json["question_list"]
    assert len(shown) == 3 and shown[2]["format"] == "html"
    for item in shown:
        stored = [item["text"], item["explanation"], *(o["text"] for o in item["options"])]
        assert [rich_text.clean(text) for text in stored] == stored  # kept as cleaned
        html = [item["html"], item["explanation_html"], *(o["html"] for o in item["options"])]
        assert not [danger for text in html for danger in dangers(text)], html


def test_plain_questions_stay_plain_text(course):
    exam = course.exam(questions=0)
    stored = add(course, exam, {"type": "single", "points": 1, "text": "Is <b>x</b> < y?\nSay \\(why\\).",
                                "options": [{"text": "<i>yes</i>", "correct": True}, {"text": "no", "correct": False}]})
    assert stored["format"] == "plain" and stored["text"] == "Is <b>x</b> < y?\nSay \\(why\\)."
    assert stored["html"] == "Is &lt;b&gt;x&lt;/b&gt; &lt; y?<br>Say \\(why\\)."
    assert stored["options"][0]["html"] == "&lt;i&gt;yes&lt;/i&gt;"


def test_a_question_with_no_words_or_an_unknown_format_is_refused(course):
    exam = course.exam(questions=0)
    options = [{"text": "a", "correct": True}, {"text": "b", "correct": False}]
    empty = course.call("POST", f"/api/exams/{exam['id']}/questions", json={
        "type": "single", "format": "html", "text": "<p><script>x()</script></p>", "options": options})
    assert empty.status_code == 400 and "no text" in empty.json["error"]["message"]
    unknown = course.call("POST", f"/api/exams/{exam['id']}/questions", json={
        "type": "single", "format": "markdown", "text": "x", "options": options})
    assert unknown.status_code == 400 and '"format" must be "plain" or "html"' in unknown.json["error"]["message"]


def test_the_export_keeps_the_format_and_imports_again_the_same(course):
    exam = course.exam(questions=0)
    add(course, exam, FORMATTED)
    exported = course.call("GET", f"/api/exams/{exam['id']}/export").get_data()
    [entry] = json.loads(exported)["questions"]
    assert entry["format"] == "html" and entry["text"] == FORMATTED["text"]
    again = course.exam(questions=0)
    imported = course.call("POST", f"/api/exams/{again['id']}/import?dry_run=0", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(exported), "again.json")})
    assert imported.status_code == 200, imported.json
    [first] = course.call("GET", f"/api/exams/{exam['id']}").json["question_list"]
    [second] = course.call("GET", f"/api/exams/{again['id']}").json["question_list"]
    assert {k: v for k, v in first.items() if k != "id"} == {k: v for k, v in second.items() if k != "id"} | {
        "options": first["options"]}
    assert [o["html"] for o in first["options"]] == [o["html"] for o in second["options"]]
