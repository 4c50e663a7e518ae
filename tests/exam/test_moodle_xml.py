"""Moodle XML, as Moodle 4's question bank exports it: its multiple-choice and true/false questions come in with
their formatting, formulas, pictures, fractions and feedback; other types are named and left out; a file that
cannot come in whole adds nothing and says where and why."""

import base64
import io
import re

import pytest
from PIL import Image

from lti_tool.exam import moodle_xml
from tests.exam.test_authoring import upload


def png(colour):
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


EXPORT = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category><text>$course$/top/Chemistry</text></category>
    <info format="moodle_auto_format"><text>The default category.</text></info>
  </question>

<!-- question: 101  -->
  <question type="multichoice">
    <name><text>Water molecule</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>Which molecule is drawn? <img src="@@PLUGINFILE@@/molecule%20one.png" alt="A bent molecule"
        width="8" height="8"></p><p>Its mass is \\(18\\,\\mathrm{{g/mol}}\\).</p><script>alert(1)</script>]]></text>
      <file name="molecule one.png" path="/" encoding="base64">{png((0, 0, 255))}</file>
    </questiontext>
    <generalfeedback format="html"><text><![CDATA[<p>H<sub>2</sub>O is water.</p>]]></text></generalfeedback>
    <defaultgrade>2.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <answer fraction="100" format="html"><text><![CDATA[<p>H<sub>2</sub>O</p>]]></text>
      <feedback format="html"><text>Right: two hydrogens.</text></feedback></answer>
    <answer fraction="0" format="html"><text><![CDATA[<p>CO<sub>2</sub></p>]]></text>
      <feedback format="html"><text></text></feedback></answer>
  </question>

<!-- question: 102  -->
  <question type="multichoice">
    <name><text>Primes</text></name>
    <questiontext format="plain_text"><text>Which are prime? (x &lt; 5)</text></questiontext>
    <generalfeedback format="plain_text"><text></text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <single>false</single>
    <answer fraction="50" format="plain_text"><text>2</text></answer>
    <answer fraction="50" format="plain_text"><text>3</text></answer>
    <answer fraction="-100" format="plain_text"><text>4</text></answer>
  </question>

<!-- question: 103  -->
  <question type="essay">
    <name><text>Discuss entropy</text></name>
    <questiontext format="html"><text>Write about entropy.</text></questiontext>
  </question>

<!-- question: 104  -->
  <question type="truefalse">
    <name><text>Boiling point</text></name>
    <questiontext format="moodle_auto_format"><text>Water boils at 100 °C
at sea level.</text></questiontext>
    <defaultgrade>1</defaultgrade>
    <answer fraction="100" format="moodle_auto_format"><text>true</text>
      <feedback format="moodle_auto_format"><text>Yes.</text></feedback></answer>
    <answer fraction="0" format="moodle_auto_format"><text>false</text>
      <feedback format="moodle_auto_format"><text>It does.</text></feedback></answer>
  </question>

<!-- question: 105  -->
  <question type="matching">
    <name><text>Pairs</text></name>
    <questiontext format="html"><text>Match them.</text></questiontext>
  </question>
</quiz>
"""


def test_a_moodle_export_comes_in_with_its_formatting_pictures_fractions_and_feedback(course):
    exam = course.exam(questions=0)
    checked = upload(course, exam["id"], EXPORT.encode(), "questions-chemistry.xml", dry_run=True)
    assert checked.status_code == 200, checked.json
    assert checked.json["count"] == 3
    assert [q["category"] for q in checked.json["questions"]] == ["Chemistry"] * 3
    assert checked.json["skipped"] == [{"line": 44, "name": "Discuss entropy", "type": "essay"},
                                       {"line": 62, "name": "Pairs", "type": "matching"}]
    assert course.call("GET", f"/api/exams/{exam['id']}").json["question_list"] == []  # a check adds nothing
    [preview_picture] = re.findall(r'<img src="([^"]+)"', checked.json["questions"][0]["html"])
    assert course.client.get(preview_picture.replace("&amp;", "&")).status_code == 200  # the preview shows it

    imported = upload(course, exam["id"], EXPORT.encode(), "questions-chemistry.xml", dry_run=False)
    assert imported.status_code == 200, imported.json
    water, primes, boiling = course.call("GET", f"/api/exams/{exam['id']}").json["question_list"]

    assert (water["type"], water["format"], water["points"]) == ("single", "html", 2)
    assert re.search(r'<img src="/content/images/\d+" alt="A bent molecule" width="8" height="8">', water["text"])
    assert "<script" not in water["text"] and "@@PLUGINFILE@@" not in water["text"]
    assert "<math" in water["html"]
    assert [(o["text"], o["correct"]) for o in water["options"]] == [
        ("<p>H<sub>2</sub>O</p>", True), ("<p>CO<sub>2</sub></p>", False)]
    assert water["explanation"] == ("<p>H<sub>2</sub>O is water.</p>"
                                    "<p><strong>H2O</strong>: Right: two hydrogens.</p>")

    assert (primes["type"], primes["points"]) == ("multi", 1)
    assert primes["text"] == "Which are prime? (x &lt; 5)"
    assert [(o["text"], o["correct"], o["weight"]) for o in primes["options"]] == [
        ("2", True, 50), ("3", True, 50), ("4", False, -100)]

    assert boiling["type"] == "single" and boiling["text"] == "Water boils at 100 °C<br>at sea level."
    # The category before them, without Moodle's "$course$/top/".
    assert [q["category"] for q in (water, primes, boiling)] == ["Chemistry"] * 3
    assert [(o["text"], o["correct"]) for o in boiling["options"]] == [("True", True), ("False", False)]
    assert "<strong>True</strong>: Yes." in boiling["explanation"]
    assert "<strong>False</strong>: It does." in boiling["explanation"]


@pytest.mark.parametrize(("body", "line", "says"), [
    ('<quiz><question type="multichoice"><name><text>Half</text></name><questiontext><text>Q</text></questiontext>'
     '<single>true</single><answer fraction="100"><text>a</text></answer><answer fraction="50"><text>b</text>'
     "</answer></question></quiz>", 1,
     'question "Half": answer 2 gives 50% of the points; a single-answer question here gives the points for its '
     "right answer only"),
    ("<quiz>\n<question type=\"multichoice\">\n<name><text>Broken</text></name>\n<questiontext><text>Q</text>"
     "\n</quiz>", 5, "this is not well-formed XML"),
    ('<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY lol "lol">]><quiz>&lol;</quiz>', 0,
     "the file declares entities or a DTD"),
    ("<questions></questions>", 1, "a Moodle XML file starts with <quiz>, not <questions>"),
    ('<quiz><question type="multichoice"><name><text>Lost</text></name><questiontext format="html"><text>'
     '<![CDATA[<img src="@@PLUGINFILE@@/gone.png" alt="x">]]></text></questiontext><answer fraction="100"><text>a'
     '</text></answer><answer fraction="0"><text>b</text></answer></question></quiz>', 1,
     'question "Lost": it shows the picture "gone.png", which the file does not carry'),
    ('<quiz><question type="multichoice"><name><text>Fake</text></name><questiontext format="html"><text>'
     '<![CDATA[<img src="@@PLUGINFILE@@/x.png" alt="x">]]></text><file name="x.png" encoding="base64">'
     + base64.b64encode(b"<svg onload='alert(1)'/>").decode() + '</file></questiontext><answer fraction="100">'
     '<text>a</text></answer><answer fraction="0"><text>b</text></answer></question></quiz>', 1,
     'question "Fake": its picture "x.png" cannot come in: That is not a picture the tool can read.'),
    ('<quiz><question type="essay"><name><text>Only an essay</text></name></question></quiz>', 0,
     "the file holds no multiple-choice or true/false questions (1 of other types"),
])
def test_a_file_that_cannot_come_in_whole_adds_nothing_and_says_where_and_why(course, body, line, says):
    exam = course.exam(questions=0)
    refused = upload(course, exam["id"], body.encode(), "bank.xml", dry_run=False)
    assert refused.status_code == 400, refused.json
    problems = refused.json["error"]["problems"]
    assert any(p["line"] == line and p["message"].startswith(says) for p in problems), problems
    assert course.call("GET", f"/api/exams/{exam['id']}").json["question_list"] == []


def test_an_export_as_moodle_xml_imports_again_the_same_pictures_included(course):
    picture = io.BytesIO()
    Image.new("RGB", (6, 6), (0, 128, 0)).save(picture, "PNG")
    src = course.call("POST", "/api/content/images", content_type="multipart/form-data",
                      data={"file": (io.BytesIO(picture.getvalue()), "leaf.png")}).json["src"]
    exam = course.exam(questions=0)
    questions = [
        {"type": "single", "format": "html", "points": 2, "explanation": r"<p>Because \(x\).</p>",
         "text": f'<p>Which leaf?</p><img src="{src}" alt="A green leaf">',
         "options": [{"text": "<em>Oak</em>", "correct": True}, {"text": "Elm", "correct": False}]},
        {"type": "multi", "points": 1, "text": "Which are even? (a < b)", "category": "Maths/Numbers",
         "options": [{"text": "2", "correct": True}, {"text": "4", "correct": True}, {"text": "5", "correct": False}]},
        {"type": "multi", "points": 1, "text": "Weighted", "category": "Maths/Numbers",
         "options": [{"text": "a", "correct": True, "weight": 75}, {"text": "b", "correct": True, "weight": 25},
                     {"text": "c", "correct": False, "weight": -50}]},
    ]
    for question in questions:
        assert course.call("POST", f"/api/exams/{exam['id']}/questions", json=question).status_code == 201
    exported = course.call("GET", f"/api/exams/{exam['id']}/export?format=moodle_xml")
    assert exported.status_code == 200 and exported.mimetype == "application/xml"
    assert 'filename="exam-' in exported.headers["Content-Disposition"]
    xml = exported.get_data(as_text=True)
    assert 'src="@@PLUGINFILE@@/picture-' in xml and 'encoding="base64"' in xml and "/content/images/" not in xml
    assert [float(f) for f in re.findall(r'fraction="([-\d.]+)"', xml)] == [
        100, 0, 50, 50, -100, 75, 25, -50]

    again = course.exam(questions=0)
    imported = upload(course, again["id"], xml.encode(), "exported.xml", dry_run=False)
    assert imported.status_code == 200, imported.json
    before = course.call("GET", f"/api/exams/{exam['id']}").json["question_list"]
    after = course.call("GET", f"/api/exams/{again['id']}").json["question_list"]
    # Plain questions come back as formatted text that shows the same; the picture is the same row.
    assert after[0]["text"] == before[0]["text"] and after[0]["explanation"] == before[0]["explanation"]
    assert [(q["type"], q["points"], q["category"]) for q in after] == [
        (q["type"], q["points"], q["category"]) for q in before]
    assert re.findall(r"<category><text>([^<]*)</text>", xml) == ["$course$/top/Maths/Numbers"]
    assert [q["html"] for q in after] == [q["html"] for q in before]
    assert [[(o["html"], o["correct"]) for o in q["options"]] for q in after] == [
        [(o["html"], o["correct"]) for o in q["options"]] for q in before]
    assert [o["weight"] for o in after[2]["options"]] == [75, 25, -50]


def test_the_export_puts_questions_without_a_category_before_any_category_element():
    """Moodle files a question before any category element in the category chosen at import; "$course$/top" would
    be the hidden top category."""
    def question(text, category=""):
        return {"kind": "single", "text": text, "format": "plain", "points": 1, "category": category,
                "options": [{"text": "a", "correct": True}, {"text": "b", "correct": False}]}

    xml = moodle_xml.write([question("Cells 1", "Cells"), question("Loose"), question("Genes 1", "Genes"),
                            question("Cells 2", "Cells")], picture=None)
    order = re.findall(r'<question type="(\w+)">.*?<text>([^<]*)</text>', xml)
    assert order == [("multichoice", "Question 2"), ("category", "$course$/top/Cells"), ("multichoice", "Question 1"),
                     ("category", "$course$/top/Genes"), ("multichoice", "Question 3"),
                     ("category", "$course$/top/Cells"), ("multichoice", "Question 4")]
