"""The review after the exam in Chromium: the course's proctor, in the demo LMS's frame, goes from the live room to
the review queue and through three flagged attempts with the keyboard alone (a flag dismissed with why, a flag
confirmed, a status refused without its reason and then saved with it, the next attempt), then opens the printable
report, which prints to PDF. axe checks the queue and the report; screenshots and the PDF go to test-artifacts/."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from lti_tool.demo import roster
from tests.e2e.axe import assert_no_violations
from tests.e2e.conftest import ARTIFACTS, screenshot
from tests.e2e.demo_lms import add_exam_to_course, launch, tool_frame
from tests.e2e.test_keyboard import tab_to
from tests.e2e.test_proctor_dashboard import StudentSocket, launch_as, start_attempt
from tests.e2e.test_take_exam import QUESTIONS
from tests.e2e.tool_api import ToolApi

pytestmark = pytest.mark.browser

ADA, KATHERINE, EDSGER = roster.STUDENTS[0], roster.STUDENTS[1], roster.STUDENTS[2]
WAIT_MS = 15000


def jpeg(colour):
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, "JPEG")
    return out.getvalue()


def flagged_attempt(live_server, token, exam_id, *kinds, still=None):
    """Agree to the camera, start an attempt, send `still` (a JPEG) as a flagged camera picture, report `kinds`
    from the page's socket, and submit."""
    student = ToolApi(live_server["tool"], token)
    student.call("POST", f"/api/exams/{exam_id}/camera/consent")
    attempt_id = start_attempt(live_server, token, exam_id)["id"]
    if still:
        student.call("POST", f"/api/attempts/{attempt_id}/snapshots?flag=no_face", expected=201, data=still)
    socket = StudentSocket(live_server, token, attempt_id)
    try:
        for n, kind in enumerate(kinds):
            socket.violation(kind, f"{kind}-{n}")
    finally:
        socket.close()
    student.call("POST", f"/api/attempts/{attempt_id}/submit")
    return attempt_id


LINK = "Reviewed quiz"


def pdf_pages(data):
    """The number of pages of a PDF Chromium printed (its page objects are plain dictionaries)."""
    return len(re.findall(rb"/Type\s*/Page\b", data))


def test_a_proctor_reviews_three_flagged_attempts_with_the_keyboard_and_prints_a_report(live_server, page, browser):
    # A link of its own: the demo course's first link runs the live room's test exam, which students have taken.
    maker = add_exam_to_course(page, live_server, LINK)
    exam_id = next(e["id"] for e in maker.call("GET", "/api/exams")["exams"] if e["title"] == LINK)
    for question in QUESTIONS[:2]:
        maker.call("POST", f"/api/exams/{exam_id}/questions", expected=201, json=question)
    maker.call("POST", f"/api/exams/{exam_id}/publish")
    maker.call("POST", "/api/course/roster/refresh")
    maker.call("PUT", f"/api/exams/{exam_id}/proctors", json={"emails": [roster.PROCTOR.email]})
    # The school shows students their review (results, and with them the proctoring outcome) once they submit.
    maker.call("PATCH", f"/api/exams/{exam_id}", json={"review_when": "immediately"})
    maker.call("PUT", f"/api/exams/{exam_id}/camera/settings", json={"policy": "required"})
    ada_token = launch(page, live_server, "student", "Student", link=LINK)
    ada_attempt = flagged_attempt(live_server, ada_token, exam_id, *["tab_hidden"] * 3, still=jpeg((200, 120, 40)))
    katherine_attempt = flagged_attempt(live_server, launch_as(page, live_server, KATHERINE, link=LINK), exam_id,
                                        "paste")
    flagged_attempt(live_server, launch_as(page, live_server, EDSGER, link=LINK), exam_id, "window_blur", "copy")

    proctor_token = launch(page, live_server, "proctor", "Proctor", link=LINK)
    frame = tool_frame(page)
    tab_to(page, frame.get_by_role("button", name="Review the flags"))
    page.keyboard.press("Enter")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Review: “Reviewed quiz”", timeout=WAIT_MS)
    # Three absences weigh more than a lost focus and a copy, which weigh more than one paste.
    expect(frame.locator("#queue-table tbody th")).to_have_text(
        [re.compile(f"^{p.name}") for p in (ADA, EDSGER, KATHERINE)])
    # The exam's chart: one bar per minute with flags (all six fell in the first minute), the same in a table.
    expect(frame.locator("#flag-chart .bar")).to_have_count(1)
    expect(frame.locator("#flag-chart .bar")).to_have_attribute("aria-label", re.compile("^Minute 0: 6 flags "))
    expect(frame.get_by_role("table", name="Flags per minute as a table").locator("tbody td").nth(1)).to_have_text("6")
    frame.locator("#queue-title").scroll_into_view_if_needed()
    frame.locator("#flag-chart").screenshot(path=str(ARTIFACTS / "review-exam-chart.png"))
    assert_no_violations(page.frame(name="tool-frame"), "the review queue")
    title = frame.locator("#attempt-title")

    # Ada: the first flag dismissed with why, the status refused without a reason, then saved with one.
    tab_to(page, frame.get_by_role("button", name=f"Review {ADA.name}, attempt 1"))
    page.keyboard.press("Enter")
    expect(title).to_have_text(f"{ADA.name}, attempt 1")
    expect(title).to_be_focused()
    # The timeline: each flag a mark on its row, reached with Tab, its details shown with Enter; a table beside.
    marks = frame.locator("#timeline .mark-flags")
    expect(marks).to_have_count(3)
    tab_to(page, marks.nth(1))
    page.keyboard.press("Enter")
    expect(frame.locator(".timeline-details")).to_contain_text("Flag: Left the exam tab")
    # Her page's presence: online from its first heartbeat, offline once it closed.
    expect(frame.locator("#timeline .mark-presence")).to_have_count(2)
    expect(frame.locator("#timeline .mark-presence").first).to_have_attribute("aria-label",
                                                                             re.compile("^Presence: Online, "))
    expect(frame.get_by_role("table", name="The timeline as a table").locator("tbody tr")).to_have_count(6)
    # The camera's still: a thumbnail on its row; Enter shows the picture itself.
    still = frame.locator("#timeline .mark-stills")
    expect(still.locator("image")).to_have_attribute("href", re.compile("^blob:"))
    tab_to(page, still)
    page.keyboard.press("Enter")
    expect(frame.locator(".timeline-details")).to_contain_text("Camera picture, flagged: No face on camera, ")
    expect(frame.locator(".timeline-details")).not_to_contain_text("null")
    shown = frame.locator(".timeline-details img")
    expect(shown).to_have_attribute("alt", re.compile("^Camera picture, flagged: No face on camera"))
    # The picture itself, decoded (an image without a source counts as "complete" too, so its width is what tells).
    expect(shown).to_have_js_property("naturalWidth", 320)
    frame.locator("#timeline").screenshot(path=str(ARTIFACTS / "review-timeline.png"))
    first_flag = frame.locator("#flag-list > li").first
    tab_to(page, first_flag.get_by_role("radio", name="Dismissed"))
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Keyboard focus: she pressed Tab in the LMS bar.")
    tab_to(page, first_flag.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    expect(first_flag).to_contain_text(f"Dismissed by {roster.PROCTOR.name}")
    tab_to(page, frame.get_by_role("radio", name="Not reviewed"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(frame.get_by_role("radio", name="Concern noted")).to_be_checked()
    tab_to(page, frame.get_by_role("button", name="Save the review status"))
    page.keyboard.press("Enter")
    expect(frame.locator("#attempt-alert")).to_contain_text("a reason is needed")
    expect(frame.locator("#status-reason")).to_be_focused()
    page.keyboard.type("Away from the exam three times.")
    tab_to(page, frame.get_by_role("button", name="Save the review status"))
    page.keyboard.press("Enter")
    expect(frame.locator("#attempt-result")).to_contain_text(f"Saved: Concern noted, by {roster.PROCTOR.name}")

    # Edsger, the next: no concern needs no reason.
    tab_to(page, frame.get_by_role("button", name="Next attempt"))
    page.keyboard.press("Enter")
    expect(title).to_have_text(f"{EDSGER.name}, attempt 1")
    expect(title).to_be_focused()
    tab_to(page, frame.get_by_role("radio", name="Not reviewed"))
    page.keyboard.press("ArrowDown")
    tab_to(page, frame.get_by_role("button", name="Save the review status"))
    page.keyboard.press("Enter")
    expect(frame.locator("#attempt-result")).to_contain_text("Saved: No concern")

    # Katherine: her paste confirmed, the attempt referred.
    tab_to(page, frame.get_by_role("button", name="Next attempt"))
    page.keyboard.press("Enter")
    expect(title).to_have_text(f"{KATHERINE.name}, attempt 1")
    flag = frame.locator("#flag-list > li").first
    tab_to(page, flag.get_by_role("radio", name="Dismissed"))
    page.keyboard.press("ArrowDown")
    expect(flag.get_by_role("radio", name="Confirmed")).to_be_checked()
    tab_to(page, flag.get_by_role("button", name="Save"))
    page.keyboard.press("Enter")
    expect(flag).to_contain_text(f"Confirmed by {roster.PROCTOR.name}")
    tab_to(page, frame.get_by_role("radio", name="Not reviewed"))
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    tab_to(page, frame.locator("#status-reason"))
    page.keyboard.type("Pasted a paragraph of text into an answer.")
    tab_to(page, frame.get_by_role("button", name="Save the review status"))
    page.keyboard.press("Enter")
    expect(frame.locator("#attempt-result")).to_contain_text("Saved: Referred")

    expect(frame.locator("#queue-table tbody td .badge")).to_have_text(
        ["Concern noted", "No concern", "Referred to the school's misconduct process"])
    screenshot(page, "review-queue")

    tab_to(page, frame.get_by_role("button", name="Printable report"))
    page.keyboard.press("Enter")
    expect(frame.get_by_role("heading", level=1)).to_have_text(
        f"Attempt report: {KATHERINE.name}, “Reviewed quiz”", timeout=WAIT_MS)
    flags = frame.get_by_role("table", name="Flags and the reviewer's decisions")
    expect(flags.locator("tbody tr")).to_have_count(1)
    expect(flags.locator("tbody td")).to_contain_text(["Pasted", "Confirmed"])
    expect(frame.get_by_role("region", name="Review decision")).to_contain_text(
        "Pasted a paragraph of text into an answer.")
    assert_no_violations(page.frame(name="tool-frame"), "the attempt report")
    screenshot(page, "review-report")

    # The report on its own, as a school prints it, after the test maker deleted the attempt's pictures on request
    # (the decisions stay, the report says when the pictures went); the print stylesheet hides the controls.
    maker.call("DELETE", f"/api/exams/{exam_id}/attempts/{katherine_attempt}/evidence")
    report_url = page.frame(name="tool-frame").url.split("#")[0]
    printed = browser.new_context(viewport={"width": 800, "height": 1100}).new_page()
    try:
        printed.goto(f"{report_url}#token={proctor_token}")
        expect(printed.get_by_role("heading", level=1)).to_contain_text(KATHERINE.name, timeout=WAIT_MS)
        expect(printed.get_by_role("region", name="Pictures")).to_contain_text(
            "The pictures of this attempt were deleted on request on ")
        expect(printed.get_by_role("region", name="Review decision")).to_contain_text("Referred")
        printed.emulate_media(media="print")
        expect(printed.get_by_role("button", name="Print or save as PDF")).to_be_hidden()
        printed.screenshot(path=str(ARTIFACTS / "review-report-print.png"), full_page=True)
        pdf = printed.pdf(format="A4", print_background=True)
        (ARTIFACTS / "review-report.pdf").write_bytes(pdf)
        assert pdf.startswith(b"%PDF") and 1 <= pdf_pages(pdf) <= 3, pdf_pages(pdf)
        assert re.search(rb"/MediaBox\s*\[0 0 595\.9\d* 842\.8\d*\]", pdf), "not A4 pages"
    finally:
        printed.context.close()

    # Ada reads her own outcome under her results: the status and reason, each flag with its decision.
    own = browser.new_context(viewport={"width": 800, "height": 1100}).new_page()
    try:
        own.goto(f"{live_server['tool']}/exam/review?id={ada_attempt}#token={ada_token}")
        outcome = own.get_by_role("region", name="Proctoring review")
        expect(outcome.locator("#outcome-status")).to_have_text("Concern noted: Away from the exam three times.",
                                                                 timeout=WAIT_MS)
        expect(outcome.locator("#outcome-flags li")).to_have_count(3)
        expect(outcome.locator("#outcome-flags li").first).to_contain_text(
            "Left the exam tab, ")
        expect(outcome.locator("#outcome-flags li").first).to_contain_text(
            "Dismissed: Keyboard focus: she pressed Tab in the LMS bar.")
        expect(outcome).not_to_contain_text(roster.PROCTOR.name)
        assert_no_violations(own, "a student's review outcome")
        own.screenshot(path=str(ARTIFACTS / "review-student-outcome.png"), full_page=True)
    finally:
        own.context.close()
