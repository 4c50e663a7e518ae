"""Random draws in Chromium: a test maker gives a question a category in its form and sets how many questions of a
category each student is drawn (a wrong number refused in words), students get different questions of the pool,
and the marks page counts each question over the attempts that had it; and the whole road from a Moodle bank with
pictures and formulas to students' different draws."""

import base64
import io
import re
import uuid

import pytest
from PIL import Image
from playwright.sync_api import expect

from lti_tool.demo import roster
from tests.e2e.axe import assert_no_violations
from tests.e2e.conftest import screenshot
from tests.e2e.demo_lms import add_exam_to_course, tool_frame
from tests.e2e.test_authoring_ui import launch_as_test_maker
from tests.e2e.test_proctor_dashboard import launch_as, start_attempt
from tests.e2e.test_take_exam import make_exam
from tests.e2e.tool_api import ToolApi

pytestmark = pytest.mark.browser


def question(text, category=""):
    return {"type": "single", "text": text, "points": 1, "category": category,
            "options": [{"text": "right", "correct": True}, {"text": "wrong", "correct": False}]}


QUESTIONS = [question("Warm-up"), *(question(f"Cells {n}", "Cells") for n in range(1, 5))]


def test_a_test_maker_sets_a_random_draw_and_students_get_different_questions(live_server, page):
    title = f"Random draws {uuid.uuid4().hex[:6]}"
    maker, exam_id = make_exam(page, live_server, title, QUESTIONS)
    frame = launch_as_test_maker(page, live_server)
    frame.get_by_role("listitem", name=title).get_by_role("button", name=f"Edit {title}").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text(f"Edit “{title}”", timeout=15000)
    frame.get_by_role("tab", name="Questions").click()

    # The form's category: the first question goes into a category of its own, which the draws table then lists.
    frame.get_by_role("button", name="Edit question 1").click()
    frame.get_by_label("Category (optional)").fill("Warm-up")
    frame.get_by_role("button", name="Save question").click()
    expect(frame.get_by_role("status").filter(has_text="Question 1 saved.")).to_be_visible()
    expect(frame.locator("#question-list > li").first).to_contain_text("Category: Warm-up")
    draws = frame.get_by_role("region", name="Random draws")
    expect(draws.get_by_label("Warm-up", exact=True)).to_be_visible()  # a row of its own beside Cells (and the bank's)

    cells = draws.get_by_label("Cells", exact=True)
    cells.fill("9")
    draws.get_by_role("button", name="Save the draws").click()
    expect(draws.get_by_role("alert")).to_have_text(
        re.compile("Category “Cells” has 4 questions: draw from 1 to 4 of them."))
    cells.fill("2")
    draws.get_by_role("button", name="Save the draws").click()
    expect(draws.get_by_role("status")).to_have_text("Saved: each student is drawn 2 of Cells.")
    expect(draws.get_by_role("alert")).to_be_hidden()
    assert_no_violations(page.frame(name="tool-frame"), "the edit page's Random draws with two categories")
    screenshot(page, "random-draws")

    # Students start until two have different questions of Cells (all five alike: (1/6)^4 by chance).
    drawn, attempts = set(), []
    for person in roster.STUDENTS:
        token = launch_as(page, live_server, person, link=title)
        attempt = start_attempt(live_server, token, exam_id)
        texts = [q["text"] for q in attempt["questions"]]
        assert texts[0] == "Warm-up" and len(texts) == 3 and all(t.startswith("Cells ") for t in texts[1:])
        drawn.add(tuple(texts[1:]))
        attempts.append((token, attempt))
        if len(drawn) > 1:
            break
    assert len(drawn) > 1, f"five students drew the same two questions: {drawn}"
    for token, attempt in attempts:
        ToolApi(live_server["tool"], token).call("POST", f"/api/attempts/{attempt['id']}/submit")

    # The marks page: every attempt had the warm-up; each question of Cells counts the attempts that drew it.
    had = {text: sum(text in pair for pair in drawn_by) for text, drawn_by in
           ((f"Cells {n}", [tuple(q["text"] for q in a["questions"]) for _, a in attempts]) for n in range(1, 5))}
    maker_frame = launch_as_test_maker(page, live_server)
    maker_frame.get_by_role("listitem", name=title).get_by_role("button", name=f"Marks of {title}").click()
    rows = maker_frame.locator("#questions-table tbody tr")
    expect(rows).to_have_count(5)
    expect(rows.nth(0).locator("td").nth(1)).to_have_text(str(len(attempts)))
    for n in range(1, 5):
        expect(rows.nth(n).locator("td").nth(1)).to_have_text(str(had[f"Cells {n}"]))


def moodle_bank(size):
    """A Moodle XML export of `size` questions in category Cells, each with a picture and a formula."""
    picture = io.BytesIO()
    Image.new("RGB", (12, 12), (0, 90, 0)).save(picture, "PNG")
    data = base64.b64encode(picture.getvalue()).decode()
    questions = "".join(f"""
  <question type="multichoice">
    <name><text>Cell {n}</text></name>
    <questiontext format="html"><text><![CDATA[<p>Cell {n}: what is \\(x^{{{n}}}\\) here?
      <img src="@@PLUGINFILE@@/cell.png" alt="A green cell"></p>]]></text>
      <file name="cell.png" path="/" encoding="base64">{data}</file></questiontext>
    <defaultgrade>1</defaultgrade><single>true</single>
    <answer fraction="100" format="html"><text>Right</text></answer>
    <answer fraction="0" format="html"><text>Wrong</text></answer>
  </question>""" for n in range(1, size + 1))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/Cells</text></category></question>{questions}
</quiz>
"""


def test_a_moodle_bank_becomes_a_random_slot_that_students_see_with_its_pictures_and_formulas(live_server, page):
    title = f"Cells bank {uuid.uuid4().hex[:6]}"
    maker = add_exam_to_course(page, live_server, title)
    exam_id = next(e["id"] for e in maker.call("GET", "/api/exams")["exams"] if e["title"] == title)
    frame = launch_as_test_maker(page, live_server)
    card = frame.get_by_role("listitem", name=title)
    card.get_by_role("button", name=f"Edit {title}").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text(f"Edit “{title}”", timeout=15000)
    frame.get_by_role("tab", name="Questions").click()
    frame.get_by_label("Question file (.csv, .json, .gift, .xml or .zip)").set_input_files(
        {"name": "cells.xml", "mimeType": "text/xml", "buffer": moodle_bank(6).encode()})
    frame.get_by_role("button", name="Import 6 questions").click()
    expect(frame.locator("#question-list > li")).to_have_count(6)
    draws = frame.get_by_role("region", name="Random draws")
    draws.get_by_label("Cells", exact=True).fill("2")
    draws.get_by_role("button", name="Save the draws").click()
    expect(draws.get_by_role("status")).to_have_text("Saved: each student is drawn 2 of Cells.")

    # The test maker's preview of the draft draws like a student's attempt.
    frame = launch_as_test_maker(page, live_server)
    frame.get_by_role("listitem", name=title).get_by_role("button", name=f"Preview {title}").click()
    expect(frame.locator("#question-heading")).to_have_text("Question 1 of 2", timeout=15000)
    maker.call("POST", f"/api/exams/{exam_id}/publish")

    students_draw_differently(page, live_server, title, exam_id)
    screenshot(page, "random-draws-student")


def students_draw_differently(page, live_server, title, exam_id):
    """Students of the demo course start the exam of link `title` (2 of a Moodle bank of pictures and formulas
    drawn each) until two draws differ ((1/15)^4 that five are alike); the last one's page, in the browser, shows
    the picture and the formula. [(token, attempt)] of those who started."""
    drawn, attempts = set(), []
    for person in roster.STUDENTS:
        token = launch_as(page, live_server, person, link=title)
        attempt = start_attempt(live_server, token, exam_id)
        assert len(attempt["questions"]) == 2
        drawn.add(tuple(sorted(q["id"] for q in attempt["questions"])))
        attempts.append((token, attempt))
        if len(drawn) > 1:
            break
    assert len(drawn) > 1, f"five students drew the same two questions: {drawn}"
    student = tool_frame(page)
    student.get_by_role("button", name=re.compile("^(Continue|Resume|Start)")).first.click()
    expect(student.locator("#question-heading")).to_have_text("Question 1 of 2", timeout=15000)
    text = student.locator("#question-text")
    expect(text.get_by_role("img", name="A green cell")).to_be_visible()
    expect(text.locator('math[display="inline"] msup')).to_have_count(1)
    return attempts
