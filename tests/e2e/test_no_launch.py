"""A tool page opened without a launch (typed into the address bar, a bookmark, a token gone) says to open it from
the LMS, and shows and loads nothing else."""

import base64
import json

import pytest
from playwright.sync_api import expect

NO_LAUNCH = "Open this exam from your course in the LMS"
PAGES = ["/exam/lobby", "/exam/manage", "/exam/edit?id=1", "/exam/marks?id=1", "/exam/attempt?id=1",
         "/proctor/?exam=1", "/course/team", "/bank", "/lti/deep-link"]


def expired_token():
    def part(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256'})}.{part({'sub': '1', 'exp': 1})}.c2lnbmF0dXJl"


def open_directly(page, url):
    """Open `url` as a person would: what it asked the API, what failed (but the browser's own favicon request) and
    the errors of its scripts."""
    seen = {"api": [], "failed": [], "errors": []}
    page.on("request", lambda request: "/api/" in request.url and seen["api"].append(request.url))
    page.on("response", lambda response: response.status >= 400 and not response.url.endswith("/favicon.ico")
            and seen["failed"].append(response.url))
    page.on("console", lambda message: message.type == "error" and not message.text.startswith("Failed to load")
            and seen["errors"].append(message.text))
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return seen


@pytest.mark.parametrize("path", PAGES)
def test_a_page_typed_into_the_address_bar_says_to_open_it_from_the_lms(live_server, page, path):
    seen = open_directly(page, live_server["tool"] + path)

    expect(page.get_by_role("heading", name=NO_LAUNCH)).to_be_visible()
    notice = page.locator("#no-launch").inner_text()
    assert "tells the tool who you are" in notice
    assert page.locator("main").inner_text().strip() == notice.strip()  # nothing else of the page shows
    assert seen == {"api": [], "failed": [], "errors": []}


def test_a_page_whose_launch_token_has_expired_says_the_same(live_server, page):
    seen = open_directly(page, f"{live_server['tool']}/exam/lobby#token={expired_token()}")

    expect(page.get_by_role("heading", name=NO_LAUNCH)).to_be_visible()
    assert page.locator("main").inner_text().strip() == page.locator("#no-launch").inner_text().strip()
    assert seen == {"api": [], "failed": [], "errors": []}
