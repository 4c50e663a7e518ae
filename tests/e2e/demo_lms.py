"""The demo LMS as a person uses it in Chromium: launching the tool from a course link, reading the gradebook."""

import re
import time
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.e2e.tool_api import ToolApi


def tool_frame(page):
    return page.frame_locator('iframe[name="tool-frame"]')


def open_in_tool_frame(page, link, shown, what):
    """Click `link` of the demo course, which opens the tool in its frame, and wait for `shown` to be in it (in the
    page, not necessarily visible: the launch's roles sit in a closed disclosure). If it is not there within 20 s,
    say where the frame was and what it showed, then do what a person would: reload the course page and click
    again. (A few CI runs in ten met a frame that showed nothing for 20 s although the server had answered it
    within a second; Playwright had lost track of the frame, see CHROMIUM_ARGS. A second click into a frame it had
    lost stopped its driver, so the course page is loaded afresh first.)"""
    link.click()
    try:
        expect(shown).to_be_attached(timeout=20000)
        return
    except AssertionError:
        frame = page.frame(name="tool-frame")
        try:
            text = frame.locator("body").inner_text(timeout=2000)[:500] if frame else ""
        except PlaywrightError as error:  # a frame still loading has no body to read: say so, and go on
            text = f"(no body: {error.message.splitlines()[0]})"
        print(f"{what} not shown after 20 s; the frame is at {frame.url if frame else None!r}, showing: {text!r}")
    page.reload()
    link.click()
    expect(shown).to_be_attached(timeout=20000)


def launch(page, live_server, role, role_name, link=None, reload=True):
    """Launch from a link of the demo course (the default link, or the one titled `link`; the course page is
    opened afresh unless `reload` is false); return the launch token the tool handed its landing page in the URL
    fragment (the cross-site frame's storage is blocked, so it is read off the navigation)."""
    urls = []
    page.on("framenavigated", lambda frame: urls.append(frame.url))
    if reload:
        page.goto(live_server["demo"])
    course_link = page if link is None else page.get_by_role("region", name=link, exact=True)
    roles = tool_frame(page).locator('[data-field="roles"]')
    open_in_tool_frame(page, course_link.get_by_role("link", name=re.compile(f"^Launch as {role} ")).first,
                       roles, f"the launch as {role}")
    expect(roles).to_have_text(role_name, timeout=15000)
    tokens = [parse_qs(urlparse(url).fragment).get("token") for url in urls]
    return [t for t in tokens if t][-1][0]


def assert_in_demo_gradebook(page, live_server, column, student, score, maximum, timeout=30):
    """The grade sender (a background job of the server) delivers the score to the demo LMS's AGS endpoint;
    the gradebook page has no push, so it is reloaded until the row shows it, within a bounded time."""
    gradebook = page.context.new_page()
    deadline = time.monotonic() + timeout
    # One table per gradebook column (line item), named by its label: the exam's title.
    table = gradebook.get_by_role("table", name=re.compile(re.escape(column)))
    row = table.get_by_role("row", name=re.compile(f"^{student}"))
    try:
        while True:
            gradebook.goto(f"{live_server['demo']}/gradebook")
            cells = [c.strip() for c in row.first.locator("td").all_inner_texts()] if row.count() else []
            if cells[:2] == [score, maximum]:
                return
            assert time.monotonic() < deadline, f"the demo gradebook never showed {score}/{maximum}: {cells}"
            gradebook.wait_for_timeout(500)
    finally:
        gradebook.close()


def add_exam_to_course(page, live_server, title):
    """As the test maker: add the tool to the demo course with a new exam (deep linking), which gives the
    course a link and a gradebook column for it; return the tool's API with a launch from that link."""
    page.goto(live_server["demo"])
    frame = tool_frame(page)
    field = frame.get_by_label("Exam title")
    open_in_tool_frame(page, page.get_by_role("link", name=re.compile("^Add the tool")), field,
                       "the deep linking picker")
    field.fill(title)
    frame.get_by_role("button", name="Create and add").click()
    expect(frame.get_by_text(title).first).to_be_visible(timeout=15000)
    return ToolApi(live_server["tool"], launch(page, live_server, "test maker", "Test Maker", link=title))
