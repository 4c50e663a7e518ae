"""Live proctoring across two hosts: two gunicorn + gevent processes on one PostgreSQL and one Redis. The
student takes the exam through the demo LMS on the first; the proctor's dashboard runs on the second. Every
event crosses Redis: a hidden tab raises the count on the dashboard, the warning is seen and acknowledged,
a pause stops the clock and the resume moves the deadline, and a force close locks the student's page and
ends the attempt through finalize, graded and queued for the LMS."""

import os
import re
import subprocess
import sys
import uuid
from datetime import datetime

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from lti_tool.demo import roster
from tests.conftest import _admin_engine
from tests.e2e.conftest import ROOT, screenshot
from tests.e2e.demo_lms import add_exam_to_course, launch, tool_frame
from tests.e2e.test_proctored_student import HIDE_TAB, SHOW_TAB
from tests.e2e.test_take_exam import QUESTIONS, attempt_id_of
from tests.e2e.tool_api import ToolApi, wait_for_student_row
from tests.servers import free_port, gunicorn

pytestmark = pytest.mark.browser

WAIT_MS = 15000
ADA = roster.STUDENTS[0]


@pytest.fixture
def two_hosts(postgres_url, postgres_database_url, redis_url, tmp_path):
    """Host A serves the tool and the demo LMS; host B serves the same tool. Same database, same Redis."""
    engine = _admin_engine()
    name = f"proctor_e2e_{uuid.uuid4().hex[:10]}"
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    database_url = postgres_database_url(name)
    port_a, port_b = free_port(), free_port()
    env = {"APP_ENV": "development", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
           "SECRET_KEY": uuid.uuid4().hex * 2, "TOOL_BASE_URL": f"http://localhost:{port_a}",
           "DEMO_PLATFORM_URL": f"http://127.0.0.1:{port_a}/demo", "LOG_LEVEL": "WARNING"}
    flask = [sys.executable, "-m", "flask", "--app", "lti_tool"]
    for command in (["db", "upgrade"], ["demo", "seed"]):
        subprocess.run([*flask, *command], env={**os.environ, **env}, cwd=ROOT, check=True, capture_output=True)
    try:
        with (gunicorn("wsgi:app", env, tmp_path / "host-a.log", port=port_a),
              gunicorn("wsgi:app", env, tmp_path / "host-b.log", port=port_b)):
            yield {"demo": f"http://127.0.0.1:{port_a}/demo", "tool": f"http://localhost:{port_a}",
                   "other_host": f"http://localhost:{port_b}"}
    finally:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                         {"name": name})
            conn.execute(sa.text(f'DROP DATABASE "{name}"'))
        engine.dispose()


def test_a_student_on_one_host_and_a_proctor_on_another(two_hosts, page, browser):
    title = f"Two hosts {uuid.uuid4().hex[:8]}"
    maker = add_exam_to_course(page, two_hosts, title)
    exam_id = next(e["id"] for e in maker.call("GET", "/api/exams")["exams"] if e["title"] == title)
    for question in QUESTIONS[:2]:
        maker.call("POST", f"/api/exams/{exam_id}/questions", expected=201, json=question)
    maker.call("POST", f"/api/exams/{exam_id}/publish")

    ada = ToolApi(two_hosts["tool"], launch(page, two_hosts, "student", "Student", link=title))
    student = tool_frame(page)
    student.get_by_role("button", name="Start the exam").click()
    expect(student.locator("#proctoring-status")).to_have_text("Proctoring connected", timeout=WAIT_MS)
    attempt_id = attempt_id_of(page)

    context = browser.new_context(viewport={"width": 1000, "height": 1100})
    try:
        room = context.new_page()
        room.goto(f"{two_hosts['other_host']}/proctor/?id={exam_id}#token={maker.token}")
        expect(room.locator("#connection")).to_have_text(re.compile("^Live"), timeout=WAIT_MS)
        row = room.locator("#room-table tbody tr").filter(has=room.get_by_role("button", name=ADA.name, exact=True))
        expect(row.locator('[data-label="Presence"]')).to_contain_text("Online", timeout=WAIT_MS)

        # A hidden tab on host A raises Ada's count on host B's dashboard.
        page.frame_locator('iframe[name="tool-frame"]').locator("body").evaluate(HIDE_TAB)
        page.frame_locator('iframe[name="tool-frame"]').locator("body").evaluate(SHOW_TAB)
        expect(row.locator('[data-label="Violations"] .chip').first).to_contain_text("Left the exam tab ×1",
                                                                                     timeout=WAIT_MS)

        # The warning goes from B to A and the acknowledgement back.
        row.get_by_role("button", name=ADA.name, exact=True).click()
        dialog = room.get_by_role("dialog", name=ADA.name)
        dialog.locator("#warn-preset").select_option(index=1)
        dialog.get_by_role("button", name="Send warning").click()
        warning = student.locator("#warn-dialog")
        expect(warning).to_be_visible(timeout=WAIT_MS)
        warning.get_by_role("button", name="I understand").click()
        expect(dialog.locator("#timeline li").filter(has_text="Acknowledged the warning")).to_have_count(
            1, timeout=WAIT_MS)

        # A pause stops the clock; the resume moves the deadline by the pause.
        deadline = datetime.fromisoformat(ada.call("GET", f"/api/attempts/{attempt_id}")["deadline"])
        dialog.get_by_role("button", name="Pause the clock").click()
        paused = student.get_by_role("heading", name="Your exam is paused by the proctor; your answers are safe")
        expect(paused).to_be_visible(timeout=WAIT_MS)
        dialog.get_by_role("button", name="Resume").click()
        expect(paused).to_be_hidden(timeout=WAIT_MS)
        assert datetime.fromisoformat(ada.call("GET", f"/api/attempts/{attempt_id}")["deadline"]) > deadline

        # A force close from B locks the page on A; the attempt is terminated, graded and its grade queued.
        dialog.locator("#terminate-reason").fill("Phone on the desk")
        dialog.get_by_role("button", name="End the attempt…").click()
        confirm = dialog.get_by_role("group", name=f"End {ADA.name}'s attempt now?")
        confirm.get_by_role("button", name="End the attempt").click()
        expect(student.get_by_text("Phone on the desk")).to_be_visible(timeout=WAIT_MS)
        ended = wait_for_student_row(maker, exam_id, attempt_id, lambda r: r["status"] == "terminated",
                                     timeout=15, what="the attempt terminated")
        assert (ended["score"], ended["max_score"]) == (0, sum(q["points"] for q in QUESTIONS[:2]))
        assert ended["passback"] is not None
        screenshot(room, "two-hosts-dashboard")
        screenshot(page, "two-hosts-student")
    finally:
        context.close()
