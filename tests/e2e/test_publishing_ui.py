"""Drafts, preview and publishing in Chromium inside the cross-site LMS frame: an exam added from the LMS is a
draft its students are told is not open; Publish lists what is missing; the test maker previews it (a banner
says nothing is recorded, and the preview is not on the marks) and publishes it from the exam list, after which
Back to draft is in the card's "More" list and is refused once a student has started; the student lobby offers
the test maker Preview, not Start."""

import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.demo_lms import add_exam_to_course, launch, tool_frame
from tests.e2e.modules import importing
from tests.e2e.tool_api import ToolApi

pytestmark = pytest.mark.browser

QUESTION = {"type": "single", "text": "Which city is the capital of France?", "points": 1,
            "options": [{"text": "Paris", "correct": True}, {"text": "Lyon", "correct": False}]}


def test_a_new_exam_is_a_draft_until_published_and_previews_record_nothing(live_server, page):
    title = f"Draft quiz {uuid.uuid4().hex[:8]}"
    maker = add_exam_to_course(page, live_server, title)
    exam_id = next(e["id"] for e in maker.call("GET", "/api/exams")["exams"] if e["title"] == title)

    launch(page, live_server, "student", "Student", link=title)
    expect(tool_frame(page).locator("#lobby-status")).to_contain_text("This exam is not open yet.")
    expect(tool_frame(page).get_by_role("button", name="Start the exam")).to_be_hidden()

    # The exam list: a draft, and Publish says what is missing, next to the button.
    launch(page, live_server, "test maker", "Test Maker", link=title)
    frame = tool_frame(page)
    card = frame.get_by_role("listitem", name=title)
    expect(card).to_contain_text("Draft")
    card.get_by_role("button", name=f"Publish: {title}").click()
    expect(card.locator(".problems")).to_contain_text("Add at least one question, or draw some")
    expect(card.get_by_role("button", name=f"Publish: {title}")).to_be_focused()

    # Preview as a student: the banner says nothing is recorded; answer, submit, see the result.
    maker.call("POST", f"/api/exams/{exam_id}/questions", expected=201, json=QUESTION)
    card.get_by_role("button", name=f"Preview {title}").click()
    expect(frame.locator("#preview-banner")).to_contain_text("Preview — nothing is recorded", timeout=15000)
    frame.get_by_label("Paris").check()
    screenshot(page, "preview-banner")
    frame.get_by_role("button", name="Submit exam…").click()
    frame.get_by_role("dialog", name="Submit your exam?").get_by_role("button", name="Submit now").click()
    expect(frame.get_by_role("heading", name="Your exam has been submitted")).to_be_visible(timeout=15000)
    expect(frame.locator("#ended-score")).to_have_text("Score: 1 out of 1")
    expect(frame.locator("#preview-banner")).to_be_visible()
    marks = maker.call("GET", f"/api/exams/{exam_id}/marks")
    assert all(row["attempt_id"] is None for row in marks["students"])

    # Back to the exam list, and publish from there; the student may now start.
    frame.get_by_role("button", name="Back to the exam list").click()
    card = frame.get_by_role("listitem", name=title)
    card.get_by_role("button", name=f"Publish: {title}").click()
    expect(frame.get_by_role("status").filter(has_text=f"Published “{title}”")).to_be_visible()
    expect(card).to_contain_text("Published")
    # Back to draft is in the "More" list now, where focus goes.
    more = card.get_by_role("button", name=f"More actions for {title}")
    expect(more).to_be_focused()
    screenshot(page, "publish-from-manage")
    student = ToolApi(live_server["tool"], launch(page, live_server, "student", "Student", link=title))
    expect(tool_frame(page).get_by_role("button", name="Start the exam")).to_be_visible()
    student.call("POST", f"/api/exams/{exam_id}/attempts")

    # A student has started: back to draft is refused, said next to the card, and focus is back on "More".
    launch(page, live_server, "test maker", "Test Maker", link=title)
    more.click()
    card.get_by_role("button", name=f"Back to draft: {title}").click()
    expect(card.locator(".problems")).to_have_text("Students have already started this exam, so it stays published.")
    expect(more).to_be_focused()
    screenshot(page, "back-to-draft-refused")

    # The student lobby tells a test maker to preview the exam and offers no Start.
    tool = page.frame(name="tool-frame")
    with tool.expect_navigation():
        tool.evaluate(importing("async () => (await import('/static/js/session.js')).navigate('/exam/lobby')"))
    expect(frame.locator("#lobby-status")).to_contain_text("A test maker tries it as they see it with “Preview”")
    expect(frame.locator("#lobby-exam-title")).to_have_text(title)
    expect(frame.get_by_role("button", name="Start the exam")).to_be_hidden()
    screenshot(page, "lobby-as-test-maker")
