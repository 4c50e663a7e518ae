"""The pre-exam check in Chromium (issue 13, item 3), in the demo LMS's cross-site frame with a one-face fake
camera: the lobby's Start opens the check, not the clock; the student agrees to the camera notice, sees the
camera working and one face, enters full screen, and waits; no attempt exists until "Start the exam", and then
the questions show with the whole duration left and nothing asked twice. The proctor sees what the check saw."""

# The camera tests' fixtures are imported by name, which ruff takes for redefinitions.
# ruff: noqa: F811
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.demo_lms import launch, tool_frame
from tests.e2e.modules import importing
from tests.e2e.test_camera import (  # noqa: F401 (fixtures)
    camera_exam,
    clips,
    no_face_browser,
    one_face_browser,
    open_page,
)
from tests.e2e.test_take_exam import attempt_id_of

pytestmark = pytest.mark.browser

STANDING = importing("""async () => {
    const { api } = await import("/static/js/session.js");
    return (await api("/api/exams/current")).standing;
}""")
STATE = importing("""async (id) => {
    const { api } = await import("/static/js/session.js");
    return api(`/api/attempts/${id}`);
}""")


def test_the_check_runs_before_the_clock_and_the_exam_keeps_what_it_opened(open_page, one_face_browser,
                                                                           live_server):
    page = open_page(one_face_browser)
    maker, exam_id, title = camera_exam(page, live_server)
    maker.call("PATCH", f"/api/exams/{exam_id}", json={"require_fullscreen": True, "duration_minutes": 20})
    launch(page, live_server, "student", "Student", link=title)
    frame = tool_frame(page)
    expect(frame.get_by_role("status").first).to_contain_text("the clock starts only when you press")
    frame.get_by_role("button", name="Start the exam").click()

    check = frame.get_by_role("region", name="Pre-exam check")
    expect(check).to_be_visible(timeout=15000)
    start = check.get_by_role("button", name="Start the exam")
    expect(start).to_be_disabled()
    steps = check.get_by_role("listitem")
    expect(steps).to_have_count(5)
    expect(steps.nth(0)).to_contain_text("Passed: This page may use the camera and full screen.")
    expect(steps.nth(1)).to_contain_text("a still picture from your camera every 5 seconds")
    expect(check).to_contain_text("Still to do before you can start: The camera notice; Your camera works; Full screen")
    assert page.frame(name="tool-frame").evaluate(STANDING)["open_attempt_id"] is None

    steps.nth(1).get_by_role("button", name="I agree: turn on my camera").click()
    expect(steps.nth(1)).to_contain_text("Passed: You agreed to the camera notice.")
    expect(steps.nth(2)).to_contain_text("Passed: Your camera works")
    expect(frame.locator("#check-preview")).to_be_visible()
    expect(steps.nth(3)).to_contain_text("Passed: One face seen", timeout=60000)
    steps.nth(4).get_by_role("button", name="Enter full screen").click()
    expect(steps.nth(4)).to_contain_text("Passed: The page is in full screen.")
    expect(start).to_be_enabled()
    expect(check).to_contain_text("Ready. The clock starts when you press “Start the exam”.")
    # The student reads on for a while: still no attempt, so no clock.
    page.wait_for_timeout(3000)
    assert page.frame(name="tool-frame").evaluate(STANDING)["open_attempt_id"] is None
    screenshot(page, "pre-exam-check")

    start.click()
    expect(frame.get_by_label("Paris")).to_be_visible(timeout=15000)
    attempt_id = attempt_id_of(page)  # the page's address names the attempt now: a reload resumes it
    state = page.frame(name="tool-frame").evaluate(STATE, attempt_id)
    assert state["seconds_left"] >= 20 * 60 - 5  # the check (well over 10 s) did not count
    expect(frame.locator("#clock")).to_have_text(re.compile(r"^(20:00|19:5\d)$"))
    # Nothing asked twice: no second notice, camera prompt, screen or full screen gate.
    for gate in ("#camera-consent", "#camera-problem", "#screen-gate", "#fullscreen-gate"):
        expect(frame.locator(gate)).to_be_hidden()
    expect(frame.locator("#camera-status")).to_have_text("Camera on: a picture every 5 s")

    timeline = maker.call("GET", f"/api/exams/{exam_id}/attempts/{attempt_id}/timeline")["pre_exam_check"]
    assert timeline["summary"].startswith("Pre-exam check: LMS frame allows it, consent given, camera working, "
                                          "1 face, full screen; took ")
    assert [step["name"] for step in timeline["steps"]] == ["frame", "consent", "camera", "faces", "fullscreen"]
    # The proctor's student panel says it too.
    dashboard = open_page(one_face_browser)
    dashboard.goto(f"{live_server['tool']}/proctor/?id={exam_id}#token={maker.token}")
    dashboard.get_by_role("button", name="Ada Lovelace", exact=True).click()
    panel = dashboard.get_by_role("dialog", name="Ada Lovelace")
    expect(panel.locator("#timeline-check")).to_contain_text(
        re.compile(r"^Pre-exam check: LMS frame allows it, consent given, camera working, 1 face, full screen; "
                   r"took \d+ s \(began .+, the clock started .+\)\.$"), timeout=15000)


def test_a_face_the_check_cannot_see_is_advice_and_never_keeps_the_student_out(open_page, no_face_browser,
                                                                               live_server):
    """A person judges what the camera shows, never the machine alone (DESIGN §6): bad light or a camera at the
    wrong angle gets advice, and the student may start."""
    page = open_page(no_face_browser)
    maker, exam_id, title = camera_exam(page, live_server, policy="required")
    launch(page, live_server, "student", "Student", link=title)
    frame = tool_frame(page)
    frame.get_by_role("button", name="Start the exam").click()
    check = frame.get_by_role("region", name="Pre-exam check")
    check.get_by_role("button", name="I agree: turn on my camera").click()
    faces = check.locator("#check-faces")
    expect(faces).to_contain_text("Advice: No face seen.", timeout=60000)
    expect(faces).to_contain_text("Sit facing the camera in good light")
    start = check.get_by_role("button", name="Start the exam")
    expect(start).to_be_enabled()
    screenshot(page, "pre-exam-check-no-face")
    start.click()
    expect(frame.get_by_label("Paris")).to_be_visible(timeout=15000)
    steps = maker.call("GET", f"/api/exams/{exam_id}/attempts/{attempt_id_of(page)}/timeline")["pre_exam_check"]
    assert {"name": "faces", "outcome": "failed", "faces": 0} | {"detail": "No face seen."} == {
        key: value for key, value in steps["steps"][3].items() if key != "seconds"}
    assert "camera working, 0 faces" in steps["summary"]


def test_the_check_reads_at_390_px(open_page, one_face_browser, live_server):
    """A phone's width, the check opened as its own window (the demo LMS's frame keeps a desktop width)."""
    page = open_page(one_face_browser)
    maker, exam_id, title = camera_exam(page, live_server)
    maker.call("PATCH", f"/api/exams/{exam_id}", json={"require_fullscreen": True})
    token = launch(page, live_server, "student", "Student", link=title)
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{live_server['tool']}/exam/attempt?exam={exam_id}#token={token}")
    check = page.get_by_role("region", name="Pre-exam check")
    expect(check.get_by_role("button", name="I agree: turn on my camera")).to_be_visible(timeout=15000)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), \
        "the check scrolls sideways at 390 px"
    screenshot(page, "pre-exam-check-390")
