"""Times across zones, in Chromium: a test maker in New York sets when the exam closes in her own time (the page
names her zone); the server keeps the moment; a student in Tokyo reads the same moment in his time, the zone named,
and so does the maker's exam list in hers; where the LMS names the student's zone, his pages use it (issue 15,
item 5)."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests.e2e.demo_lms import launch, tool_frame
from tests.e2e.test_take_exam import make_exam

pytestmark = pytest.mark.browser

QUESTION = {"type": "single", "text": "Which ocean lies between New York and Lisbon?", "points": 1,
            "options": [{"text": "The Atlantic", "correct": True}, {"text": "The Pacific", "correct": False}]}
WAIT_MS = 15000


def context_in(browser, zone):
    return browser.new_context(viewport={"width": 1000, "height": 1100}, locale="en-US", timezone_id=zone)


def test_a_closing_time_set_in_new_york_reads_right_in_tokyo(live_server, browser):
    title = "Oceans quiz across zones"
    maker_context = context_in(browser, "America/New_York")
    try:
        page = maker_context.new_page()
        maker, exam_id = make_exam(page, live_server, title, [QUESTION])
        frame = tool_frame(page)
        frame.get_by_role("button", name=f"Edit {title}").click()
        expect(frame.get_by_role("heading", level=1)).to_have_text(f"Edit “{title}”", timeout=WAIT_MS)
        expect(frame.locator("#zone-name")).to_have_text("America/New_York")
        frame.get_by_label("Closes").fill("2027-01-15T09:00")
        frame.get_by_role("button", name="Save settings").click()
        expect(frame.get_by_role("status").filter(has_text="Settings saved")).to_be_visible()
        closes = maker.call("GET", f"/api/exams/{exam_id}")["closes_at"]
        assert datetime.fromisoformat(closes).astimezone(UTC) == datetime(2027, 1, 15, 14, 0, tzinfo=UTC)

        launch(page, live_server, "test maker", "Test Maker", link=title)
        card = tool_frame(page).get_by_role("listitem", name=title)
        expect(card).to_contain_text("Closes Jan 15, 2027, 9:00 AM EST", timeout=WAIT_MS)
    finally:
        maker_context.close()

    student_context = context_in(browser, "Asia/Tokyo")
    try:
        page = student_context.new_page()
        page.goto(live_server["demo"])
        launch(page, live_server, "student", "Student", link=title, reload=False)
        expect(tool_frame(page).locator('[data-fact="window"]')).to_have_text(
            "Open now until Jan 15, 2027, 11:00 PM GMT+9", timeout=WAIT_MS)

        # Where the LMS names his zone (the launch's $Person.address.timezone lands as `tz`), times are in it,
        # wherever the browser is; an unknown zone leaves the browser's.
        tool = page.frame(name="tool-frame")
        for zone, shown in (("America/New_York", "Open now until Jan 15, 2027, 9:00 AM EST"),
                            ("Mars/Olympus", "Open now until Jan 15, 2027, 11:00 PM GMT+9")):
            with tool.expect_navigation():
                tool.evaluate("""(zone) => setTimeout(() => {
                    const url = new URL(location.href);
                    url.searchParams.set("tz", zone);
                    location.assign(url.href);
                })""", zone)
            expect(tool_frame(page).locator('[data-fact="window"]')).to_have_text(shown, timeout=WAIT_MS)
    finally:
        student_context.close()
