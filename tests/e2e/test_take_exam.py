"""A student takes an exam inside the demo LMS's cross-site frame: start from the lobby, answer (each
click saved at once), reload, lose the connection, resume on another device, submit through the
confirmation dialog; and a countdown that reaches zero ends the attempt with the saved answers scored.

Each test makes its own exam through the tool's API (with a test maker's launch token) and binds it to
the demo course's default link, so the tests do not depend on each other or on their order."""

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.demo_lms import add_exam_to_course, assert_in_demo_gradebook, launch, tool_frame
from tests.e2e.modules import importing
from tests.e2e.tool_api import student_row

pytestmark = pytest.mark.browser

QUESTIONS = [
    {"type": "single", "text": "Which city is the capital of France?", "points": 1,
     "options": [{"text": "Paris", "correct": True}, {"text": "Lyon", "correct": False}]},
    {"type": "multi", "text": "Which of these numbers are prime?", "points": 2,
     "options": [{"text": "Two", "correct": True}, {"text": "Three", "correct": True},
                 {"text": "Nine", "correct": False}]},
    {"type": "single", "text": "What is 2 + 2?", "points": 1,
     "options": [{"text": "4", "correct": True}, {"text": "5", "correct": False}]},
    {"type": "single", "text": "Which is the largest planet?", "points": 1,
     "options": [{"text": "Jupiter", "correct": True}, {"text": "Mars", "correct": False}]},
]


# Runs in the exam page: the countdown's arithmetic, and the save queue with a fake network (nothing sent before
# it knows the server's highest order number, then numbering on from it; coalescing per question in the order
# of the latest changes, a 4xx dropped, a network error kept and retried with the same number).
MODULE_CHECKS = importing("""async () => {
    const clock = await import("/static/js/attempt/clock.js");
    const { SaveQueue } = await import("/static/js/attempt/save-queue.js");
    const { HttpError, NetworkError } = await import("/static/js/attempt/request.js");
    const milestones = new clock.Milestones([10, 5, 1]);
    const reached = [];
    for (let s = 11 * 60; s >= 0; s -= 1) { const m = milestones.check(s * 1000); if (m) reached.push(m); }
    const memory = new Map();
    const store = { get: (k) => memory.get(k) ?? null, set: (k, v) => memory.set(k, v),
                    remove: (k) => memory.delete(k) };
    const sent = [], statuses = [];
    let release, offline = false;
    const send = async (id, payload) => {
        sent.push([id, payload.option_ids, payload.seq]);
        if (id === 1 && sent.length === 1) await new Promise((r) => { release = r; });
        if (id === 2) throw new HttpError(409, "Time is up");
        if (offline) throw new NetworkError("offline");
    };
    const queue = new SaveQueue({ store, storageKey: "k", send, onStatus: (id, s) => statuses.push([id, s]) });
    queue.enqueue(1, { option_ids: [1], flagged: false });
    const early = sent.length;  // held until the page has loaded the attempt
    queue.startAfter(40);  // the server holds saves up to 40: this one goes as 41, in flight until released
    queue.enqueue(1, { option_ids: [2], flagged: false });  // replaced by [3] before it goes
    queue.enqueue(2, { option_ids: [5], flagged: false });
    queue.enqueue(1, { option_ids: [3], flagged: false });
    release();
    const first = await queue.flush();
    offline = true;
    queue.enqueue(3, { option_ids: [7], flagged: false });
    const second = await queue.flush();
    const kept = JSON.parse(memory.get("k")).map(([id]) => id);
    offline = false;
    queue.enqueue(4, { option_ids: [9], flagged: false });
    const third = await queue.flush();
    queue.stop();
    // The save's road: the socket's reply or refusal as it is; a save the socket cannot carry, and one without a
    // socket, go as the PUT (to an attempt that does not exist here, so the server's 404 shows it went).
    const { saveRoad } = await import("/static/js/attempt/save-road.js");
    const { SocketUnavailable } = await import("/static/js/attempt/socket.js");
    const road = (save) => saveRoad({ socket: () => save && { save }, path: () => "/api/attempts/0/answers/1" });
    const outcome = (promise) => promise.then(
        (reply) => reply.via, (error) => `${error.constructor.name} ${error.status}`);
    // The socket pairs each save with its reply by id, and fails those in flight when it closes.
    const { ProctorSocket } = await import("/static/js/attempt/socket.js");
    const socket = new ProctorSocket({ attemptId: 0, onMessage: () => {}, onState: () => {}, onOutage: () => {} });
    const frames = [];
    const notConnected = await outcome(socket.save(1, {}));
    Object.assign(socket, { ready: true, ws: { send: (text) => frames.push(JSON.parse(text)) } });
    const replies = [socket.save(1, { option_ids: [2], seq: 7 }), socket.save(2, { option_ids: [], seq: 8 }),
                     socket.save(3, { option_ids: [], seq: 9 })];
    socket.receive(JSON.stringify({ type: "error", id: frames[1].id, status: 409, message: "Time is up" }));
    socket.receive(JSON.stringify({ type: "saved", id: frames[0].id, via: "socket" }));
    socket.disconnected();
    const paired = [notConnected, ...await Promise.all(replies.map(outcome)), frames[0]];
    const roads = [
        await outcome(road(async () => ({ via: "socket" }))(1, { option_ids: [] })),
        await outcome(road(async () => { throw new HttpError(409, "Time is up"); })(1, { option_ids: [] })),
        await outcome(road(async () => { throw new SocketUnavailable("closed"); })(1, { option_ids: [] })),
        await outcome(road(async () => { throw new HttpError(429, "Too many messages"); })(1, { option_ids: [] })),
        await outcome(road(async () => { throw new HttpError(503, "Held"); })(1, { option_ids: [] })),
        await outcome(road(null)(1, { option_ids: [] })),
    ];
    return {
        roads, paired,
        milestones: reached, clock: [clock.formatClock(3723000), clock.formatClock(59001), clock.formatClock(0)],
        words: clock.describeRemaining(600000), sent, early, kept,
        flushed: [second, third && first && memory.size === 0],
        refused: statuses.filter(([, s]) => s === "refused"),
    };
}""")


def make_exam(page, live_server, title, questions, **settings):
    """As the test maker: add an exam with these questions and settings to the demo course (a link of its own,
    so each test has its own exam and gradebook column)."""
    maker = add_exam_to_course(page, live_server, title)
    exam_id = next(e["id"] for e in maker.call("GET", "/api/exams")["exams"] if e["title"] == title)
    if settings:
        maker.call("PATCH", f"/api/exams/{exam_id}", json=settings)
    for question in questions:
        maker.call("POST", f"/api/exams/{exam_id}/questions", expected=201, json=question)
    maker.call("POST", f"/api/exams/{exam_id}/publish")
    return maker, exam_id


def attempt_id_of(page):
    return int(parse_qs(urlparse(page.frame(name="tool-frame").url).query)["id"][0])


def kept_in_tab(frame, key):
    """What the exam page keeps for a reload: in this tab's sessionStorage, or in its URL fragment where the
    browser blocks storage in a cross-site frame (Chromium with third-party cookies blocked does)."""
    return frame.evaluate("""(key) => {
        try { return sessionStorage.getItem(key); }
        catch { return new URLSearchParams(location.hash.slice(1)).get(key); }
    }""", key)


def test_student_takes_an_exam_through_a_reload_and_a_lost_connection(live_server, page):
    maker, exam_id = make_exam(page, live_server, "Geography and numbers", QUESTIONS,
                               instructions="Answer every question.\nEach click is saved at once.")
    launch(page, live_server, "student", "Student", link="Geography and numbers")
    frame = tool_frame(page)

    # The lobby shows the bound exam and the way in.
    expect(frame.get_by_role("heading", name="Geography and numbers")).to_be_visible()
    expect(frame.locator('[data-fact="attempts"]')).to_have_text("0 of 1 used")
    screenshot(page, "take-exam-lobby")
    frame.get_by_role("button", name="Start the exam").click()

    heading = frame.locator("#question-heading")
    save_state = frame.locator("#save-state")
    answered = frame.locator("#answered-count")
    expect(heading).to_have_text("Question 1 of 4", timeout=15000)
    expect(answered).to_have_text("0 of 4 answered")
    expect(frame.get_by_role("group", name="Which city is the capital of France?")).to_be_visible()
    # With the proctoring socket connected, answers are saved over it, not with a request each.
    answer_requests = []
    page.on("request", lambda r: "/answers/" in r.url and answer_requests.append(r.url))
    expect(frame.locator("#proctoring-status")).to_have_attribute("data-state", "connected", timeout=15000)
    frame.get_by_label("Paris").check()
    expect(save_state).to_have_text("Saved")

    frame.get_by_role("button", name="Next", exact=True).click()
    expect(heading).to_have_text("Question 2 of 4")
    frame.get_by_label("Two").check()
    frame.get_by_label("Three").check()
    expect(save_state).to_have_text("Saved")
    flag = frame.get_by_role("button", name="Flag for review", exact=True)
    flag.click()
    flag = frame.get_by_role("button", name="Flagged: remove flag", exact=True)
    expect(flag).to_be_visible()
    expect(save_state).to_have_text("Saved")
    expect(answered).to_have_text("2 of 4 answered")
    expect(frame.get_by_role("button", name="Question 2, answered, flagged for review")).to_have_attribute(
        "aria-current", "step")
    assert answer_requests == []
    screenshot(page, "take-exam-question")

    with page.expect_response(lambda r: r.url.endswith("/position") and r.request.method == "PUT") as moved:
        frame.get_by_role("button", name=re.compile("^Question 3, not answered")).click()
    assert moved.value.status == 204
    expect(heading).to_have_text("Question 3 of 4")
    expect(heading).to_be_focused()

    # A reload of the tool frame lands on the same question with every saved answer.
    tool = page.frame(name="tool-frame")
    with tool.expect_navigation():
        tool.evaluate("setTimeout(() => location.reload(), 0)")
    expect(heading).to_have_text("Question 3 of 4", timeout=15000)
    expect(answered).to_have_text("2 of 4 answered")
    frame.get_by_role("button", name=re.compile("^Question 1, answered")).click()
    expect(frame.get_by_label("Paris")).to_be_checked()
    frame.get_by_role("button", name=re.compile("^Question 2, answered, flagged")).click()
    expect(frame.get_by_label("Two")).to_be_checked()
    expect(frame.get_by_label("Three")).to_be_checked()
    expect(frame.get_by_label("Nine")).not_to_be_checked()
    expect(flag).to_be_visible()

    # Offline: the answer is kept (in this tab's storage too), the banner says so, and it is sent later.
    frame.get_by_role("button", name="Next", exact=True).click()
    expect(heading).to_have_text("Question 3 of 4")
    page.context.set_offline(True)
    frame.get_by_label("4", exact=True).check()
    offline = frame.get_by_role("alert").filter(has_text="You are offline")
    expect(offline).to_have_text(
        "You are offline — your answers are kept and will be sent when the connection returns")
    expect(save_state).to_have_text(re.compile("^Not sent yet"))
    assert '"option_ids"' in kept_in_tab(tool, f"proctor-lti:unsent-answers:{attempt_id_of(page)}")
    screenshot(page, "take-exam-offline")
    page.context.set_offline(False)
    expect(save_state).to_have_text("Saved", timeout=15000)
    expect(offline).to_have_count(0)
    expect(answered).to_have_text("3 of 4 answered")

    # Another device (a narrow window) resumes at the stored position with the saved answers.
    attempt_id = attempt_id_of(page)
    student_token = kept_in_tab(tool, "token")
    other_device = page.context.browser.new_context(viewport={"width": 400, "height": 900})
    phone = other_device.new_page()
    phone.goto(f"{live_server['tool']}/exam/attempt?id={attempt_id}#token={student_token}")
    expect(phone.locator("#question-heading")).to_have_text("Question 3 of 4", timeout=15000)
    expect(phone.locator("#answered-count")).to_have_text("3 of 4 answered")
    expect(phone.get_by_label("4", exact=True)).to_be_checked()
    screenshot(phone, "take-exam-narrow")
    other_device.close()

    # Launched again from the course: the lobby offers to continue, and the exam opens where it was.
    launch(page, live_server, "student", "Student", link="Geography and numbers")
    frame.get_by_role("button", name="Continue your exam").click()
    expect(heading).to_have_text("Question 3 of 4", timeout=15000)
    expect(answered).to_have_text("3 of 4 answered")

    # Submit: the confirmation lists what is unanswered and flagged; Escape keeps working.
    submit = frame.get_by_role("button", name="Submit exam…")
    submit.click()
    dialog = frame.get_by_role("dialog", name="Submit your exam?")
    expect(dialog).to_contain_text("Not answered: question 4.")
    expect(dialog).to_contain_text("Flagged for review: question 2.")
    expect(dialog.get_by_role("button", name="Keep working")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(submit).to_be_focused()
    submit.click()
    screenshot(page, "take-exam-dialog")
    dialog.get_by_role("button", name="Submit now").click()
    ended = frame.get_by_role("heading", name="Your exam has been submitted")
    expect(ended).to_be_visible(timeout=15000)
    expect(ended).to_be_focused()
    expect(frame.locator("#ended-time")).to_contain_text("Submitted")
    screenshot(page, "take-exam-submitted")

    row = student_row(maker, exam_id, attempt_id)
    assert (row["status"], row["score"], row["max_score"]) == ("submitted", 4, 5)
    assert_in_demo_gradebook(page, live_server, "Geography and numbers", "Ada Lovelace", "4", "5")

    # Back in the lobby: the attempt is over and none is left.
    frame.get_by_role("button", name="Back to the exam lobby").click()
    expect(frame.locator('[data-fact="last-status"]')).to_have_text("Attempt 1: Submitted.", timeout=15000)
    expect(frame.locator("#lobby-status")).to_have_text("You have no attempts left.")
    expect(frame.get_by_role("button", name="Start the exam")).to_have_count(0)


def test_the_countdown_reaching_zero_ends_the_attempt_with_the_saved_answers(live_server, page):
    maker, exam_id = make_exam(page, live_server, "Quick quiz", QUESTIONS[:2], review_when="after_close")
    launch(page, live_server, "student", "Student", link="Quick quiz")
    frame = tool_frame(page)
    start = frame.get_by_role("button", name="Start the exam")
    expect(start).to_be_visible()
    # The window closes in a few seconds, so the attempt's deadline is capped there. Seconds enough for a loaded CI
    # machine to open the exam, save an answer and run the module checks before it: one run with 8 s never showed
    # the first question within 15 s.
    closes = (datetime.now(timezone.utc) + timedelta(seconds=20)).isoformat()
    maker.call("PATCH", f"/api/exams/{exam_id}", json={"closes_at": closes})
    start.press("Enter")  # the keyboard: no hit-testing of a frame still drawing (see test_camera.open_check)
    expect(frame.locator("#question-heading")).to_have_text("Question 1 of 2", timeout=15000)
    frame.get_by_label("Paris").check()
    expect(frame.locator("#save-state")).to_have_text("Saved")

    # While the clock runs down: the page's own modules, checked in place.
    checks = page.frame(name="tool-frame").evaluate(MODULE_CHECKS)
    assert checks == {
        "milestones": [10, 5, 1], "clock": ["1:02:03", "1:00", "0:00"], "words": "10 minutes",
        "sent": [[1, [1], 41], [2, [5], 43], [1, [3], 44], [3, [7], 45], [3, [7], 45], [4, [9], 46]], "early": 0,
        "refused": [[2, "refused"]], "kept": [3], "flushed": [False, True],
        "roads": ["socket", "HttpError 409", "HttpError 404", "HttpError 404", "HttpError 404", "HttpError 404"],
        "paired": ["SocketUnavailable undefined", "socket", "HttpError 409", "SocketUnavailable undefined",
                   {"type": "save", "id": "save-1", "question_id": 1, "option_ids": [2], "seq": 7}],
    }, checks

    # The page's own countdown reaches zero: input stops, and the server's ending is shown in place.
    expect(frame.locator("#clock")).to_have_text("0:00", timeout=30000)
    expect(frame.get_by_label("Lyon")).to_be_disabled()
    expect(frame.get_by_role("heading", name="Your exam has ended")).to_be_visible(timeout=20000)
    expect(frame.get_by_text("Time is up; your saved answers were submitted automatically.")).to_be_visible()
    expect(frame.locator("#ended-score")).to_have_text("Score: 1 out of 3")
    assert page.frame(name="tool-frame").url.startswith(f"{live_server['tool']}/exam/attempt?id=")

    row = student_row(maker, exam_id, attempt_id_of(page))
    assert (row["status"], row["score"], row["max_score"]) == ("timed_out", 1, 3)
