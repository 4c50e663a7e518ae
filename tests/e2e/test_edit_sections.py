"""The edit page in the LMS frame at 800 px: one section at a time, kept in the URL fragment; unsaved changes shown,
and asked about before switching section or leaving; face checks off limits while the camera is off; closing now in
its own section, after a confirmation; every problem next to its field, with the focus on it (issue 13 items 7, 8)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.demo_lms import tool_frame
from tests.e2e.test_take_exam import make_exam

pytestmark = pytest.mark.browser

QUESTION = {"type": "single", "text": "Which city is the capital of France?", "points": 1,
            "options": [{"text": "Paris", "correct": True}, {"text": "Lyon", "correct": False}]}
SECTIONS = {"settings": "Settings", "questions": "Questions", "proctoring": "Camera and proctoring",
            "people": "People and extra time", "close": "Close the exam"}


def open_edit_page(page, live_server, title):
    page.set_viewport_size({"width": 800, "height": 1000})
    make_exam(page, live_server, title, [QUESTION])
    frame = tool_frame(page)
    frame.get_by_role("button", name=f"Edit {title}").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text(f"Edit “{title}”", timeout=15000)
    return frame


def tab(frame, name):
    return frame.get_by_role("tablist", name="Parts of this exam").get_by_role("tab", name=name)


def active_id(page):
    return page.frame(name="tool-frame").evaluate("document.activeElement.id")


def test_sections_show_one_at_a_time_and_the_fragment_keeps_the_open_one(live_server, page):
    frame = open_edit_page(page, live_server, "Sections")
    expect(frame.get_by_role("tabpanel")).to_have_count(1)
    expect(tab(frame, "Settings")).to_have_attribute("aria-selected", "true")
    expect(frame.get_by_role("tabpanel")).to_contain_text("Title")
    expect(frame.get_by_role("button", name="Close the exam now…")).to_be_hidden()

    # Arrow keys move between the tabs; Enter opens one.
    tab(frame, "Settings").focus()
    tab(frame, "Settings").press("ArrowRight")
    expect(tab(frame, "Questions")).to_be_focused()
    tab(frame, "Questions").press("Enter")
    expect(tab(frame, "Questions")).to_have_attribute("aria-selected", "true")
    expect(frame.get_by_role("tabpanel")).to_have_count(1)
    expect(frame.get_by_role("tabpanel")).to_contain_text("Which city is the capital of France?")
    assert "section=questions" in page.frame(name="tool-frame").url

    # A reload of the frame comes back to the same section. The navigation starts after evaluate has
    # returned: one started inside it can destroy the context before evaluate's answer comes back.
    frame_window = page.frame(name="tool-frame")
    with frame_window.expect_navigation():
        frame_window.evaluate("setTimeout(() => location.reload())")
    expect(tab(frame, "Questions")).to_have_attribute("aria-selected", "true", timeout=15000)
    expect(frame.get_by_role("button", name="Add a question")).to_be_visible()

    # So does Back from another page of the tool.
    frame.get_by_role("navigation", name="Exam pages").get_by_role("button", name="Marks").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("Marks: “Sections”", timeout=15000)
    page.frame(name="tool-frame").evaluate("setTimeout(() => history.back())")
    expect(tab(frame, "Questions")).to_have_attribute("aria-selected", "true", timeout=15000)

    for section, name in SECTIONS.items():
        tab(frame, name).click()
        expect(tab(frame, name)).to_have_attribute("aria-selected", "true")
        expect(frame.get_by_role("tabpanel")).to_have_count(1)
        screenshot(page, f"edit-sections-{section}")


def test_the_sections_fit_a_phone_without_scrolling_sideways(live_server, page, browser):
    maker, exam_id = make_exam(page, live_server, "Narrow", [QUESTION])
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        phone = context.new_page()
        phone.goto(f"{live_server['tool']}/exam/edit?id={exam_id}#token={maker.token}")
        for section, name in SECTIONS.items():
            phone.get_by_role("tab", name=name).click(timeout=15000)
            expect(phone.get_by_role("tabpanel")).to_have_count(1)
            assert phone.evaluate("document.documentElement.scrollWidth <= innerWidth"), section
        phone.get_by_role("tab", name="Settings").click()
        screenshot(phone, "edit-sections-settings-390")
    finally:
        context.close()


def test_unsaved_changes_are_shown_and_asked_about_before_switching_or_leaving(live_server, page):
    frame = open_edit_page(page, live_server, "Unsaved")
    panel = frame.get_by_role("tabpanel")
    frame.get_by_label("Title").fill("Unsaved, renamed")
    expect(panel.get_by_text("Unsaved changes")).to_be_visible()
    expect(tab(frame, "Settings: unsaved changes")).to_be_visible()

    # Switching section asks: staying keeps the changes.
    tab(frame, "Questions").click()
    ask = frame.get_by_role("group", name="Settings has unsaved changes. Discard them and open Questions?")
    expect(ask).to_be_visible()
    expect(ask.get_by_role("button", name="Stay in Settings")).to_be_focused()
    ask.get_by_role("button", name="Stay in Settings").click()
    expect(tab(frame, "Settings: unsaved changes")).to_have_attribute("aria-selected", "true")
    expect(frame.get_by_label("Title")).to_have_value("Unsaved, renamed")
    screenshot(page, "edit-sections-unsaved")

    # Leaving the page (here by the tool's own navigation) asks the browser's question first.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    frame.get_by_role("navigation", name="Exam pages").get_by_role("button", name="Marks").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    expect(frame.get_by_role("heading", level=1)).to_have_text("Edit “Unsaved”")

    # Saving clears it: no question when switching.
    frame.get_by_role("button", name="Save settings").click()
    expect(frame.get_by_role("status").filter(has_text="Settings saved")).to_be_visible()
    expect(panel.get_by_text("Unsaved changes")).to_be_hidden()
    tab(frame, "Questions").click()
    expect(tab(frame, "Questions")).to_have_attribute("aria-selected", "true")

    # Discarding puts back what was saved.
    tab(frame, "Settings").click()
    frame.get_by_label("Duration (minutes)").fill("5")
    tab(frame, "Questions").click()
    frame.get_by_role("button", name="Discard changes").click()
    expect(tab(frame, "Questions")).to_have_attribute("aria-selected", "true")
    tab(frame, "Settings").click()
    expect(frame.get_by_label("Duration (minutes)")).to_have_value("60")
    assert dialogs == ["beforeunload"]


def test_face_checks_wait_for_the_camera_and_closing_now_asks_in_its_own_section(live_server, page):
    frame = open_edit_page(page, live_server, "Camera and close")
    tab(frame, "Camera and proctoring").click()
    faces = frame.get_by_label("Face checks")
    expect(frame.get_by_label("Off: no camera")).to_be_checked()
    expect(faces).to_be_disabled()
    reason = frame.get_by_text("Face checks need the camera: choose Required or Optional above to use them.")
    expect(reason).to_be_visible()
    expect(faces).to_have_attribute("aria-describedby", "c-faces-off c-faces-hint")
    frame.get_by_label("Required: no camera, no questions").check()
    expect(faces).to_be_enabled()
    expect(reason).to_be_hidden()
    frame.get_by_role("button", name="Save camera and proctoring").click()
    expect(frame.get_by_role("status").filter(has_text="Camera and proctoring saved")).to_be_visible()

    tab(frame, "Close the exam").click()
    panel = frame.get_by_role("tabpanel", name="Close the exam")
    panel.get_by_role("button", name="Close the exam now…").click()
    ask = panel.get_by_role("group", name="Close “Camera and close” now?", exact=False)
    expect(ask).to_be_visible()
    expect(ask.get_by_role("button", name="Cancel")).to_be_focused()
    screenshot(page, "edit-sections-close-confirm")
    ask.get_by_role("button", name="Cancel").click()
    expect(panel.get_by_role("button", name="Close the exam now…")).to_be_enabled()


def test_problems_show_next_to_their_field_with_the_focus_on_it(live_server, page):
    frame = open_edit_page(page, live_server, "Field errors")
    opens, closes = frame.get_by_label("Opens"), frame.get_by_label("Closes")
    opens.fill("2030-01-02T10:00")
    closes.fill("2030-01-01T10:00")
    frame.get_by_role("button", name="Save settings").click()
    expect(closes).to_have_attribute("aria-invalid", "true")
    error = frame.locator("#s-closes-error")
    expect(error).to_have_text("Must be after the time it opens.")
    assert "s-closes-error" in closes.get_attribute("aria-describedby").split()
    expect(opens).not_to_have_attribute("aria-invalid", "true")
    assert active_id(page) == "s-closes"
    expect(frame.get_by_role("alert").filter(has_text="Not saved: one field needs a change.")).to_be_visible()
    screenshot(page, "edit-sections-field-error")

    # The server's own check (a review with nothing to show) is shown the same way, beside its field.
    closes.fill("")
    opens.fill("")
    when = frame.get_by_label("When a student sees the review of a finished attempt")
    when.select_option(label="Right after the attempt ends")
    for part in ("The score, percent and pass or not", "The student's answers and whether each is right",
                 "The right answers", "The explanations"):
        frame.get_by_label(part).uncheck()
    frame.get_by_role("button", name="Save settings").click()
    expect(when).to_have_attribute("aria-invalid", "true")
    expect(frame.locator("#s-review-when-error")).to_contain_text("Nothing is chosen to show")
    expect(closes).not_to_have_attribute("aria-invalid", "true")
    assert active_id(page) == "s-review-when"

    # A number out of range is caught before sending, in the server's words.
    frame.get_by_label("The explanations").check()
    frame.get_by_label("Duration (minutes)").fill("5000")
    frame.get_by_role("button", name="Save settings").click()
    expect(frame.locator("#s-duration-error")).to_have_text("Must be a whole number from 1 to 1440.")
    assert active_id(page) == "s-duration"

    # The question form too: the first blank field gets the focus, each blank says what it needs.
    frame.get_by_label("Duration (minutes)").fill("60")
    frame.get_by_role("button", name="Save settings").click()
    expect(frame.get_by_role("status").filter(has_text="Settings saved")).to_be_visible()
    tab(frame, "Questions").click()
    frame.get_by_role("button", name="Add a question").click()
    editor = frame.get_by_role("form", name="New question")
    editor.get_by_label("Option 1", exact=True).fill("Blue")
    editor.get_by_label("Points").fill("0")
    editor.get_by_role("button", name="Add question").click()
    points = editor.get_by_label("Points")
    expect(points).to_have_accessible_description("Must be a number of at least 0.5.")
    expect(points).to_be_focused()  # first in the page's order
    expect(editor.get_by_label("Question text")).to_have_accessible_description("Write the question's text.")
    option_2 = editor.get_by_label("Option 2", exact=True)
    expect(option_2).to_have_accessible_description("Write this option's text, or remove the option.")
    expect(editor.get_by_label("Option 1", exact=True)).not_to_have_attribute("aria-invalid", "true")
    screenshot(page, "edit-sections-question-errors")
