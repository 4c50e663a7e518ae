"""IMS QTI, written here by hand from the specifications and Canvas's export: a Canvas quiz package (QTI 1.2) with
its pictures, QTI 2.1 and 3.0 choice items (match_correct and map_response), what is left out, and what refuses
a package whole."""

import io
import re
import zipfile

import pytest
from PIL import Image

from lti_tool.exam import qti
from tests.exam.test_authoring import upload


def png():
    out = io.BytesIO()
    Image.new("RGB", (5, 5), (255, 200, 0)).save(out, "PNG")
    return out.getvalue()


def package(files):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m1" xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1">
  <resources><resource identifier="quiz1" type="imsqti_xmlv1p2"><file href="quiz1/quiz1.xml"/></resource></resources>
</manifest>"""


def canvas_item(ident, kind, text, answers, right, *, wrong=(), points="1.0", feedback=None):
    labels = "".join(f'<response_label ident="{a}"><material><mattext texttype="text/plain">{t}</mattext></material>'
                     "</response_label>" for a, t in answers)
    condition = "".join(f'<varequal respident="response1">{r}</varequal>' for r in right) + "".join(
        f'<not><varequal respident="response1">{w}</varequal></not>' for w in wrong)
    if len(right) + len(wrong) > 1:
        condition = f"<and>{condition}</and>"
    general = (f'<itemfeedback ident="general_fb"><flow_mat><material><mattext texttype="text/html">{feedback}'
               "</mattext></material></flow_mat></itemfeedback>") if feedback else ""
    return f"""<item ident="{ident}" title="Question">
      <itemmetadata><qtimetadata>
        <qtimetadatafield><fieldlabel>question_type</fieldlabel><fieldentry>{kind}</fieldentry></qtimetadatafield>
        <qtimetadatafield><fieldlabel>points_possible</fieldlabel><fieldentry>{points}</fieldentry></qtimetadatafield>
      </qtimetadata></itemmetadata>
      <presentation>
        <material><mattext texttype="text/html">{text}</mattext></material>
        <response_lid ident="response1" rcardinality="{'Multiple' if len(right) > 1 else 'Single'}">
          <render_choice>{labels}</render_choice></response_lid>
      </presentation>
      <resprocessing>
        <outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/></outcomes>
        <respcondition continue="No"><conditionvar>{condition}</conditionvar>
          <setvar action="Set" varname="SCORE">100</setvar></respcondition>
      </resprocessing>{general}
    </item>"""


CANVAS = f"""<?xml version="1.0" encoding="UTF-8"?>
<questestinterop xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2">
  <assessment ident="quiz1" title="Plants"><section ident="root_section">
    {canvas_item("q1", "multiple_choice_question",
                 "&lt;p&gt;Which leaf? &lt;img src=&quot;$IMS-CC-FILEBASE$/Uploaded%20Media/leaf.png&quot; "
                 "alt=&quot;A yellow leaf&quot;&gt;&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;",
                 [("1", "Oak"), ("2", "Elm")], ["1"], points="2.0", feedback="&lt;p&gt;Oaks are lobed.&lt;/p&gt;")}
    <section ident="g1" title="Trees and ferns">
      <selection_ordering><selection><selection_number>1</selection_number>
        <selection_extension><points_per_item>1.0</points_per_item></selection_extension></selection>
      </selection_ordering>
    {canvas_item("q2", "multiple_answers_question", "Which are trees?",
                 [("3", "Oak"), ("4", "Fern"), ("5", "Elm")], ["3", "5"], wrong=["4"])}
    {canvas_item("q3", "true_false_question", "Ferns have seeds.", [("6", "True"), ("7", "False")], ["7"])}
    </section>
    <item ident="q4" title="Describe"><itemmetadata><qtimetadata><qtimetadatafield><fieldlabel>question_type
      </fieldlabel><fieldentry>essay_question</fieldentry></qtimetadatafield></qtimetadata></itemmetadata></item>
  </section></assessment>
</questestinterop>"""


def test_a_canvas_quiz_package_comes_in_with_its_pictures_and_leaves_out_other_types(course):
    exam = course.exam(questions=0)
    data = package({"imsmanifest.xml": MANIFEST, "quiz1/quiz1.xml": CANVAS,
                    "quiz1/assessment_meta.xml": "<quiz xmlns='http://canvas.instructure.com/xsd/cccv1p0'/>",
                    "web_resources/Uploaded Media/leaf.png": png()})
    checked = upload(course, exam["id"], data, "plants-export.zip", dry_run=True)
    assert checked.status_code == 200, checked.json
    assert checked.json["count"] == 3
    assert checked.json["skipped"] == [{"line": 0, "name": "Describe (q4)", "type": "essay_question"}]
    assert upload(course, exam["id"], data, "plants-export.zip", dry_run=False).status_code == 200
    leaf, trees, ferns = course.call("GET", f"/api/exams/{exam['id']}").json["question_list"]
    assert (leaf["type"], leaf["points"], leaf["explanation"]) == ("single", 2, "<p>Oaks are lobed.</p>")
    assert re.fullmatch(r'<p>Which leaf\? <img src="/content/images/\d+" alt="A yellow leaf"></p>', leaf["text"])
    assert [(o["text"], o["correct"]) for o in leaf["options"]] == [("Oak", True), ("Elm", False)]
    assert (trees["type"], [o["correct"] for o in trees["options"]]) == ("multi", [True, False, True])
    assert (ferns["type"], [(o["text"], o["correct"]) for o in ferns["options"]]) == (
        "single", [("True", False), ("False", True)])
    # A Canvas question group (a section drawing some of its items) becomes a category, ready for a random draw.
    assert [q["category"] for q in (leaf, trees, ferns)] == ["", "Trees and ferns", "Trees and ferns"]


QTI21 = """<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="cells-1" title="Cells"
    adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
    <correctResponse><value>B</value></correctResponse>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody>
    <p>Where is DNA kept in a cell? It is written \\(\\text{DNA}\\).</p>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="1">
      <prompt>Choose one.</prompt>
      <simpleChoice identifier="A">Ribosome</simpleChoice>
      <simpleChoice identifier="B">Nucleus <em>(mostly)</em></simpleChoice>
    </choiceInteraction>
  </itemBody>
  <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>
</assessmentItem>"""

QTI30 = """<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="primes-3" title="Primes">
  <qti-response-declaration identifier="RESPONSE" cardinality="multiple" base-type="identifier">
    <qti-correct-response><qti-value>P2</qti-value><qti-value>P3</qti-value></qti-correct-response>
    <qti-mapping default-value="0">
      <qti-map-entry map-key="P2" mapped-value="1"/><qti-map-entry map-key="P3" mapped-value="1"/>
      <qti-map-entry map-key="P4" mapped-value="-2"/>
    </qti-mapping>
  </qti-response-declaration>
  <qti-item-body>
    <qti-choice-interaction response-identifier="RESPONSE" max-choices="0">
      <qti-prompt><p>Which are prime?</p></qti-prompt>
      <qti-simple-choice identifier="P2">2</qti-simple-choice>
      <qti-simple-choice identifier="P3">3</qti-simple-choice>
      <qti-simple-choice identifier="P4">4</qti-simple-choice>
    </qti-choice-interaction>
  </qti-item-body>
  <qti-response-processing template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml"/>
</qti-assessment-item>"""


def test_qti_2_1_and_3_0_choice_items_come_in_with_match_correct_and_map_response(course):
    exam = course.exam(questions=0)
    assert upload(course, exam["id"], QTI21.encode(), "cells-1.xml", dry_run=False).status_code == 200
    items = package({"imsmanifest.xml": "<manifest/>", "items/primes-3.xml": QTI30})
    imported = upload(course, exam["id"], items, "primes.zip", dry_run=False)
    assert imported.status_code == 200, imported.json
    cells, primes = course.call("GET", f"/api/exams/{exam['id']}").json["question_list"]
    assert cells["type"] == "single" and cells["text"].startswith("<p>Where is DNA kept in a cell?")
    assert "<math" in cells["html"] and cells["text"].endswith("Choose one.")
    assert [(o["text"], o["correct"]) for o in cells["options"]] == [
        ("Ribosome", False), ("Nucleus <em>(mostly)</em>", True)]
    assert (primes["type"], primes["points"], primes["text"]) == ("multi", 2, "<p>Which are prime?</p>")
    assert [(o["text"], o["correct"], o["weight"]) for o in primes["options"]] == [
        ("2", True, 50), ("3", True, 50), ("4", False, -100)]


@pytest.mark.parametrize(("name", "data", "says"), [
    ("bad.zip", b"PK\x03\x04 not really", "the file is not a .zip package"),
    ("none.zip", package({"quiz/q.xml": CANVAS.replace(">100</setvar>", ">0</setvar>")}),
     'item "q1": no answer is marked right'),
    ("other.xml", QTI21.replace("match_correct", "my_own_rules").encode(),
     'item "cells-1": its response processing is not one of the templates'),
    ("text.zip", package({"a.xml": "<assessmentItem><itemBody><p>unclosed</itemBody></assessmentItem>"}),
     "a.xml: this is not well-formed XML"),
])
def test_a_package_that_cannot_come_in_whole_adds_nothing_and_names_the_item(course, name, data, says):
    exam = course.exam(questions=0)
    refused = upload(course, exam["id"], data, name, dry_run=False)
    assert refused.status_code == 400, refused.json
    assert any(p["message"].startswith(says) for p in refused.json["error"]["problems"]), refused.json
    assert course.call("GET", f"/api/exams/{exam['id']}").json["question_list"] == []


def test_a_package_that_unpacks_too_large_is_refused_before_it_is_read(course):
    exam = course.exam(questions=0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.xml", b"\0" * (60 * 1024 * 1024))  # 60 MB that packs into ~60 KB
    refused = upload(course, exam["id"], out.getvalue(), "bomb.zip", dry_run=True)
    assert refused.status_code == 400
    assert "unpacks to more than 50 MB" in refused.json["error"]["problems"][0]["message"]


def test_canvas_texts_are_plain_unless_they_say_html():
    item = canvas_item("q9", "multiple_choice_question", "x", [("1", "a &lt; b &amp; &lt;b&gt;c&lt;/b&gt;"),
                                                               ("2", "d")], ["1"])
    root, _ = qti.parse(f"<questestinterop><assessment><section>{item}</section></assessment></questestinterop>",
                        "quiz.xml")
    [question], problems, _ = qti.read_document(root, limit=10)
    assert not problems and question.options[0].text == "a &lt; b &amp; &lt;b&gt;c&lt;/b&gt;"


def test_a_qti_export_imports_again_the_same_pictures_included(course):
    picture = course.call("POST", "/api/content/images", content_type="multipart/form-data",
                          data={"file": (io.BytesIO(png()), "sun.png")}).json["src"]
    exam = course.exam(questions=0)
    questions = [
        {"type": "single", "format": "html", "points": 2,
         "text": f'<p>Which star?&nbsp;\\(E = mc^2\\)<br>Look:</p><img src="{picture}" alt="A yellow square">',
         "options": [{"text": "<em>The Sun</em>", "correct": True}, {"text": "Vega", "correct": False}]},
        {"type": "multi", "points": 3, "text": "Pick the even ones: 2 < 3 & so on",
         "options": [{"text": "2", "correct": True, "weight": 75}, {"text": "4", "correct": True, "weight": 25},
                     {"text": "5", "correct": False, "weight": -50}]},
        {"type": "multi", "points": 1, "text": "Plain multi\nsecond line",
         "options": [{"text": "a", "correct": True}, {"text": "b", "correct": True}, {"text": "c", "correct": False}]},
    ]
    for question in questions:
        assert course.call("POST", f"/api/exams/{exam['id']}/questions", json=question).status_code == 201
    exported = course.call("GET", f"/api/exams/{exam['id']}/export?format=qti")
    assert exported.status_code == 200 and exported.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(exported.data)) as archive:
        names = archive.namelist()
        assert "imsmanifest.xml" in names and len([n for n in names if n.startswith("items/question-")]) == 3
        assert any(n.startswith("items/pictures/") for n in names)
        for name in names:
            if name.endswith(".xml"):
                qti.parse(archive.read(name).decode(), name)  # well-formed XML, each of them

    again = course.exam(questions=0)
    imported = upload(course, again["id"], exported.data, "exported.zip", dry_run=False)
    assert imported.status_code == 200, imported.json
    before = course.call("GET", f"/api/exams/{exam['id']}").json["question_list"]
    after = course.call("GET", f"/api/exams/{again['id']}").json["question_list"]
    assert [(q["type"], q["points"], q["html"]) for q in after] == [(q["type"], q["points"], q["html"]) for q in before]
    assert [[(o["html"], o["correct"]) for o in q["options"]] for q in after] == [
        [(o["html"], o["correct"]) for o in q["options"]] for q in before]
    assert [o["weight"] for o in after[1]["options"]] == [75, 25, -50]
    assert export_format_refused(course, exam)


def export_format_refused(course, exam):
    response = course.call("GET", f"/api/exams/{exam['id']}/export?format=docx")
    return response.status_code == 400 and "Export as json, moodle_xml or qti" in response.json["error"]["message"]
