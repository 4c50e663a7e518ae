"""A student takes a proctored exam inside the demo LMS's cross-site frame while the proctor's side is played by
a Python client on the dashboard socket: violations reach the proctor as they happen, a warning must be
acknowledged (also after a reload), a pause freezes the page until the resume, an announcement shows, a
force-close locks the page with the reason, and an exam that requires full screen shows its questions only there.

Headless Chromium never hides a page by itself, so a hidden tab is played as STACK.md says: the page's
visibilityState is redefined and the event dispatched."""

import re
import uuid
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.demo_lms import add_exam_to_course, launch, tool_frame
from tests.e2e.modules import importing
from tests.e2e.proctor_client import ProctorClient
from tests.e2e.test_take_exam import QUESTIONS, attempt_id_of
from tests.e2e.tool_api import student_row

pytestmark = pytest.mark.browser

HIDE_TAB = """() => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
    document.dispatchEvent(new Event("visibilitychange"));
}"""
SHOW_TAB = """() => {
    delete document.visibilityState;
    delete document.hidden;
    document.dispatchEvent(new Event("visibilitychange"));
}"""

# Runs in the exam page: session.js refreshes the launch token, and the open socket sends it in a new hello.
REFRESH_TOKEN = importing("""async () => {
    const { launchToken, refreshToken } = await import("/static/js/session.js");
    const sent = [];
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) { sent.push(JSON.parse(data)); return send.call(this, data); };
    try {
        const outcome = await refreshToken();
        return { outcome, hello: sent.filter((m) => m.type === "hello").map((m) => m.token === launchToken()) };
    } finally {
        WebSocket.prototype.send = send;
    }
}""")


@pytest.fixture
def proctored(live_server, page):
    """Adds an exam of two questions with these settings to the demo course, opens its proctor's socket, and
    puts a student on question 1 of the open attempt with the page's proctoring connected."""
    clients = []

    def open_exam(**settings):
        # A link of its own, so its grade goes to its own gradebook column.
        title = f"Proctored quiz {uuid.uuid4().hex[:8]}"
        maker = add_exam_to_course(page, live_server, title)
        exam_id = next(e["id"] for e in maker.call("GET", "/api/exams")["exams"] if e["title"] == title)
        if settings:
            maker.call("PATCH", f"/api/exams/{exam_id}", json=settings)
        for question in QUESTIONS[:2]:
            maker.call("POST", f"/api/exams/{exam_id}/questions", expected=201, json=question)
        maker.call("POST", f"/api/exams/{exam_id}/publish")
        proctor = ProctorClient(live_server["tool"], maker.token, exam_id)
        clients.append(proctor)
        launch(page, live_server, "student", "Student", link=title)
        tool_frame(page).get_by_role("button", name="Start the exam").click()
        if settings.get("require_fullscreen"):
            # The pre-exam check asks for full screen before the clock starts.
            check = tool_frame(page).get_by_role("region", name="Pre-exam check")
            check.get_by_role("button", name="Enter full screen").click()
            check.get_by_role("button", name="Start the exam").click()
        expect(tool_frame(page).locator("#proctoring-status")).to_have_text("Proctoring connected", timeout=15000)
        attempt_id = attempt_id_of(page)
        proctor.next("presence", attempt_id=attempt_id, state="online")
        return {"maker": maker, "exam_id": exam_id, "proctor": proctor, "attempt_id": attempt_id}

    yield open_exam
    for client in clients:
        client.close()


def test_violations_reach_the_proctor_and_a_warning_stays_until_the_student_acknowledges_it(page, proctored):
    exam = proctored()
    proctor, attempt_id = exam["proctor"], exam["attempt_id"]
    frame = tool_frame(page)
    tool = page.frame(name="tool-frame")
    expect(frame.locator("#question-heading")).to_have_text("Question 1 of 2")

    tool.evaluate(HIDE_TAB)
    hidden = proctor.event("violation", "tab_hidden")
    assert hidden["attempt_id"] == attempt_id
    # The page's clock when it happened, next to the server's.
    assert abs(datetime.fromisoformat(hidden["client_time"]) - datetime.fromisoformat(hidden["at"])) < timedelta(
        seconds=30)
    assert proctor.next("presence", attempt_id=attempt_id)["state"] == "away"
    tool.evaluate(SHOW_TAB)
    assert proctor.next("presence", attempt_id=attempt_id)["state"] == "online"

    # Copy twice in a row is one report (at most one a second); events reach the proctor in order, so no
    # second copy came before the context menu's.
    frame.locator("#question-text").select_text()
    page.keyboard.press("Control+C")
    page.keyboard.press("Control+C")
    frame.locator("#question-text").click(button="right")
    assert proctor.event("violation", "copy")["attempt_id"] == attempt_id
    proctor.event("violation", "context_menu")
    assert not [m for m in proctor.seen if m["type"] == "event" and m["event"]["detail"] == "copy"]
    page.keyboard.press("F12")
    assert proctor.event("violation", "devtools_shortcut")["text"] == "F12"

    proctor.command(type="warn", attempt_id=attempt_id, text="Keep your eyes on your own screen, please.")
    warning_id = proctor.event("warning")["id"]
    dialog = frame.get_by_role("dialog", name="Warning from your proctor")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Keep your eyes on your own screen, please.")
    understood = dialog.get_by_role("button", name="I understand")
    expect(understood).to_be_focused()
    screenshot(page, "proctored-warning")
    # Escape does not dismiss it (Chromium closes a dialog on a second Escape: the page opens it again).
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    expect(dialog).to_be_visible()
    expect(understood).to_be_focused()

    # Reloaded before acknowledging: the server sends the warning again.
    with tool.expect_navigation():
        tool.evaluate("setTimeout(() => location.reload(), 0)")
    expect(dialog).to_be_visible(timeout=15000)
    expect(dialog).to_contain_text("Keep your eyes on your own screen, please.")
    expect(understood).to_be_focused()
    understood.click()
    expect(dialog).to_be_hidden()
    acknowledged = proctor.event("warning_ack")
    assert acknowledged["data"] == {"warning_id": warning_id}
    expect(frame.get_by_label("Paris")).to_be_enabled()


def test_pause_resume_announce_and_force_close(page, proctored):
    exam = proctored()
    proctor, attempt_id = exam["proctor"], exam["attempt_id"]
    frame = tool_frame(page)
    paris = frame.get_by_label("Paris")
    expect(paris).to_be_enabled()

    proctor.command(type="pause", attempt_id=attempt_id, reason="Fire alarm")
    paused = frame.get_by_role("heading", name="Your exam is paused by the proctor; your answers are safe")
    expect(paused).to_be_visible()
    expect(paused).to_be_focused()
    expect(paris).to_be_disabled()
    expect(frame.get_by_role("button", name="Submit exam…")).to_be_disabled()
    stopped_at = frame.locator("#clock").inner_text()
    screenshot(page, "proctored-paused")

    proctor.command(type="resume", attempt_id=attempt_id)
    expect(paused).to_be_hidden()
    expect(frame.locator("#question-heading")).to_be_focused()
    paris.check()
    expect(frame.locator("#save-state")).to_have_text("Saved")
    assert frame.locator("#clock").inner_text() <= stopped_at

    proctor.command(type="announce", text="Ten minutes left for everyone.")
    announcement = frame.get_by_role("status").filter(has_text="Announcement from the proctor")
    expect(announcement).to_contain_text("Ten minutes left for everyone.")

    proctor.command(type="terminate", attempt_id=attempt_id, reason="A phone on the desk")
    ended = frame.get_by_role("heading", name="Your exam was ended by the proctor")
    expect(ended).to_be_visible()
    expect(ended).to_be_focused()
    expect(frame.locator("#ended-message")).to_have_text(
        "Reason given: A phone on the desk. The answers you saved before it ended were submitted and will be graded.")
    expect(paris).to_be_hidden()
    # The page has closed its socket.
    assert proctor.next("presence", attempt_id=attempt_id, state="offline")
    screenshot(page, "proctored-terminated")
    row = student_row(exam["maker"], exam["exam_id"], attempt_id)
    assert (row["status"], row["score"]) == ("terminated", 1)


def test_the_socket_takes_a_refreshed_token_and_reports_a_lost_connection_once_back(page, proctored):
    exam = proctored()
    proctor, attempt_id = exam["proctor"], exam["attempt_id"]
    status = tool_frame(page).locator("#proctoring-status")
    assert page.frame(name="tool-frame").evaluate(REFRESH_TOKEN) == {"outcome": "refreshed", "hello": [True]}
    # The socket stays open on the new token.
    proctor.command(type="announce", text="Still here?")
    expect(tool_frame(page).locator("#announcement")).to_contain_text("Still here?")
    expect(status).to_have_text("Proctoring connected")

    # What happens while offline is kept and sent once the socket is back, stamped with when it happened.
    page.context.set_offline(True)
    expect(status).to_have_text("Proctoring: reconnecting…")
    tool_frame(page).locator("#question-text").click(button="right")
    page.context.set_offline(False)
    expect(status).to_have_text("Proctoring connected", timeout=15000)
    menu = proctor.event("violation", "context_menu")
    assert datetime.fromisoformat(menu["client_time"]) < datetime.fromisoformat(menu["at"])
    lost = proctor.event("violation", "network_lost")
    assert lost["attempt_id"] == attempt_id
    assert re.fullmatch(r"The connection to the proctors was lost for \d+ s\.", lost["text"])
    assert datetime.fromisoformat(lost["client_time"]) < datetime.fromisoformat(menu["client_time"])


def test_an_exam_that_requires_full_screen_shows_its_questions_only_there(page, proctored):
    exam = proctored(require_fullscreen=True)
    proctor = exam["proctor"]
    frame = tool_frame(page)
    tool = page.frame(name="tool-frame")
    question = frame.locator("#question-heading")
    # Full screen was entered in the pre-exam check (the fixture's), and the exam kept it: not asked again.
    expect(question).to_be_visible()
    expect(frame.locator("#fullscreen-gate")).to_be_hidden()
    assert tool.evaluate("document.fullscreenElement === document.documentElement")
    timeline = exam["maker"].call("GET", f"/api/exams/{exam['exam_id']}/attempts/{exam['attempt_id']}/timeline")
    assert timeline["pre_exam_check"]["summary"].startswith("Pre-exam check: LMS frame allows it, full screen;")

    tool.evaluate("document.exitFullscreen()")
    assert proctor.event("violation", "fullscreen_exit")["text"] == "Left full screen."
    expect(frame.get_by_role("heading", name="You left full screen")).to_be_visible()
    expect(question).to_be_hidden()
    screenshot(page, "proctored-fullscreen-gate")
    back = frame.get_by_role("button", name="Go back to full screen")
    expect(back).to_be_focused()
    back.click()
    expect(question).to_be_visible()
    frame.get_by_label("Paris").check()
    expect(frame.locator("#save-state")).to_have_text("Saved")


# What Chromium does while it unloads a page for a reload (headless Chromium does not): it hides the page.
HIDE_WHEN_UNLOADED = """() => window.addEventListener("pagehide", () => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
    document.dispatchEvent(new Event("visibilitychange"));
})"""
FOCUSED = """() => {
    const element = document.activeElement;
    return document.hasFocus() && element !== document.body
        ? `${element.tagName}#${element.id}.${element.name ?? ""}:${element.textContent.trim().slice(0, 30)}` : null;
}"""


def violations_on_record(exam):
    """The violations the server has on record for the attempt, oldest first."""
    timeline = exam["maker"].call("GET", f"/api/exams/{exam['exam_id']}/attempts/{exam['attempt_id']}/timeline")
    return [e["detail"] for e in timeline["events"] if e["kind"] == "violation"]


def record_a_marker(page, exam):
    """A copy, the page's report the test waits for: the page's reports arrive in order, so whatever the page
    reported before it is on record by then."""
    tool_frame(page).locator("#question-text").select_text()
    page.keyboard.press("Control+C")
    exam["proctor"].event("violation", "copy")


def walk(page, key, laps):
    """Press `key` until focus has come back to where it started `laps` times; each step must leave focus on a
    control of the exam page, in the LMS's frame. Returns the controls in the order they were reached."""
    tool = page.frame(name="tool-frame")
    start = tool.evaluate(FOCUSED)
    reached = []
    for _ in range(100):
        page.keyboard.press(key)
        focused = tool.evaluate(FOCUSED)
        assert focused, f"{key} took focus out of the exam page after {reached}"
        assert page.evaluate("document.activeElement.name") == "tool-frame"
        reached.append(focused)
        if reached.count(start) == laps:
            return reached
    raise AssertionError(f"{key} never came back to {start}: {reached}")


def test_tab_walks_stay_in_the_exam_frame_and_report_nothing(page, proctored):
    exam = proctored()
    frame = tool_frame(page)
    expect(frame.locator("#question-heading")).to_have_text("Question 1 of 2")
    frame.get_by_role("button", name="Submit exam…").focus()

    forward = walk(page, "Tab", laps=2)
    controls = forward[:len(forward) // 2]
    assert any("skip-link" in c or "Skip to content" in c for c in controls)
    assert any("#next" in c for c in controls)
    backward = walk(page, "Shift+Tab", laps=1)
    assert backward == [*reversed(controls[:-1]), controls[-1]]

    record_a_marker(page, exam)
    assert violations_on_record(exam) == ["copy"]


# Chromium tells a frame the pointer left it with a mouseout whose relatedTarget is null: at the first point past
# the frame's edge when the pointer moves onto the page around it, at the pointer's own point when another window
# comes over it (seen in Chromium on a real display, Xvfb and xdotool). Input sent over CDP reaches an
# out-of-process frame without it, so the tests send it as Chromium does. Run in the exam page before the pointer
# moves: the frame's offset on the screen is read off a real move.
TRACK_POINTER = """() => document.addEventListener("mousemove", (event) => {
    window.lastMove = { target: event.target, dx: event.screenX - event.clientX, dy: event.screenY - event.clientY };
})"""
POINTER_LEFT = """([x, y]) => {
    const { target, dx, dy } = window.lastMove;
    target.dispatchEvent(new MouseEvent("mouseout", {
        bubbles: true, relatedTarget: null, clientX: x, clientY: y, screenX: x + dx, screenY: y + dy }));
}"""
# Run in the exam page before a blur: resolves after the blur, once the page's settle time for it has passed
# (a timer set after the page's own, with the same delay), when the page has decided whether to report it.
BLUR_SETTLED = importing("""() => {
    window.blurSettled = new Promise((resolve) => window.addEventListener("blur", async () => {
        const { BLUR_SETTLE_MS } = await import("/static/js/attempt/violations.js");
        setTimeout(resolve, BLUR_SETTLE_MS);
    }, { once: true }));
}""")


def click_the_lms_page_beside_the_frame(page):
    """Move the pointer from the exam page out of the frame onto the LMS page beside it and click there."""
    tool = page.frame(name="tool-frame")
    box = page.locator("#tool-frame").bounding_box()
    inside, beside = (box["x"] + 100, box["y"] + 100), (box["x"] + box["width"] + 40, box["y"] + 100)
    tool.evaluate(TRACK_POINTER)
    tool.evaluate(BLUR_SETTLED)
    page.mouse.move(*inside)
    page.mouse.move(*beside, steps=5)
    tool.evaluate(POINTER_LEFT, [beside[0] - box["x"], beside[1] - box["y"]])
    page.mouse.click(*beside)
    assert page.evaluate("document.activeElement.name") != "tool-frame"
    tool.evaluate("window.blurSettled")


def test_a_click_on_the_lms_page_around_the_frame_is_not_leaving_the_window(page, proctored):
    exam = proctored()
    frame = tool_frame(page)
    expect(frame.locator("#question-heading")).to_have_text("Question 1 of 2")
    click_the_lms_page_beside_the_frame(page)

    frame.locator("#question-text").click()
    record_a_marker(page, exam)
    assert violations_on_record(exam) == ["copy"]


def test_leaving_the_window_with_the_pointer_in_the_frame_is_still_reported(page, proctored):
    exam = proctored()
    frame = tool_frame(page)
    # The pointer went onto the LMS page and came back: what it did before is no excuse for this blur.
    click_the_lms_page_beside_the_frame(page)
    frame.locator("#question-text").click()
    box = page.locator("#tool-frame").bounding_box()
    page.mouse.move(box["x"] + 200, box["y"] + 200)

    # A real blur (STACK.md): the page stops pretending to have focus and another page comes to the front, over
    # the pointer.
    page.frame(name="tool-frame").evaluate(POINTER_LEFT, [200, 200])
    page.context.new_cdp_session(page).send("Emulation.setFocusEmulationEnabled", {"enabled": False})
    other = page.context.new_page()
    other.bring_to_front()
    blur = exam["proctor"].event("violation", "window_blur")
    assert blur["attempt_id"] == exam["attempt_id"]
    assert violations_on_record(exam) == ["window_blur"]


def test_a_reload_is_reported_once_as_a_reload_and_not_as_leaving_the_tab(page, proctored):
    exam = proctored()
    tool = page.frame(name="tool-frame")
    tool.evaluate(HIDE_WHEN_UNLOADED)
    with tool.expect_navigation():
        tool.evaluate("setTimeout(() => location.reload(), 0)")
    expect(tool_frame(page).locator("#proctoring-status")).to_have_text("Proctoring connected", timeout=15000)
    reload = exam["proctor"].event("violation", "page_reloaded")
    assert reload["attempt_id"] == exam["attempt_id"]
    assert datetime.fromisoformat(reload["client_time"]) <= datetime.fromisoformat(reload["at"])

    record_a_marker(page, exam)
    assert violations_on_record(exam) == ["page_reloaded", "copy"]


def test_extra_time_from_a_proctor_is_shown_and_read_out_politely(page, proctored):
    exam = proctored()
    proctor, attempt_id = exam["proctor"], exam["attempt_id"]
    notice = tool_frame(page).get_by_role("status").filter(has_text="A proctor gave you")
    proctor.command(type="extend", attempt_id=attempt_id, minutes=7)
    new_end = re.compile(r"^A proctor gave you 7 more minutes\. New end: \d\d:\d\d( [AP]M)? \(\S+\)\.$")
    expect(notice).to_have_text(new_end)
    assert notice.get_attribute("aria-live") == "polite"
    assert notice.get_attribute("id") == "extra-time"
    screenshot(page, "proctored-extra-time")

    # While paused the clock has no end yet: the notice says when it starts again.
    proctor.command(type="pause", attempt_id=attempt_id, reason="A break")
    proctor.command(type="extend", attempt_id=attempt_id, minutes=1)
    expect(notice).to_have_text("A proctor gave you 1 more minute. The clock starts again when the proctor "
                                "resumes your exam.")
