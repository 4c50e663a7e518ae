"""The whole exam and the proctor's actions with the keyboard alone (Tab, Shift+Tab, Enter, Space, arrows), inside
the demo LMS's cross-site frame, with the focus ring shown at every stop in the tool."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from lti_tool.demo import roster
from tests.e2e.conftest import screenshot
from tests.e2e.demo_lms import launch, tool_frame
from tests.e2e.test_proctor_dashboard import StudentSocket, start_attempt
from tests.e2e.test_take_exam import QUESTIONS, make_exam

pytestmark = pytest.mark.browser

TAB_LIMIT = 60
# Runs in the tool's frame: the element focused there, and whether a focus ring (an outline, or its option's) shows.
FOCUS = """() => {
    if (!document.hasFocus() || document.activeElement === document.body) return null;
    const ring = (e) => e && getComputedStyle(e).outlineStyle !== "none"
        && parseFloat(getComputedStyle(e).outlineWidth) > 0;
    const focused = document.activeElement;
    return { what: focused.outerHTML.slice(0, 120), shown: ring(focused) || ring(focused.closest(".option")) };
}"""


def tab_to(page, target, key="Tab"):
    """Press `key` until `target` (in the tool's frame) has the focus, checking the focus ring at each stop in the
    tool; fail if it is not reached within TAB_LIMIT presses."""
    tool = page.frame(name="tool-frame")
    stops = []
    for _ in range(TAB_LIMIT):
        page.keyboard.press(key)
        focused = tool.evaluate(FOCUS)
        if focused:
            assert focused["shown"], f"no focus ring on {focused['what']}"
        if target.evaluate("(e) => e === document.activeElement"):
            assert focused, f"{target} is focused but the tool's frame does not say so"
            return
        stops.append(focused["what"] if focused else "(outside the tool)")
    path = "\n".join(stops)
    raise AssertionError(f"{target} not reached with {key} in {TAB_LIMIT} presses; the focus went:\n{path}")


def test_a_student_takes_the_whole_exam_with_the_keyboard(live_server, page):
    title = f"Keyboard quiz {uuid.uuid4().hex[:6]}"
    make_exam(page, live_server, title, QUESTIONS[:2], require_fullscreen=True)
    launch(page, live_server, "student", "Student", link=title)
    frame = tool_frame(page)

    # The lobby's Start, then the pre-exam check: full screen (this exam requires it), and the check's Start.
    tab_to(page, frame.get_by_role("button", name="Start the exam"))
    page.keyboard.press("Enter")
    check = frame.get_by_role("region", name="Pre-exam check")
    expect(check).to_be_visible(timeout=15000)
    tab_to(page, check.get_by_role("button", name="Enter full screen"))
    page.keyboard.press("Enter")
    expect(check.locator("#check-fullscreen")).to_contain_text("Passed: The page is in full screen.")
    tab_to(page, check.get_by_role("button", name="Start the exam"))
    page.keyboard.press("Enter")

    heading = frame.locator("#question-heading")
    expect(heading).to_have_text("Question 1 of 2", timeout=15000)
    tab_to(page, frame.get_by_label("Paris"))
    page.keyboard.press("Space")
    expect(frame.get_by_label("Paris")).to_be_checked()
    page.keyboard.press("ArrowDown")  # a radio group moves and chooses with the arrows
    expect(frame.get_by_label("Lyon")).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(frame.get_by_label("Paris")).to_be_checked()
    expect(frame.locator("#save-state")).to_have_text("Saved")

    tab_to(page, frame.get_by_role("button", name="Flag for review", exact=True))
    page.keyboard.press("Enter")
    expect(frame.get_by_role("button", name="Flagged: remove flag", exact=True)).to_be_focused()
    tab_to(page, frame.get_by_role("button", name="Next", exact=True))
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Question 2 of 2")

    tab_to(page, frame.get_by_label("Two"))
    page.keyboard.press("Space")
    tab_to(page, frame.get_by_label("Three"))
    page.keyboard.press("Space")
    expect(frame.locator("#save-state")).to_have_text("Saved")
    expect(frame.locator("#answered-count")).to_have_text("2 of 2 answered")

    # Back to the flagged question from the question list, going backwards.
    tab_to(page, frame.get_by_role("button", name=re.compile("^Question 1, answered, flagged")), key="Shift+Tab")
    page.keyboard.press("Enter")
    expect(heading).to_have_text("Question 1 of 2")
    expect(frame.get_by_label("Paris")).to_be_checked()

    tab_to(page, frame.get_by_role("button", name="Submit exam…"))
    page.keyboard.press("Enter")
    dialog = frame.get_by_role("dialog", name="Submit your exam?")
    expect(dialog).to_be_visible()
    tab_to(page, dialog.get_by_role("button", name="Submit now"))
    page.keyboard.press("Enter")
    expect(frame.get_by_role("heading", name="Your exam has been submitted")).to_be_visible(timeout=15000)
    screenshot(page, "keyboard-exam-submitted")


def test_a_proctor_warns_pauses_and_ends_an_attempt_with_the_keyboard(live_server, page):
    title = f"Keyboard room {uuid.uuid4().hex[:6]}"
    maker, exam_id = make_exam(page, live_server, title, QUESTIONS[:2])
    maker.call("POST", "/api/course/roster/refresh")
    maker.call("PUT", f"/api/exams/{exam_id}/proctors", json={"emails": [roster.PROCTOR.email]})
    token = launch(page, live_server, "student", "Student", link=title)
    attempt_id = start_attempt(live_server, token, exam_id)["id"]
    student = StudentSocket(live_server, token, attempt_id)
    try:
        launch(page, live_server, "proctor", "Proctor", link=title)
        frame = tool_frame(page)
        expect(frame.locator("#connection")).to_have_text(re.compile("^Live"), timeout=15000)
        name = roster.FIRST_STUDENT.name
        tab_to(page, frame.get_by_role("button", name=name, exact=True))
        page.keyboard.press("Enter")
        panel = frame.get_by_role("dialog", name=name)
        expect(panel).to_be_visible()

        tab_to(page, panel.get_by_role("button", name="Send warning"))
        page.keyboard.press("Enter")
        expect(panel.locator("#warn-result")).to_contain_text(f"Warning sent to {name}")
        assert student.next("warn")["text"] == "Please keep the exam tab in front: leaving it is recorded."

        tab_to(page, panel.get_by_role("button", name="Pause the clock"))
        page.keyboard.press("Enter")
        student.next("pause")
        resume = panel.get_by_role("button", name="Resume")
        # The focused Pause gives way to Resume, and the focus goes with it.
        expect(resume).to_be_focused(timeout=15000)
        page.keyboard.press("Enter")
        student.next("resume")
        expect(panel.get_by_role("button", name="Pause the clock")).to_be_focused(timeout=15000)

        tab_to(page, panel.get_by_label("Reason (required)"))
        page.keyboard.type("A phone on the desk")
        tab_to(page, panel.get_by_role("button", name="End the attempt…"))
        page.keyboard.press("Enter")
        expect(panel.get_by_role("button", name="Keep it running")).to_be_focused()
        # The confirming button is the one before: forward, Tab would leave the frame and go round the whole LMS
        # page, which lists every link the session's tests made.
        tab_to(page, panel.get_by_role("button", name="End the attempt", exact=True), key="Shift+Tab")
        page.keyboard.press("Enter")
        assert student.next("terminate")["reason"] == "A phone on the desk"
        expect(panel.locator("#panel-ended")).to_contain_text("This attempt has ended (Terminated)")
        page.keyboard.press("Escape")
        expect(frame.get_by_role("button", name=name, exact=True)).to_be_focused()
    finally:
        student.close()
