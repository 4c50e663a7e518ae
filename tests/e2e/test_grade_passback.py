"""A grade's whole road through the demo LMS, in Chromium: the test maker adds an exam to the course (deep
linking, which makes its gradebook column), imports a GIFT file and schedules it; a student answers two
questions and closes the page; the gradebook goes offline before the deadline; the server's sweeper ends the
attempt at its deadline; the grade waits in the outbox through failed tries and reaches the gradebook exactly
once after the gradebook is back. The server retries after PASSBACK_BACKOFF_SECONDS=1 (see conftest.py)."""

import re
import sqlite3
import uuid
from contextlib import closing
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from lti_tool.demo.roster import FIRST_STUDENT
from tests.e2e.conftest import screenshot
from tests.e2e.demo_lms import add_exam_to_course, assert_in_demo_gradebook, launch, tool_frame
from tests.e2e.tool_api import wait_for_student_row

pytestmark = pytest.mark.browser

GIFT = (
    "::Capital:: What is the capital of France? {=Paris ~Lyon}\n"
    "\n"
    "::Planet:: Which planet is the largest? {=Jupiter ~Mars}\n"
    "\n"
    "::Sum:: How much is 2 + 2? {=4 ~5}\n"
)
# The exam's window closes this long after it is scheduled, which caps the attempt's deadline (the duration is
# a minute): long enough for the student's steps on a busy machine, short enough for a quick test.
WINDOW_SECONDS = 30
# The sweeper runs every second and ends attempts ANSWER_GRACE_SECONDS (5) after their deadline.
SWEEP_SECONDS = 20


def switch_gradebook(page, live_server, button, status):
    page.goto(f"{live_server['demo']}/gradebook")
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("status").filter(has_text=status)).to_be_visible()


def scores_received(live_server, label, sub):
    """Every score the demo platform recorded for this student in the column with this label."""
    with closing(sqlite3.connect(f"file:{live_server['database']}?mode=ro", uri=True)) as db:
        return db.execute(
            "SELECT s.score_given, s.score_maximum FROM demo_scores s"
            " JOIN demo_line_items i ON i.id = s.line_item_id WHERE i.label = ? AND s.user_id = ?",
            (label, sub),
        ).fetchall()


def test_a_grade_finalized_by_the_sweeper_reaches_the_gradebook_once_after_an_outage(live_server, page, browser):
    title = f"Outage quiz {uuid.uuid4().hex[:8]}"
    maker = add_exam_to_course(page, live_server, title)
    exam_id = next(e["id"] for e in maker.call("GET", "/api/exams")["exams"] if e["title"] == title)
    imported = maker.call("POST", f"/api/exams/{exam_id}/import", params={"dry_run": "0"},
                          files={"file": ("quiz.gift", GIFT, "text/plain")})
    assert imported["count"] == 3
    opens = datetime.now(timezone.utc)
    closes = opens + timedelta(seconds=WINDOW_SECONDS)
    maker.call("PATCH", f"/api/exams/{exam_id}", json={
        "opens_at": opens.isoformat(), "closes_at": closes.isoformat(), "duration_minutes": 1})
    maker.call("POST", f"/api/exams/{exam_id}/publish")

    # The student answers one question right and one wrong, then closes the page without submitting.
    student_context = browser.new_context(viewport={"width": 1000, "height": 1100})
    student = student_context.new_page()
    launch(student, live_server, "student", "Student", link=title)
    frame = tool_frame(student)
    # The lobby starts the attempt, then the attempt page loads it: that answer carries the deadline.
    with student.expect_response(lambda r: re.search(r"/api/attempts/\d+$", r.url) is not None) as loaded:
        frame.get_by_role("button", name="Start the exam").click()
    attempt = loaded.value.json()
    deadline = datetime.fromisoformat(attempt["deadline"])
    assert deadline == closes
    expect(frame.locator("#question-heading")).to_have_text("Question 1 of 3", timeout=15000)
    frame.get_by_label("Paris").check()
    expect(frame.locator("#save-state")).to_have_text("Saved")
    frame.get_by_role("button", name="Next", exact=True).click()
    expect(frame.locator("#question-heading")).to_have_text("Question 2 of 3")
    frame.get_by_label("Mars").check()
    expect(frame.locator("#save-state")).to_have_text("Saved")
    screenshot(student, "grade-passback-answered")
    student_context.close()

    # Before the deadline, the gradebook goes offline.
    switch_gradebook(page, live_server, "Take the gradebook offline", "The gradebook is offline")
    screenshot(page, "grade-passback-gradebook-offline")
    rows = maker.call("GET", f"/api/exams/{exam_id}/marks")["students"]
    assert [row["status"] for row in rows if row["attempt_id"] == attempt["id"]] == ["in_progress"]

    # The sweeper ends the attempt at its deadline; the sender's tries meet the outage and the grade waits.
    seconds_left = (deadline - datetime.now(timezone.utc)).total_seconds()
    waiting = wait_for_student_row(
        maker, exam_id, attempt["id"],
        lambda row: row["status"] == "timed_out" and row["passback"] and row["passback"]["tries"] >= 1,
        timeout=seconds_left + SWEEP_SECONDS, what="the sweeper's ending and a failed try to send the grade",
    )
    assert (waiting["score"], waiting["max_score"]) == (1, 3)
    assert datetime.fromisoformat(waiting["finished_at"]) == deadline
    assert waiting["passback"]["status"] == "pending"
    assert "HTTP 503" in waiting["passback"]["last_error"]
    trail = maker.call("GET", f"/api/exams/{exam_id}/audit", params={"attempt_id": attempt["id"]})["entries"]
    assert [entry["origin"] for entry in trail if entry["action"] == "attempt.timed_out"] == ["sweeper"]

    # Back online: the next try delivers the grade, once.
    switch_gradebook(page, live_server, "Bring the gradebook back", "The gradebook is online")
    assert_in_demo_gradebook(page, live_server, title, FIRST_STUDENT.name, "1", "3")
    sent = wait_for_student_row(maker, exam_id, attempt["id"], lambda row: row["passback"]["status"] == "sent",
                                timeout=10, what="the outbox marking the grade sent")
    assert sent["passback"]["tries"] > waiting["passback"]["tries"]
    assert sent["passback"]["last_error"] is None
    assert scores_received(live_server, title, FIRST_STUDENT.sub) == [(1.0, 3.0)]
    page.goto(f"{live_server['demo']}/gradebook")  # for the closing screenshot the page fixture takes
