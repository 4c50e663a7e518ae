"""The demo LMS on 127.0.0.1 frames the tool on localhost (another site), as a real LMS does. Each role
launches through the real OIDC login and signed launch, under Chromium's default cookie rules."""

import http.server
import re
import threading
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.demo_lms import tool_frame

pytestmark = pytest.mark.browser

ROLES = [
    ("student", "Exam lobby", "Student"),
    ("test maker", "Exam management", "Test Maker"),
    ("proctor", re.compile("^Live room"), "Proctor"),
]


@pytest.mark.parametrize(("role", "heading", "role_name"), ROLES)
def test_each_role_launches_inside_the_cross_site_iframe(live_server, page, role, heading, role_name):
    page.goto(live_server["demo"])
    page.get_by_role("link", name=re.compile(f"^Launch as {role} ")).first.click()
    frame = tool_frame(page)
    expect(frame.get_by_role("heading", level=1)).to_have_text(heading, timeout=15000)
    expect(frame.locator('[data-field="roles"]')).to_have_text(role_name)
    expect(frame.locator('[data-field="course"]')).to_have_text("Demo Course 101")
    tool_url = page.frame(name="tool-frame").url
    assert tool_url.startswith(live_server["tool"]), tool_url


def test_launch_works_when_the_browser_drops_every_tool_cookie(live_server, page):
    """Like Safari: the tool's state cookie never comes back; LTI Platform Storage carries the state."""
    def drop_cookies_then_continue(route):
        page.context.clear_cookies()
        route.continue_()

    # Between the tool's login and the platform's auth page, every cookie the tool set is gone.
    page.route(re.compile(r".*/demo/auth\?.*"), drop_cookies_then_continue)
    launches = []
    page.on("request", lambda r: launches.append((r.url.rsplit("/lti/", 1)[1], r.post_data or ""))
            if "/lti/launch" in r.url else None)
    page.goto(live_server["demo"])
    page.get_by_role("link", name=re.compile("^Launch as student ")).first.click()
    frame = tool_frame(page)
    expect(frame.locator('[data-field="roles"]')).to_have_text("Student", timeout=15000)
    # First the platform's POST (no cookie: the tool's page asks the platform's storage), then the page's JSON.
    assert [url for url, _ in launches] == ["launch", "launch/storage"]
    assert '"lti_storage_state":"state-' in launches[1][1]


def test_deep_linking_adds_one_exam_to_the_demo_course_however_fast_it_is_pressed(live_server, page):
    # The picker's script held back: its form is on screen, and pressing it then must not reload the page.
    script = re.compile(r".*/static/[^/]+/js/pages/deep-link\.js$")
    held = []
    page.route(script, lambda route: held.append(route))
    page.goto(live_server["demo"])
    with page.expect_request(script):
        page.get_by_role("link", name=re.compile("^Add the tool")).click()
    frame = tool_frame(page)
    frame.get_by_label("Exam title").fill("Browser midterm")
    create = frame.get_by_role("button", name="Create and add")
    expect(create).to_be_disabled()
    answers = []
    page.on("request", lambda r: answers.append(r) if r.method == "POST" and r.url.endswith("/api/deep-link") else None)
    held[0].continue_()
    expect(create).to_be_enabled()
    create.dblclick()  # a double press sends one answer, not two exams
    expect(frame.get_by_text("Browser midterm").first).to_be_visible(timeout=15000)
    assert len(answers) == 1
    page.goto(live_server["demo"])
    expect(page.get_by_role("heading", name="Browser midterm")).to_be_visible()


@pytest.fixture
def other_site():
    """A page on another site (127.0.0.1, another port) that frames whatever URL `frame(url)` names."""
    framed = {}

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = f'<!DOCTYPE html><iframe src="{framed["url"]}"></iframe>'.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def frame(url):
        framed["url"] = url
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield frame
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_site_that_is_not_a_registered_platform_cannot_frame_the_tool(live_server, page, other_site):
    """Clickjacking: another site frames the tool; Chromium refuses it by the tool's frame-ancestors."""
    devtools = page.context.new_cdp_session(page)
    refusals = []
    devtools.on("Audits.issueAdded", lambda event: refusals.append(
        event["issue"]["details"].get("contentSecurityPolicyIssueDetails", {}).get("violatedDirective")))
    devtools.send("Audits.enable")

    page.goto(other_site(f"{live_server['tool']}/lti/jwks"))

    # The main page's load does not wait for the frame's refusal: the error page and the issue come right after.
    def refused():
        return page.frames[1].url == "chrome-error://chromewebdata/" and "frame-ancestors" in refusals

    deadline = time.monotonic() + 5
    while not refused() and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert page.frames[1].url == "chrome-error://chromewebdata/"
    assert "frame-ancestors" in refusals
