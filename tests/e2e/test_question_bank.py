"""The course question bank in Chromium: a test maker imports a Moodle XML bank with pictures and formulas into it,
finds and tags a question, makes an exam draw from its category and previews it; students get different draws and
see the picture and the formula; the marks page counts each bank question over the attempts that drew it."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_no_violations
from tests.e2e.conftest import screenshot
from tests.e2e.demo_lms import add_exam_to_course
from tests.e2e.test_authoring_ui import launch_as_test_maker
from tests.e2e.test_random_draws import moodle_bank, question, students_draw_differently
from tests.e2e.test_take_exam import make_exam
from tests.e2e.tool_api import ToolApi

pytestmark = pytest.mark.browser


def open_bank(frame):
    """From the exam list to the question bank, once its script has loaded it (the heading is there before)."""
    frame.get_by_role("button", name="Question bank").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("Question bank", timeout=15000)
    expect(frame.get_by_role("heading", level=2, name=re.compile("^Questions"))).to_be_visible()


def test_a_test_maker_fills_the_bank_and_an_exam_draws_from_it(live_server, page):
    title = f"Bank draws {uuid.uuid4().hex[:6]}"
    # Its own name: the demo course's bank is shared by the other browser tests' exams.
    category = f"Bank pool {uuid.uuid4().hex[:6]}"
    maker = add_exam_to_course(page, live_server, title)
    exam_id = next(e["id"] for e in maker.call("GET", "/api/exams")["exams"] if e["title"] == title)
    frame = launch_as_test_maker(page, live_server)
    open_bank(frame)

    bank = moodle_bank(6).replace("$course$/top/Cells", f"$course$/top/{category}")
    frame.get_by_label("Question file (.csv, .json, .gift, .xml or .zip)").set_input_files(
        {"name": "cells.xml", "mimeType": "text/xml", "buffer": bank.encode()})
    expect(frame.locator("#import-status")).to_contain_text("“cells.xml” is fine: 6 questions ready to import.")
    frame.get_by_role("button", name="Import 6 questions").click()
    expect(frame.locator("#import-status")).to_contain_text("Imported 6 questions into the bank")

    frame.get_by_label("Category").select_option(label=f"{category}: 6 questions")
    frame.get_by_role("button", name="Show", exact=True).click()
    expect(frame.locator("#bank-list > li")).to_have_count(6)
    expect(frame.locator("#bank-status")).to_have_text("6 questions shown.")
    frame.get_by_role("button", name="Edit question 1").click()
    frame.get_by_label("Tags (optional)").fill("week 1, microscope")
    frame.get_by_role("button", name="Save question").click()
    expect(frame.locator("#bank-status")).to_have_text("Question saved.")
    expect(frame.locator("#bank-list > li").first).to_contain_text("Tags: week 1, microscope")
    frame.get_by_label("Tag").select_option(label="microscope: 1 question")
    frame.get_by_role("button", name="Show", exact=True).click()
    expect(frame.locator("#bank-list > li")).to_have_count(1)
    expect(frame.locator("#bank-list img[alt='A green cell']")).to_be_visible()
    expect(frame.locator("#bank-list math msup")).to_have_count(1)
    assert_no_violations(page.frame(name="tool-frame"), "the question bank with a filtered list")
    screenshot(page, "question-bank")

    # The exam draws 2 of the bank's category: its draws table lists it with the bank's questions.
    frame.get_by_role("button", name="All exams").click()
    frame.get_by_role("listitem", name=title).get_by_role("button", name=f"Edit {title}").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text(f"Edit “{title}”", timeout=15000)
    frame.get_by_role("tab", name="Questions").click()
    draws = frame.get_by_role("region", name="Random draws")
    row = draws.get_by_role("row").filter(has_text=category)
    expect(row).to_contain_text("6 questions, 6 of them in the question bank")
    draws.get_by_label(category).fill("2")
    draws.get_by_role("button", name="Save the draws").click()
    expect(draws.get_by_role("status")).to_have_text(f"Saved: each student is drawn 2 of {category}.")
    screenshot(page, "question-bank-draws")

    frame = launch_as_test_maker(page, live_server)
    frame.get_by_role("listitem", name=title).get_by_role("button", name=f"Preview {title}").click()
    expect(frame.locator("#question-heading")).to_have_text("Question 1 of 2", timeout=15000)
    assert maker.call("POST", f"/api/exams/{exam_id}/publish")["published"] is True

    attempts = students_draw_differently(page, live_server, title, exam_id)
    for token, attempt in attempts:
        ToolApi(live_server["tool"], token).call("POST", f"/api/attempts/{attempt['id']}/submit")

    # The marks: one row per bank question drawn, each counting the attempts that drew it.
    had = {}
    for _, attempt in attempts:
        for drawn_question in attempt["questions"]:
            had[drawn_question["id"]] = had.get(drawn_question["id"], 0) + 1
    frame = launch_as_test_maker(page, live_server)
    frame.get_by_role("listitem", name=title).get_by_role("button", name=f"Marks of {title}").click()
    rows = frame.locator("#questions-table tbody tr")
    expect(rows).to_have_count(len(had))
    expect(rows.first.locator("th")).to_contain_text("(question bank)")
    assert sorted(int(rows.nth(n).locator("td").nth(1).inner_text()) for n in range(len(had))) == sorted(had.values())


def test_a_test_maker_copies_an_exams_questions_into_the_bank(live_server, page):
    title = f"Old pool {uuid.uuid4().hex[:6]}"
    category = f"Moved {uuid.uuid4().hex[:6]}"
    make_exam(page, live_server, title, [question("Osmosis?", category), question("Diffusion?", category)])
    frame = launch_as_test_maker(page, live_server)
    open_bank(frame)
    copying = frame.get_by_role("region", name="Copy questions from an exam")
    expect(copying.get_by_role("option", name=f"{title}: 2 questions")).to_be_attached()
    copying.get_by_label("Copy from").select_option(label=f"{title}: 2 questions")
    copying.get_by_role("button", name="Show its questions").click()
    expect(copying.get_by_role("checkbox", name=f"Question 1 ({category})")).to_be_focused()
    copying.get_by_role("button", name="Copy the chosen questions").click()
    expect(copying.get_by_role("status")).to_contain_text(f"2 questions copied from “{title}”: the bank now holds")
    frame.get_by_label("Category").select_option(label=f"{category}: 2 questions")
    frame.get_by_role("button", name="Show", exact=True).click()
    expect(frame.locator("#bank-list > li")).to_have_count(2)
    expect(frame.locator("#bank-list")).to_contain_text("Osmosis?")
    assert_no_violations(page.frame(name="tool-frame"), "the question bank after a copy from an exam")
