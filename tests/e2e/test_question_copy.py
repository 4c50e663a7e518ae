"""Copying questions from another exam on the edit page, in Chromium: choose the exam, see its questions, leave one
out, copy the rest."""

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import assert_no_violations
from tests.e2e.conftest import screenshot
from tests.e2e.test_authoring_ui import launch_as_test_maker
from tests.e2e.test_random_draws import question
from tests.e2e.test_take_exam import make_exam

pytestmark = pytest.mark.browser


def test_a_test_maker_copies_chosen_questions_from_another_exam(live_server, page):
    source = f"Copy source {uuid.uuid4().hex[:6]}"
    target = f"Copy target {uuid.uuid4().hex[:6]}"
    make_exam(page, live_server, source, [question("Osmosis?", "Cells"), question("Skip me"), question("Diffusion?")])
    maker, target_id = make_exam(page, live_server, target, [question("Already here")])
    frame = launch_as_test_maker(page, live_server)
    frame.get_by_role("listitem", name=target).get_by_role("button", name=f"Edit {target}").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text(f"Edit “{target}”", timeout=15000)
    frame.get_by_role("tab", name="Questions").click()

    copying = frame.get_by_role("region", name="Copy questions from the question bank or another exam")
    copying.get_by_role("button", name="Show its questions").click()
    expect(copying.get_by_role("alert")).to_have_text("Choose the question bank or the exam to copy questions from.")
    copying.get_by_label("Copy from").select_option(label=f"{source}: 3 questions")
    copying.get_by_role("button", name="Show its questions").click()
    chosen = copying.get_by_role("group", name=f"Questions of “{source}”")
    expect(chosen.get_by_role("checkbox")).to_have_count(3)
    expect(chosen.get_by_role("checkbox", name="Question 1 (Cells)")).to_be_focused()
    chosen.get_by_role("checkbox", name="Question 2").uncheck()
    assert_no_violations(page.frame(name="tool-frame"), "the edit page's question copy with its choices")
    screenshot(page, "question-copy")
    copying.get_by_role("button", name="Copy the chosen questions").click()
    expect(copying.get_by_role("status")).to_have_text(
        f"2 questions copied from “{source}”: this exam now has 3 questions.")
    expect(frame.locator("#question-list > li")).to_have_count(3)
    texts = [q["text"] for q in maker.call("GET", f"/api/exams/{target_id}")["question_list"]]
    assert texts == ["Already here", "Osmosis?", "Diffusion?"]
