"""The proctor's live room in Chromium, launched from the demo LMS as the course's proctor once the test maker
has listed him for the exam. The students' exam pages are played by websocket clients with each student's
launch token (the socket is what the dashboard hears; the student page's own client is tested elsewhere).

One exam, followed from the first violation to the review after it is closed: rows for students who have
not started, live violation counts, sorting and filtering, a warning and a force close from the student's
dialog, a dashboard that goes offline and catches up, the exam closed for everyone, and the review with the
irregularity report. Each wait is on something the page or a socket shows, within a bound."""

import json
import re
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from flask import Flask
from playwright.sync_api import expect
from simple_websocket import Client

from lti_tool import config
from lti_tool.demo import hints, roster
from tests.e2e.conftest import screenshot
from tests.e2e.demo_lms import launch, tool_frame
from tests.e2e.modules import importing
from tests.e2e.tool_api import ToolApi, student_row

pytestmark = pytest.mark.browser

WAIT_S = 10
WAIT_MS = WAIT_S * 1000
ADA, KATHERINE, EDSGER = roster.STUDENTS[0], roster.STUDENTS[1], roster.STUDENTS[2]
QUESTIONS = [
    {"type": "single", "text": "Which city is the capital of France?", "points": 1,
     "options": [{"text": "Paris", "correct": True}, {"text": "Lyon", "correct": False}]},
    {"type": "single", "text": "What is 2 + 2?", "points": 1,
     "options": [{"text": "4", "correct": True}, {"text": "5", "correct": False}]},
]

# Runs in the dashboard: the room's merging (a violation already in the roster is not counted twice, messages
# before the roster wait for it, silence turns a page offline) and the reconnection backoff's bounds.
MODULE_CHECKS = importing("""async () => {
    const { Room, SILENT_MS } = await import("/static/js/dashboard/roster.js");
    const { backoffMs } = await import("/static/js/dashboard/socket.js");
    const changes = [];
    const room = new Room({ onChange: (c) => changes.push(c), needsRoster: () => changes.push("roster") });
    const now = new Date();
    const event = { id: 7, attempt_id: 3, kind: "violation", detail: "copy", at: now.toISOString() };
    room.awaitRoster();
    room.apply({ type: "event", event: { ...event, id: 8, detail: "paste" } });
    const heldBack = changes.length;
    room.load({ type: "roster", now: now.toISOString(), exam: { id: 1, title: "T", closes_at: null, closed: false },
      students: [{ user_id: 5, name: "Ada", email: null, attempt_id: 3, status: "in_progress",
        deadline: new Date(now.getTime() + 60000).toISOString(), paused: false, seconds_left: 60,
        presence: "online", last_seen_at: new Date(now.getTime() - SILENT_MS - 1000).toISOString(),
        violations: { copy: 1 }, last_event: event }] });
    room.apply({ type: "event", event });
    const row = room.rows.get(5);
    room.apply({ type: "status", user_id: 9, attempt_id: 4, status: "in_progress", deadline: now.toISOString(),
      paused_at: null });
    const big = new Room({ onChange: () => {}, needsRoster: () => {} });
    big.load({ type: "roster", now: now.toISOString(), exam: { id: 1, title: "T", closes_at: null, closed: false },
      students: Array.from({ length: 120 }, (_, i) => ({ user_id: i + 1, name: `Student ${i + 1}`, email: null,
        attempt_id: null, status: "not_started", deadline: null, paused: false, seconds_left: null,
        presence: "offline", last_seen_at: null, violations: {}, last_event: null })) });
    const pages = [big.view({ page: 3 }), big.view({ page: 9 }), big.view({ search: "student 7" })]
      .map((v) => [v.rows.length, v.total, v.page, v.pages]);
    const silent = room.presenceOf(row);
    room.apply({ type: "presence", pages: [{ attempt_id: 3, state: "away", at: now.toISOString() },
      { attempt_id: 99, state: "online", at: now.toISOString() }] });
    return { heldBack, violations: row.violations, total: row.violationTotal, presence: [silent, room.presenceOf(row)],
      needsRoster: changes.includes("roster"), pages,
      backoff: [backoffMs(0, () => 0), backoffMs(0, () => 1), backoffMs(20, () => 1)] };
}""")


class StudentSocket:
    """A student's exam page as the server hears it: /ws/student opened with the student's launch token."""

    def __init__(self, live_server, token, attempt_id):
        self.ws = Client.connect(live_server["tool"].replace("http://", "ws://") + "/ws/student")
        self.seen = []
        self.send(type="hello", token=token, attempt_id=attempt_id)
        self.next("hello")
        self.send(type="heartbeat", visible=True, client_time=time.time() * 1000)
        self.next("time")

    def send(self, **message):
        self.ws.send(json.dumps(message))

    def violation(self, kind, event_id):
        self.send(type="violation", kind=kind, client_time=time.time() * 1000, id=event_id)
        return self.next("ack", id=event_id)

    def next(self, kind, timeout=WAIT_S, **match):
        """The first message of type `kind` (with fields `match`) already received or arriving in `timeout`."""
        found = next((m for m in self.seen if m["type"] == kind and match.items() <= m.items()), None)
        if found:
            self.seen.remove(found)
            return found
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            raw = self.ws.receive(timeout=left)
            if raw is None:
                break
            message = json.loads(raw)
            if message["type"] == kind and match.items() <= message.items():
                return message
            self.seen.append(message)
        raise AssertionError(f"no {kind} {match} within {timeout} s; got {self.seen}")

    def close(self):
        if self.ws.connected:
            self.ws.close()


@pytest.fixture
def student_page(live_server):
    """Open a student's exam-page socket: student_page(token, attempt_id); each is closed after the test."""
    opened = []

    def open_page(token, attempt_id):
        opened.append(StudentSocket(live_server, token, attempt_id))
        return opened[-1]

    yield open_page
    for socket in opened:
        socket.close()


def hello_tokens(frames):
    """The tokens of the hello messages among the frames a page sent."""
    return [message["token"] for message in map(json.loads, frames) if message["type"] == "hello"]


def wait_until(condition, page, what):
    """Let the page run until `condition()` holds (a socket frame the page sent), for at most WAIT_S."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {WAIT_S} s"
        page.wait_for_timeout(50)


def launch_as(page, live_server, person, link=None):
    """Launch the default link (or the one titled `link`) as another member of the demo course: the demo's own
    student button, with a login hint signed for `person` the way the demo signs its own. Returns the launch
    token."""
    settings = Flask(__name__)
    config.load(settings, {"APP_ENV": "development"})
    urls = []
    page.on("framenavigated", lambda frame: urls.append(frame.url))
    page.goto(live_server["demo"])
    course_link = page if link is None else page.get_by_role("region", name=link, exact=True)
    button = course_link.get_by_role("link", name=re.compile("^Launch as student ")).first
    url = urlparse(button.get_attribute("href"))
    query = parse_qs(url.query)
    with settings.app_context():
        query["login_hint"] = [hints.login_hint(person.sub, query["lti_message_hint"][0])]
    button.evaluate("(link, href) => { link.href = href; }", url._replace(query=urlencode(query, doseq=True)).geturl())
    button.click()
    expect(tool_frame(page).locator('[data-field="user"]')).to_contain_text(person.name, timeout=15000)
    tokens = [parse_qs(urlparse(u).fragment).get("token") for u in urls]
    return [t for t in tokens if t][-1][0]


def start_attempt(live_server, token, exam_id):
    return ToolApi(live_server["tool"], token).call("POST", f"/api/exams/{exam_id}/attempts")


@contextmanager
def flagged_student(page, live_server, maker, exam_id, title):
    """A room to watch: the course's proctor listed for the exam of the link `title`, and its first student in an
    attempt, who left the exam tab once (their page's socket, closed afterwards)."""
    maker.call("POST", "/api/course/roster/refresh")
    maker.call("PUT", f"/api/exams/{exam_id}/proctors", json={"emails": [roster.PROCTOR.email]})
    token = launch(page, live_server, "student", "Student", link=title)
    student = StudentSocket(live_server, token, start_attempt(live_server, token, exam_id)["id"])
    try:
        student.violation("tab_hidden", "left-once")
        yield student
    finally:
        student.close()


def row_of(frame, person):
    return frame.locator("#room-table tbody tr").filter(has=frame.get_by_role("button", name=person.name, exact=True))


def cell(frame, person, label):
    return row_of(frame, person).locator(f'[data-label="{label}"]')


def test_the_proctor_watches_acts_and_reviews_a_live_exam(live_server, page, browser, student_page):
    maker = ToolApi(live_server["tool"], launch(page, live_server, "test maker", "Test Maker"))
    exam = maker.call("POST", "/api/exams", expected=201, json={"title": "Proctored quiz", "duration_minutes": 30})
    exam_id = exam["id"]
    for question in QUESTIONS:
        maker.call("POST", f"/api/exams/{exam_id}/questions", expected=201, json=question)
    maker.call("POST", f"/api/exams/{exam_id}/publish")
    # The list names people the tool knows: the roster (the demo's NRPS) brings the proctor in before any launch.
    maker.call("POST", "/api/course/roster/refresh")
    maker.call("PUT", f"/api/exams/{exam_id}/proctors", json={"emails": [roster.PROCTOR.email]})
    maker.call("POST", f"/api/exams/{exam_id}/bind", expected=204)

    ada_token = launch(page, live_server, "student", "Student")
    ada_started = start_attempt(live_server, ada_token, exam_id)
    ada_attempt = ada_started["id"]
    katherine_token = launch_as(page, live_server, KATHERINE)
    katherine_attempt = start_attempt(live_server, katherine_token, exam_id)["id"]
    ada = student_page(ada_token, ada_attempt)
    katherine = student_page(katherine_token, katherine_attempt)

    # The proctor's launch lands on the live room: every student of the course, also those who never started.
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload))
            if ws.url.endswith("/ws/proctor") else None)
    launch(page, live_server, "proctor", "Proctor")
    frame = tool_frame(page)
    tool = page.frame(name="tool-frame")
    expect(frame.locator("#connection")).to_have_text(re.compile("^Live"), timeout=WAIT_MS)
    expect(frame.get_by_role("heading", level=1)).to_have_text("Live room: “Proctored quiz”")
    expect(frame.locator("#room-table tbody tr")).to_have_count(len(roster.STUDENTS))
    expect(cell(frame, EDSGER, "Status")).to_have_text("Not started")
    expect(cell(frame, ADA, "Status")).to_have_text("In progress")
    expect(cell(frame, ADA, "Presence")).to_have_text("Online")
    expect(cell(frame, ADA, "Time left")).to_have_text(re.compile(r"^(30:00|29:\d\d)$"))
    expect(frame.get_by_role("navigation", name="Exam pages")).to_be_hidden()  # the test maker's pages
    assert tool.evaluate(MODULE_CHECKS) == {
        "heldBack": 0, "violations": {"copy": 1, "paste": 1}, "total": 2, "presence": ["offline", "away"],
        "needsRoster": True,
        "pages": [[20, 120, 3, 3], [20, 120, 3, 3], [11, 11, 1, 1]], "backoff": [500, 1000, 30000],
    }
    tool.evaluate("window.sameDocument = true")

    # A refreshed launch token goes to the open socket at once, which the server needs before the old one expires.
    token = tool.evaluate(importing("import('/static/js/session.js').then(async (s) => (await s.refreshToken(), "
                                    "s.launchToken()))"))
    wait_until(lambda: hello_tokens(sent)[1:] == [token], page, "a second hello, with the refreshed token")

    # Violations appear live, counted by type, with the last event.
    katherine.violation("tab_hidden", "k-1")
    katherine.violation("tab_hidden", "k-2")
    katherine.violation("paste", "k-3")
    expect(cell(frame, KATHERINE, "Violations")).to_contain_text("3")
    expect(cell(frame, KATHERINE, "Violations").locator(".chip")).to_have_text([
        "Left the exam tab ×2, Left the exam tab: 2 times", "Pasted ×1, Pasted: once"])
    expect(cell(frame, KATHERINE, "Last event")).to_contain_text("Pasted")
    # The name is set apart as its own direction (Unicode's first-strong isolate) inside the news sentence.
    expect(frame.locator("#room-news")).to_contain_text("\u2068Katherine Johnson\u2069: Pasted")
    screenshot(page, "proctor-dashboard-live")

    # Sorting by most violations puts her first (by name she is fourth); filters narrow the room.
    names = frame.locator("#room-table tbody th .student-name")
    frame.get_by_label("Sort by").select_option("violations")
    expect(names.first).to_have_text(KATHERINE.name)
    frame.get_by_label("Only with violations").check()
    expect(names).to_have_text([KATHERINE.name])
    frame.get_by_label("Only with violations").uncheck()
    frame.get_by_label("Sort by").select_option("name")
    expect(names.first).to_have_text(ADA.name)
    frame.get_by_label("Presence").select_option("offline")
    expect(row_of(frame, EDSGER)).to_be_visible()
    expect(row_of(frame, ADA)).to_have_count(0)
    ada.close()  # her page goes away: she is offline now, and so in the filtered view
    expect(row_of(frame, ADA)).to_be_visible(timeout=WAIT_MS)
    expect(row_of(frame, KATHERINE)).to_have_count(0)
    frame.get_by_label("Presence").select_option("")
    expect(frame.locator("#room-table tbody tr")).to_have_count(len(roster.STUDENTS))

    # Her dialog: the timeline, a warning that reaches her page, and her acknowledgement coming back.
    frame.get_by_role("button", name=KATHERINE.name, exact=True).click()
    dialog = frame.get_by_role("dialog", name=KATHERINE.name)
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name=KATHERINE.name)).to_be_focused()
    timeline = dialog.locator("#timeline li")
    expect(timeline).to_have_count(3)
    dialog.get_by_label("Warning", exact=True).select_option(index=0)
    dialog.get_by_role("button", name="Send warning").click()
    expect(dialog.locator("#warn-result")).to_have_text(
        "Warning sent to Katherine Johnson. It stays on their screen until they acknowledge it.")
    warning = katherine.next("warn")
    assert warning["text"] == "Please keep the exam tab in front: leaving it is recorded."
    katherine.send(type="warn_ack", warning_id=warning["warning_id"])
    expect(timeline.first).to_contain_text("Acknowledged the warning", timeout=WAIT_MS)
    expect(cell(frame, KATHERINE, "Last event")).to_contain_text("Acknowledged the warning")

    # Force close needs a reason, then a confirmation; only then does her page hear it.
    end = dialog.get_by_role("button", name="End the attempt…")
    end.click()
    expect(dialog.locator("#terminate-alert")).to_have_text("Write the reason first: the student is shown it, and "
                                                              "it goes on the record.")
    expect(dialog.get_by_label("Reason (required)")).to_be_focused()
    dialog.get_by_label("Reason (required)").fill("A phone on the desk")
    end.click()
    confirm = dialog.get_by_role("group", name="End Katherine Johnson's attempt now?")
    expect(confirm.get_by_role("button", name="Keep it running")).to_be_focused()
    screenshot(page, "proctor-dashboard-force-close")
    assert student_row(maker, exam_id, katherine_attempt)["status"] == "in_progress"
    confirm.get_by_role("button", name="End the attempt").click()
    # Ending, grading and queueing the grade happen before the answer: allow for a busy machine, as for events.
    expect(dialog.locator("#terminate-result")).to_have_text("Katherine Johnson's attempt has ended and is being "
                                                               "graded.", timeout=WAIT_MS)
    assert katherine.next("terminate")["reason"] == "A phone on the desk"
    expect(dialog.locator("#panel-ended")).to_contain_text("This attempt has ended (Terminated)")
    expect(dialog.locator("#panel-actions")).to_be_hidden()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(frame.get_by_role("button", name=KATHERINE.name, exact=True)).to_be_focused()
    expect(cell(frame, KATHERINE, "Status")).to_have_text("Terminated")

    # The dashboard loses its connection; what happens meanwhile is there once it is back, without a reload.
    ada = student_page(ada_token, ada_attempt)
    expect(cell(frame, ADA, "Presence")).to_have_text("Online", timeout=WAIT_MS)
    page.context.set_offline(True)
    expect(frame.locator("#connection")).to_have_text(re.compile("^You are offline"), timeout=WAIT_MS)
    ada.violation("copy", "a-1")
    expect(cell(frame, ADA, "Violations")).to_have_text("None")
    page.context.set_offline(False)
    expect(frame.locator("#connection")).to_have_text(re.compile("^Live"), timeout=WAIT_MS)
    expect(cell(frame, ADA, "Violations")).to_contain_text("Copied ×1")
    expect(frame.locator("#room-news")).to_contain_text("Reconnected")
    assert tool.evaluate("window.sameDocument") is True

    # The whole exam: more time for everyone, an announcement to every page, then closing it, which says how
    # many attempts it ends.
    frame.get_by_role("button", name="Extend…").click()
    confirm = frame.get_by_role("group", name="Give everyone 10 more minutes?")
    expect(confirm).to_contain_text("The deadlines of the 1 open attempt and the close of the exam's window move")
    confirm.get_by_role("button", name="Add 10 minutes").click()
    expect(frame.locator("#controls-result")).to_have_text("Everyone has 10 more minutes: 1 attempt extended.")
    ada.next("time", deadline=(datetime.fromisoformat(ada_started["deadline"]) + timedelta(minutes=10)).isoformat())
    expect(cell(frame, ADA, "Time left")).to_have_text(re.compile(r"^(40:00|39:\d\d)$"))
    frame.get_by_label("Announce to every student").fill("Ten minutes left.")
    frame.locator("#announce-form").get_by_role("button", name="Send").click()
    expect(frame.locator("#controls-result")).to_have_text("Announcement sent to every student taking the exam.")
    assert ada.next("announce")["text"] == "Ten minutes left."
    frame.get_by_role("button", name="Close the exam now…").click()
    confirm = frame.get_by_role("group", name="Close the exam now?")
    expect(confirm).to_contain_text("1 open attempt will be finalized")
    confirm.get_by_role("button", name="Close the exam now").click()
    expect(frame.locator("#controls-result")).to_contain_text("The exam is closed; 1 attempt finalized.")
    ada.next("exam_closed")
    expect(cell(frame, ADA, "Status")).to_have_text("Timed out")
    expect(frame.locator("#exam-over")).to_contain_text("This exam has been closed.")
    expect(frame.locator("#live-controls")).to_be_hidden()

    # Review: each attempt's timeline, and the irregularity report.
    frame.get_by_role("button", name=ADA.name, exact=True).click()
    dialog = frame.get_by_role("dialog", name=ADA.name)
    expect(dialog.locator("#panel-ended")).to_contain_text("(Timed out)")
    expect(dialog.locator("#timeline li").first).to_contain_text("Copied")
    dialog.get_by_role("button", name="Close").click()
    with page.expect_download() as download:
        frame.get_by_role("button", name="Irregularity report (CSV)").click()
    report = download.value.path().read_text()
    assert download.value.suggested_filename == f"exam-{exam_id}-irregularities.csv"
    assert report.count(",violation,tab_hidden,Left the exam tab,") == 2
    assert ",terminate,,,A phone on the desk,Alan Turing," in report
    screenshot(page, "proctor-dashboard-review")

    # The test maker's view of the same room, at the LMS frame's width and on a phone.
    for width, name in ((800, "proctor-dashboard-800px"), (420, "proctor-dashboard-narrow")):
        context = browser.new_context(viewport={"width": width, "height": 900})
        view = context.new_page()
        view.goto(f"{live_server['tool']}/proctor/?id={exam_id}#token={maker.token}")
        expect(view.locator("#connection")).to_have_text(re.compile("^Live"), timeout=WAIT_MS)
        expect(view.get_by_role("navigation", name="Exam pages").get_by_role("button", name="Marks")).to_be_visible()
        expect(view.locator("#room-table tbody tr")).to_have_count(len(roster.STUDENTS))
        assert view.evaluate("document.documentElement.scrollWidth <= innerWidth")
        screenshot(view, name)
        view.get_by_role("button", name=KATHERINE.name, exact=True).click()
        expect(view.locator("#timeline li")).to_have_count(6)
        screenshot(view, f"{name}-student")
        context.close()

    # A proctor the test maker no longer lists is told why the room stays shut, and what to do.
    maker.call("PUT", f"/api/exams/{exam_id}/proctors", json={"emails": []})
    launch(page, live_server, "proctor", "Proctor")
    expect(frame.get_by_role("alert")).to_have_text(
        "The room refused this dashboard: You are not a proctor of this exam. Ask the exam's test maker to list your "
        "email address among its proctors, then open the tool again from the course.", timeout=WAIT_MS)
