"""The demo LMS on 127.0.0.1 frames the tool on localhost (another site), as a real LMS does. Each role
launches through the real OIDC login and signed launch, under Chromium's default cookie rules."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROLES = [
    ("student", "Exam lobby", "Student"),
    ("test maker", "Exam management", "Test Maker"),
    ("proctor", "Proctoring", "Proctor"),
]


def tool_frame(page):
    return page.frame_locator('iframe[name="tool-frame"]')


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
    """Like Safari: no cookie at all in the iframe; LTI Platform Storage carries the state instead."""
    def strip_cookies(route):
        response = route.fetch()
        headers = {k: v for k, v in response.headers.items() if k.lower() != "set-cookie"}
        route.fulfill(response=response, headers=headers)

    page.route(re.compile(r".*/lti/login.*"), strip_cookies)
    page.goto(live_server["demo"])
    page.get_by_role("link", name=re.compile("^Launch as student ")).first.click()
    frame = tool_frame(page)
    expect(frame.locator('[data-field="roles"]')).to_have_text("Student", timeout=15000)
    assert page.context.cookies(live_server["tool"]) == []


def test_deep_linking_adds_an_exam_to_the_demo_course(live_server, page):
    page.goto(live_server["demo"])
    page.get_by_role("link", name=re.compile("^Add the tool")).click()
    frame = tool_frame(page)
    frame.get_by_label("Exam title").fill("Browser midterm")
    frame.get_by_role("button", name="Create and add").click()
    expect(frame.get_by_text("Browser midterm").first).to_be_visible(timeout=15000)
    page.goto(live_server["demo"])
    expect(page.get_by_role("heading", name="Browser midterm")).to_be_visible()
