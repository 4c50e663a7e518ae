"""Several attempts in Chromium: the marks page shows every attempt of a student and says in words which one
counts toward the grade; the test maker switches the grading method on the edit page and the marks follow."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from lti_tool.demo.roster import FIRST_STUDENT
from tests.e2e.conftest import screenshot
from tests.e2e.demo_lms import add_exam_to_course, launch, tool_frame
from tests.e2e.tool_api import ToolApi

pytestmark = pytest.mark.browser

GIFT = "\n\n".join(f"::Q{n}:: Question {n}? {{=yes ~no}}" for n in range(1, 5)) + "\n"


def take_attempt(student, exam_id, right):
    """One attempt through the API as the student's page makes it: the first `right` questions right, handed in."""
    state = student.call("POST", f"/api/exams/{exam_id}/attempts")
    for n, question in enumerate(state["questions"]):
        chosen = next(o["id"] for o in question["options"] if o["text"] == ("yes" if n < right else "no"))
        student.call("PUT", f"/api/attempts/{state['id']}/answers/{question['id']}", json={"option_ids": [chosen]})
    student.call("POST", f"/api/attempts/{state['id']}/submit")


def test_the_marks_page_shows_every_attempt_and_which_counts(live_server, page, browser):
    title = f"Two tries {uuid.uuid4().hex[:8]}"
    maker = add_exam_to_course(page, live_server, title)
    exam_id = next(e["id"] for e in maker.call("GET", "/api/exams")["exams"] if e["title"] == title)
    maker.call("POST", f"/api/exams/{exam_id}/import", params={"dry_run": "0"},
               files={"file": ("quiz.gift", GIFT, "text/plain")})
    maker.call("PATCH", f"/api/exams/{exam_id}", json={"attempts_allowed": 3})
    maker.call("POST", f"/api/exams/{exam_id}/publish")

    student_context = browser.new_context(viewport={"width": 1000, "height": 1100})
    token = launch(student_context.new_page(), live_server, "student", "Student", link=title)
    student_context.close()
    student = ToolApi(live_server["tool"], token)
    take_attempt(student, exam_id, right=4)
    take_attempt(student, exam_id, right=1)

    # As the test maker, in the LMS frame: the marks of the exam, under the default method (highest).
    launch(page, live_server, "test maker", "Test Maker", link=title)
    frame = tool_frame(page)
    frame.get_by_role("button", name=f"Marks of {title}").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text(f"Marks: “{title}”", timeout=15000)
    students = frame.get_by_role("table", name="Each student's grade and attempts")
    row = students.get_by_role("row", name=re.compile(f"^{re.escape(FIRST_STUDENT.name)}"))
    attempts = row.get_by_role("listitem")
    expect(attempts).to_have_text([
        "Attempt 1: Submitted 4 / 4 (100%) · counts toward the grade",
        "Attempt 2: Submitted 1 / 4 (25%)",
    ])
    expect(row.get_by_role("cell", name="4 / 4", exact=True)).to_be_visible()
    # The time the latest attempt took, as minutes and seconds (the API and the CSV keep decimal minutes).
    time_used = students.get_by_role("columnheader").filter(has_text="Time used")
    expect(time_used).to_be_visible()
    column = students.get_by_role("columnheader").evaluate_all(
        "(heads) => heads.findIndex((h) => h.textContent.includes('Time used'))")
    expect(row.locator("th, td").nth(column)).to_have_text(re.compile(r"^0:\d\d$"))
    expect(frame.locator("#marks-summary")).to_contain_text("the grade is the highest attempt")
    screenshot(page, "grading-method-highest")

    # The edit page's labelled select switches to the last attempt; the marks follow.
    frame.get_by_role("navigation", name="Exam pages").get_by_role("button", name="Edit").click()
    method = frame.get_by_label("Grade sent to the course gradebook")
    expect(method).to_have_value("highest", timeout=15000)
    method.select_option(label="Last attempt")
    frame.get_by_role("button", name="Save settings").click()
    expect(frame.get_by_role("status").filter(has_text="Settings saved")).to_be_visible()
    frame.get_by_role("navigation", name="Exam pages").get_by_role("button", name="Marks").click()
    expect(attempts).to_have_text([
        "Attempt 1: Submitted 4 / 4 (100%)",
        "Attempt 2: Submitted 1 / 4 (25%) · counts toward the grade",
    ], timeout=15000)
    expect(row.get_by_role("cell", name="1 / 4", exact=True)).to_be_visible()
    expect(frame.locator("#marks-summary")).to_contain_text("the grade is the last attempt")
