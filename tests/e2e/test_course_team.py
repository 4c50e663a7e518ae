"""The course team page in the cross-site LMS frame: reached from the exam list, it lists the course's people
with their LMS and tool roles; a test maker sets a person to Proctor only with the keyboard, and is told why they
cannot make themselves proctor only as the course's last test maker."""

import re

import pytest
from playwright.sync_api import expect

from lti_tool.demo.roster import PROCTOR, TEST_MAKER
from tests.e2e.conftest import screenshot
from tests.e2e.demo_lms import launch
from tests.e2e.test_authoring_ui import launch_as_test_maker

pytestmark = pytest.mark.browser


def test_test_maker_sets_a_person_proctor_only_on_the_course_team_page(live_server, page):
    page.set_viewport_size({"width": 800, "height": 900})
    launch(page, live_server, "proctor", "Proctor")
    frame = launch_as_test_maker(page, live_server)
    frame.get_by_role("button", name="Course team").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("Course team", timeout=15000)

    table = frame.get_by_role("table", name="People of this course and their roles")
    alan = table.get_by_role("row", name=re.compile(f"^{PROCTOR.name}"))
    expect(alan).to_contain_text("Instructor, TeachingAssistant")
    box = alan.get_by_role("checkbox", name=f"Proctor only: {PROCTOR.name}")
    expect(box).not_to_be_checked()
    box.focus()
    page.keyboard.press("Space")
    expect(frame.get_by_role("status").filter(has_text=f"{PROCTOR.name} is now proctor only")).to_be_visible()
    expect(box).to_be_checked()

    me = table.get_by_role("row", name=re.compile(f"^{TEST_MAKER.name} \\(you\\)"))
    expect(me).to_contain_text("Test Maker")
    mine = me.get_by_role("checkbox", name=f"Proctor only: {TEST_MAKER.name}")
    mine.click()
    expect(frame.get_by_role("alert")).to_contain_text("would have no test maker left")
    expect(mine).not_to_be_checked()
    expect(me).to_contain_text("Test Maker")

    frame.get_by_label("Find a person").fill("turing")
    expect(table.get_by_role("row")).to_have_count(2)  # the header and Alan
    screenshot(page, "course-team")
    box.uncheck()
    expect(frame.get_by_role("status").filter(has_text=f"{PROCTOR.name} is no longer proctor only")).to_be_visible()
