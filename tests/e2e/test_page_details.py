"""Small things users noticed (issue 13 item 9), seen in Chromium: the flag button says what a click does, the
exam page's first Tab stops are the question's, not "Submit exam…"; the identity block is one quiet line; an exam
card shows two buttons and keeps the rest in a "More" list that the keyboard opens and Escape closes (a draft's
Publish and Preview stay beside them; a published exam's Back to draft and Preview go into the list)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.demo_lms import add_exam_to_course, launch, tool_frame
from tests.e2e.test_take_exam import QUESTIONS, make_exam

pytestmark = pytest.mark.browser

FOCUSED_ID = "document.activeElement.id || document.activeElement.className"


def open_exam(page, live_server, title):
    """As a student: start a new exam of the demo course and wait for its first question."""
    make_exam(page, live_server, title, QUESTIONS[:2])
    launch(page, live_server, "student", "Student", link=title)
    frame = tool_frame(page)
    frame.get_by_role("button", name="Start the exam").click()
    expect(frame.locator("#question-heading")).to_have_text("Question 1 of 2", timeout=15000)
    return frame


def test_the_flag_button_says_flagged_when_on(live_server, page):
    frame = open_exam(page, live_server, "Flag wording")
    flag = frame.locator("#flag")
    expect(flag).to_have_accessible_name("Flag for review")
    expect(flag).not_to_have_attribute("aria-pressed", re.compile(".*"))

    flag.click()
    expect(flag).to_have_accessible_name("Flagged: remove flag")

    flag.click()
    expect(flag).to_have_accessible_name("Flag for review")


def test_submit_comes_after_the_question_in_the_tab_order(live_server, page):
    frame = open_exam(page, live_server, "Tab order")
    frame.locator(".skip-link").focus()
    stops = []
    while len(stops) < 40 and "submit-open" not in stops:
        page.keyboard.press("Tab")
        stops.append(page.frame(name="tool-frame").evaluate(FOCUSED_ID))
    assert "submit-open" in stops, stops
    before_submit = stops[:stops.index("submit-open")]
    assert {"flag", "next"} <= set(before_submit), stops


IDENTITY_LAYOUT = """(block) => ({
    lines: new Set([...block.querySelectorAll("dd")].map((dd) => Math.round(dd.getBoundingClientRect().top))).size,
    termsShown: [...block.querySelectorAll("dt")].filter((dt) => dt.getBoundingClientRect().width > 1).length,
})"""


def test_the_identity_block_is_one_quiet_line_still_labelled_for_screen_readers(live_server, page):
    launch(page, live_server, "student", "Student")
    block = tool_frame(page).locator("#identity")
    expect(block).to_have_attribute("aria-busy", "false", timeout=15000)
    assert block.evaluate(IDENTITY_LAYOUT) == {"lines": 1, "termsShown": 0}
    expect(block.locator("dt")).to_have_text(["You are", "Course", "Your role", "Exam"])
    expect(block.locator('[data-field="course"]')).to_have_text("Demo Course 101")


def test_an_exam_card_shows_two_buttons_and_the_rest_in_a_keyboard_menu(live_server, page):
    title = "Card menu"
    maker = add_exam_to_course(page, live_server, title)
    card = tool_frame(page).get_by_role("listitem", name=title)
    more = card.get_by_role("button", name=f"More actions for {title}")
    # A draft's publishing controls come first; the everyday actions are two buttons and a menu.
    expect(card.locator(".publishing").get_by_role("button")).to_have_text(["Publish", "Preview"])
    expect(card.locator(".actions").get_by_role("button")).to_have_text(["Edit", "Marks", "More ▾"])
    expect(more).to_have_attribute("aria-expanded", "false")

    # Enter opens the list; Tab walks it; Escape closes it and focus goes back to "More".
    more.focus()
    page.keyboard.press("Enter")
    expect(more).to_have_attribute("aria-expanded", "true")
    expect(card.get_by_role("listitem").get_by_role("button")).to_have_text(["Live room", "Duplicate", "Archive",
                                                                             "Delete"])
    page.keyboard.press("Tab")
    expect(card.get_by_role("button", name=f"Live room of {title}")).to_be_focused()
    page.keyboard.press("Escape")
    expect(more).to_have_attribute("aria-expanded", "false")
    expect(card.get_by_role("button", name=f"Live room of {title}")).to_be_hidden()
    expect(more).to_be_focused()

    # An action from the list closes it; a cancelled confirmation gives focus back to "More".
    page.keyboard.press("Space")
    card.get_by_role("button", name=f"Archive {title}").click()
    expect(more).to_have_attribute("aria-expanded", "false")
    confirm = card.get_by_role("group", name=re.compile(f"^Archive “{title}”\\?"))
    expect(confirm).to_be_visible()
    page.keyboard.press("Escape")
    expect(confirm).to_have_count(0)
    expect(more).to_be_focused()

    # Published: Preview and Back to draft are occasional now, in the list; the card shows the two buttons only.
    exam_id = next(e["id"] for e in maker.call("GET", "/api/exams")["exams"] if e["title"] == title)
    maker.call("POST", f"/api/exams/{exam_id}/questions", expected=201, json=QUESTIONS[0])
    maker.call("POST", f"/api/exams/{exam_id}/publish")
    launch(page, live_server, "test maker", "Test Maker", link=title)
    expect(card).to_contain_text("Published")
    expect(card.get_by_role("button")).to_have_text(["Edit", "Marks", "More ▾"])
    more.click()
    expect(card.get_by_role("listitem").get_by_role("button")).to_have_text(
        ["Preview", "Live room", "Duplicate", "Back to draft", "Archive", "Delete"])
    card.get_by_role("button", name=f"Back to draft: {title}").click()
    expect(card).to_contain_text("Draft")
    expect(card.locator(".publishing").get_by_role("button")).to_have_text(["Publish", "Preview"])
    expect(card.get_by_role("button", name=f"Publish: {title}")).to_be_focused()
