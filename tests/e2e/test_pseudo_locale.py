"""Every translated page in the pseudo-locale (lti_tool/i18n/pseudo.py), in Chromium inside the demo LMS's
800 px frame: the student's lobby, pre-exam check, exam page with the proctor's warning, pause, announcement and
extra time, the submit dialog, the end and the review; the proctor's live room and a student's dialog in it.

Each message is accented, bracketed ⟦…⟧ and a third longer, so on each page and state:
- any text outside brackets with Latin letters in it is English that never went through the catalogue (the test
  maker's texts and people's names are theirs: they sit in `<bdi>` or `dir="auto"`);
- nothing is clipped (an element that hides what overflows it) and nothing sticks out of the frame, although every
  sentence is longer than its English."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from lti_tool.demo import roster
from lti_tool.i18n.pseudo import pseudo
from tests.e2e.conftest import screenshot, serve
from tests.e2e.demo_lms import add_exam_to_course, launch, tool_frame
from tests.e2e.proctor_client import ProctorClient
from tests.e2e.test_proctor_dashboard import flagged_student
from tests.e2e.test_take_exam import QUESTIONS, attempt_id_of

pytestmark = pytest.mark.browser

WAIT_MS = 15000

# Runs in the tool's frame: text a reader meets that is outside every ⟦…⟧, where it has Latin letters. Names
# stay as they are: the tool's, and the exam's title in the window's title; so do moments in <time>, which
# Intl writes in the page's language.
UNLOCALISED = """(names) => {
    const outside = (text) => {
        let rest = names.reduce((rest, name) => rest.replaceAll(name, ""), text), before;
        do { before = rest; rest = rest.replace(/⟦[^⟦⟧]*⟧/g, ""); } while (rest !== before);
        return rest;
    };
    const english = (text) => /[A-Za-z]{2,}/.test(outside(text));
    const theirs = (element) => element.closest(
        'bdi, [dir="auto"], [translate="no"], time, script, style, template, [hidden]');
    const shown = (element) => element.getClientRects().length > 0
        && getComputedStyle(element).visibility !== "hidden";
    const left = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const element = walker.currentNode.parentElement;
        if (element && !theirs(element) && shown(element) && english(walker.currentNode.textContent)) {
            left.push(walker.currentNode.textContent.trim());
        }
    }
    for (const element of document.body.querySelectorAll("[aria-label], [title], [placeholder], img[alt]")) {
        for (const name of ["aria-label", "title", "placeholder", "alt"]) {
            const value = element.getAttribute(name);
            if (value && !theirs(element) && english(value)) left.push(`${name}="${value}"`);
        }
    }
    if (english(document.title)) left.push(`<title>${document.title}</title>`);
    return left;
}"""

# Runs in the tool's frame: elements that clip their content or reach outside the frame.
CLIPPED = """() => {
    const problems = [];
    const name = (element) => `<${element.localName}${element.id ? "#" + element.id : ""}`
        + `${element.classList.length ? "." + [...element.classList].join(".") : ""}> `
        + JSON.stringify(element.textContent.trim().slice(0, 60));
    const root = document.scrollingElement;
    if (root.scrollWidth > root.clientWidth + 1) {
        problems.push(`the page scrolls sideways: ${root.scrollWidth} px in ${root.clientWidth}`);
    }
    for (const element of document.body.querySelectorAll("*")) {
        const box = element.getBoundingClientRect();
        // Off-screen on purpose: text for screen readers only, and the skip link until it has the focus.
        if (box.width <= 1 || box.height <= 1 || element.closest(".skip-link")) continue;
        const style = getComputedStyle(element);
        if (style.display === "none" || style.visibility === "hidden") continue;
        const clips = /hidden|clip/.test(style.overflowX + style.overflowY);
        const over = element.scrollWidth > element.clientWidth + 1 || element.scrollHeight > element.clientHeight + 1;
        if (clips && over) {
            problems.push(`clipped: ${name(element)}`);
        }
        if (box.right > innerWidth + 1 || box.left < -1) {
            problems.push(`outside the frame (${Math.round(box.left)}–${Math.round(box.right)} px): ${name(element)}`);
        }
    }
    return problems;
}"""


@pytest.fixture(scope="module")
def pseudo_server(tmp_path_factory):
    """The tool with the pseudo-locale offered, and its demo LMS offering it in the language menu."""
    yield from serve(tmp_path_factory, PSEUDO_LOCALE="1")


def swept(page, where, title):
    """Check the frame's page as it is now: no English outside the catalogue but the names (the tool's and the
    exam's `title`), nothing clipped at 800 px."""
    tool = page.frame(name="tool-frame")
    assert tool.evaluate("innerWidth") <= 800
    expect(tool_frame(page).locator("html")).to_have_attribute("lang", "en-001")
    left = tool.evaluate(UNLOCALISED, ["Proctor LTI", title])
    assert not left, f"{where}: English outside the catalogue: {left}"
    clipped = tool.evaluate(CLIPPED)
    assert not clipped, f"{where}: {clipped}"
    screenshot(page, f"pseudo-{where}")


def open_exam(page, server):
    """A published two-question exam in full screen, with results shown at once, on a new link of the course."""
    title = f"Pseudo {uuid.uuid4().hex[:6]}"
    maker = add_exam_to_course(page, server, title)
    exam_id = next(e["id"] for e in maker.call("GET", "/api/exams")["exams"] if e["title"] == title)
    maker.call("PATCH", f"/api/exams/{exam_id}", json={
        "require_fullscreen": True, "duration_minutes": 30, "review_when": "immediately", "pass_mark": 50})
    for question in QUESTIONS[:2]:
        maker.call("POST", f"/api/exams/{exam_id}/questions", expected=201, json=question)
    maker.call("POST", f"/api/exams/{exam_id}/publish")
    return title, maker, exam_id


def test_every_student_page_and_state_is_wholly_translated_and_fits(pseudo_server, page):
    title, maker, exam_id = open_exam(page, pseudo_server)
    # In full screen the frame is the whole window: 800 px wide, as an LMS's frame is.
    page.set_viewport_size({"width": 800, "height": 1000})
    proctor = ProctorClient(pseudo_server["tool"], maker.token, exam_id)
    try:
        page.goto(f"{pseudo_server['demo']}?locale=en-001")
        launch(page, pseudo_server, "student", pseudo("Student"), link=title, reload=False)
        frame = tool_frame(page)
        start = frame.get_by_role("button", name=pseudo("Start the exam"))
        expect(start).to_be_visible(timeout=WAIT_MS)
        swept(page, "lobby", title)

        start.click()
        check = frame.get_by_role("region", name=pseudo("Pre-exam check"))
        expect(check).to_be_visible(timeout=WAIT_MS)
        swept(page, "pre-exam-check", title)
        check.get_by_role("button", name=pseudo("Enter full screen")).click()
        check.get_by_role("button", name=pseudo("Start the exam")).click()

        expect(frame.locator("#proctoring-status")).to_have_text(pseudo("Proctoring connected"), timeout=WAIT_MS)
        attempt_id = attempt_id_of(page)
        proctor.next("presence", attempt_id=attempt_id, state="online")
        frame.get_by_label("Paris").check()
        expect(frame.locator("#save-state")).to_have_text(pseudo("Saved"))
        swept(page, "exam-page", title)

        proctor.command(type="warn", attempt_id=attempt_id, text="Eyes on your own screen, please.")
        warning = frame.get_by_role("dialog", name=pseudo("Warning from your proctor"))
        expect(warning).to_be_visible()
        swept(page, "warning", title)
        warning.get_by_role("button", name=pseudo("I understand")).click()
        expect(warning).to_be_hidden()

        proctor.command(type="pause", attempt_id=attempt_id, reason="Fire alarm")
        expect(frame.get_by_role("heading", name=pseudo(
            "Your exam is paused by the proctor; your answers are safe"))).to_be_visible()
        swept(page, "paused", title)
        proctor.command(type="resume", attempt_id=attempt_id)
        expect(frame.get_by_label("Paris")).to_be_enabled()

        proctor.command(type="announce", text="Ten minutes left for everyone.")
        proctor.command(type="extend", attempt_id=attempt_id, minutes=7)
        expect(frame.locator("#extra-time")).to_contain_text("⟦", timeout=WAIT_MS)
        expect(frame.get_by_role("status").filter(has_text="Ten minutes left for everyone.")).to_be_visible()
        swept(page, "announcement-and-extra-time", title)

        frame.get_by_role("button", name=pseudo("Submit exam…")).click()
        dialog = frame.get_by_role("dialog", name=pseudo("Submit your exam?"))
        expect(dialog).to_be_visible()
        swept(page, "submit-dialog", title)
        dialog.get_by_role("button", name=pseudo("Submit now")).click()
        expect(frame.get_by_role("heading", name=pseudo("Your exam has been submitted"))).to_be_visible(
            timeout=WAIT_MS)
        swept(page, "submitted", title)

        frame.get_by_role("button", name=pseudo("See your results")).click()
        expect(frame.get_by_role("heading", name=pseudo("Your results"), level=1)).to_be_visible(timeout=WAIT_MS)
        expect(frame.locator(".review-question")).to_have_count(2)
        swept(page, "review", title)
    finally:
        proctor.close()


def test_the_live_room_and_a_students_dialog_are_wholly_translated_and_fit(pseudo_server, page):
    title, maker, exam_id = open_exam(page, pseudo_server)
    with flagged_student(page, pseudo_server, maker, exam_id, title):
        page.set_viewport_size({"width": 800, "height": 1000})
        page.goto(f"{pseudo_server['demo']}?locale=en-001")
        launch(page, pseudo_server, "proctor", pseudo("Proctor"), link=title, reload=False)
        frame = tool_frame(page)
        expect(frame.locator("#connection")).to_have_text(re.compile("^⟦"), timeout=WAIT_MS)
        name = roster.FIRST_STUDENT.name
        expect(frame.get_by_role("button", name=name, exact=True)).to_be_visible()
        swept(page, "live-room", title)

        frame.get_by_role("button", name=name, exact=True).click()
        expect(frame.get_by_role("dialog", name=name)).to_be_visible()
        swept(page, "live-room-student", title)
