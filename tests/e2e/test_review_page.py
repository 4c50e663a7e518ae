"""A student's review page inside the demo LMS's cross-site frame: the submit confirmation says when results show,
the end screen and the lobby lead to the review, and the review shows the score, percent, pass or not, and each
question with the student's choice, the right answers and the explanation (the test maker's texts as plain text)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.demo_lms import launch, tool_frame
from tests.e2e.modules import importing
from tests.e2e.test_take_exam import make_exam

pytestmark = pytest.mark.browser

QUESTIONS = [
    {"type": "single", "text": "Which city is the capital of France?", "points": 1,
     "explanation": "Paris has been the capital <b>since 508</b>.",
     "options": [{"text": "Paris", "correct": True}, {"text": "Lyon", "correct": False}]},
    {"type": "multi", "text": "Which of these numbers are prime?", "points": 2,
     "explanation": "Nine is three times three.",
     "options": [{"text": "Two", "correct": True}, {"text": "Three", "correct": True},
                 {"text": "Nine", "correct": False}]},
]

# Runs in the tool's frame: the sentence for each review timing, as the submit confirmation and the lobby say it.
TIMING_WORDS = importing("""async () => {
    const { reviewPromise } = await import("/static/js/review-timing.js");
    return [
        reviewPromise({ when: "immediately", closes_at: null }),
        reviewPromise({ when: "after_close", closes_at: "2026-12-05T09:00:00+00:00" }),
        reviewPromise({ when: "after_close", closes_at: null }),
        reviewPromise({ when: "never", closes_at: null }),
    ];
}""")


def test_the_review_page_after_submitting_shows_answers_right_answers_and_explanations(live_server, page):
    make_exam(page, live_server, "Review quiz", QUESTIONS, review_when="immediately", pass_mark=50)
    launch(page, live_server, "student", "Student", link="Review quiz")
    frame = tool_frame(page)
    frame.get_by_role("button", name="Start the exam").click()
    expect(frame.locator("#question-heading")).to_have_text("Question 1 of 2", timeout=15000)
    frame.get_by_label("Paris").check()
    expect(frame.locator("#save-state")).to_have_text("Saved")
    frame.get_by_role("button", name="Next", exact=True).click()
    frame.get_by_label("Two").check()
    frame.get_by_label("Nine").check()
    expect(frame.locator("#save-state")).to_have_text("Saved")

    words = page.frame(name="tool-frame").evaluate(TIMING_WORDS)
    assert words[0] == "Your results will be shown right after you submit."
    # The closing time in the browser's zone, naming the zone (UTC here, or an abbreviation or offset elsewhere).
    closes = r"Your results will be shown after the exam closes on .*2026.* (UTC|GMT[+-]?[\d:]*|[A-Z]{2,5})\."
    assert re.fullmatch(closes, words[1]), words[1]
    assert words[2:] == ["Your results will be shown after your teacher closes the exam.",
                         "Your teacher has chosen not to show results."]

    frame.get_by_role("button", name="Submit exam…").click()
    dialog = frame.get_by_role("dialog", name="Submit your exam?")
    expect(dialog).to_contain_text("Your results will be shown right after you submit.")
    dialog.get_by_role("button", name="Submit now").click()
    expect(frame.get_by_role("heading", name="Your exam has been submitted")).to_be_visible(timeout=15000)
    expect(frame.locator("#ended-score")).to_have_text("Score: 1 out of 3")
    frame.get_by_role("button", name="See your results").click()

    expect(frame.get_by_role("heading", name="Your results", level=1)).to_be_visible(timeout=15000)
    expect(frame.locator("#review-status")).to_have_text("Your results for attempt 1.")
    expect(frame.locator('[data-mark="score"]')).to_have_text("1 out of 3")
    expect(frame.locator('[data-mark="percent"]')).to_have_text("33.3%")
    expect(frame.locator('[data-mark="passed"]')).to_have_text("Not passed (the pass mark is 50%)")
    questions = frame.get_by_role("list").filter(has=frame.locator(".review-question")).locator("> li")
    expect(questions).to_have_count(2)
    first, second = questions.nth(0), questions.nth(1)
    expect(first.get_by_role("heading", level=3)).to_have_text("Question 1: Right · 1 of 1 point")
    expect(first.get_by_role("listitem").filter(has_text="Paris")).to_contain_text("Your answer · Right answer")
    expect(first.get_by_text("Paris has been the capital <b>since 508</b>.")).to_be_visible()
    expect(first.locator("b")).to_have_count(0)
    expect(first.locator('.question-text[dir="auto"]')).to_have_text("Which city is the capital of France?")
    expect(second.get_by_role("heading", level=3)).to_have_text("Question 2: Wrong · 0 of 2 points")
    options = second.locator(".review-options > li")
    expect(options).to_have_text(["TwoYour answer · Right answer", "ThreeRight answer", "NineYour answer"])
    expect(second.get_by_role("heading", name="Explanation")).to_be_visible()
    screenshot(page, "review-page")

    # At phone width nothing scrolls sideways, and the way back is a button the keyboard reaches.
    page.set_viewport_size({"width": 390, "height": 900})
    tool = page.frame(name="tool-frame")
    expect(frame.locator('[data-mark="percent"]')).to_be_visible()
    assert tool.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    back = frame.get_by_role("button", name="Back to the exam lobby")
    back.focus()
    page.keyboard.press("Enter")
    expect(frame.locator('[data-fact="last-status"]')).to_have_text("Attempt 1: Submitted.", timeout=15000)
    expect(frame.get_by_role("button", name="See your results")).to_be_visible()


def test_the_edit_page_sets_the_review_options_in_a_labelled_fieldset(live_server, page):
    maker, exam_id = make_exam(page, live_server, "Review settings", QUESTIONS[:1])
    frame = tool_frame(page)
    frame.get_by_role("button", name="Edit Review settings").click()
    options = frame.get_by_role("group", name="Results students see")
    timing = options.get_by_label("When a student sees the review of a finished attempt")
    expect(timing).to_have_value("never", timeout=15000)
    timing.select_option(label="After the exam closes")
    options.get_by_label("The explanations").uncheck()
    frame.get_by_role("button", name="Save settings").click()
    expect(frame.get_by_role("status").filter(has_text="Settings saved")).to_be_visible()
    settings = maker.call("GET", f"/api/exams/{exam_id}")["settings"]
    assert {name: settings[name] for name in settings if name.startswith("review_")} == {
        "review_when": "after_close", "review_score": True, "review_answers": True, "review_right_answers": True,
        "review_explanations": False}
    screenshot(page, "review-options")
