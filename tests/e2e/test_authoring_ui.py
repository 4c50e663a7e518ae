"""The test maker's authoring pages inside the cross-site LMS frame: create an exam, edit its settings,
add a question by the form, import a GIFT file through the preview (and see a broken one refused with its
line numbers, importing nothing), then open its marks."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from lti_tool.demo.roster import FIRST_STUDENT, PROCTOR
from tests.e2e.conftest import screenshot
from tests.e2e.demo_lms import launch, open_in_tool_frame, tool_frame

pytestmark = pytest.mark.browser

GOOD_GIFT = (
    "::Capital:: What is the capital of France? {=Paris ~Lyon ~Marseille}\n"
    "\n"
    "::Planet:: Which planet is the largest? {=Jupiter ~Mars ~Venus}\n"
)
BROKEN_GIFT = (
    "::Fine:: How much is 2 + 2? {=4 ~5}\n"
    "\n"
    "::Broken {=a ~b}\n"
)


def gift(name, text):
    return {"name": name, "mimeType": "text/plain", "buffer": text.encode()}


def launch_as_test_maker(page, live_server):
    page.goto(live_server["demo"])
    frame = tool_frame(page)
    heading = frame.get_by_role("heading", level=1)
    open_in_tool_frame(page, page.get_by_role("link", name=re.compile("^Launch as test maker ")).first, heading,
                       "the exam management page")
    expect(heading).to_have_text("Exam management")
    return frame


def test_test_maker_creates_edits_imports_and_sees_marks(live_server, page):
    title = f"Authoring UI {uuid.uuid4().hex[:8]}"
    frame = launch_as_test_maker(page, live_server)
    expect(frame.locator('[data-field="roles"]')).to_have_text("Test Maker")
    unbound = frame.get_by_role("heading", name="This course link has no exam yet")
    if frame.locator('[data-field="exam"]').inner_text().startswith("No exam"):
        expect(unbound).to_be_visible()

    # Create an exam by title; it appears in the list with its own actions.
    frame.get_by_label("New exam title").fill(title)
    frame.get_by_role("button", name="Create exam").click()
    expect(frame.get_by_role("status").filter(has_text=f"Created “{title}”")).to_be_visible()
    card = frame.get_by_role("listitem", name=title)
    expect(card).to_contain_text("0 questions")
    card.get_by_role("button", name=f"More actions for {title}").click()
    expect(card.get_by_role("button", name=f"Use {title} for this link")).to_be_visible()
    screenshot(page, "authoring-manage")

    # Edit: the settings section says what is wrong beside the field, then saves.
    card.get_by_role("button", name=f"Edit {title}").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text(f"Edit “{title}”", timeout=15000)
    duration = frame.get_by_label("Duration (minutes)")
    expect(duration).to_have_value("60")
    duration.fill("0")
    frame.get_by_role("button", name="Save settings").click()
    expect(frame.locator("#s-duration-error")).to_have_text("Must be a whole number from 1 to 1440.")
    expect(duration).to_have_attribute("aria-invalid", "true")
    expect(duration).to_be_focused()
    duration.fill("45")
    frame.get_by_role("button", name="Save settings").click()
    expect(frame.get_by_role("status").filter(has_text="Settings saved")).to_be_visible()
    expect(duration).to_have_value("45")

    # Add a question with the form, in the Questions section.
    frame.get_by_role("tab", name="Questions").click()
    questions = frame.locator("#question-list > li")
    frame.get_by_role("button", name="Add a question").click()
    editor = frame.get_by_role("form", name="New question")
    editor.get_by_label("Question text").fill("Which colour is the sky on a clear day?")
    editor.get_by_label("Points").fill("2")
    editor.get_by_label("Option 1", exact=True).fill("Blue")
    editor.get_by_label("Option 2", exact=True).fill("Green")
    editor.get_by_label("Option 1 is correct").check()
    editor.get_by_role("button", name="Add question").click()
    expect(frame.get_by_role("status").filter(has_text="Question 1 added.")).to_be_visible()
    expect(questions).to_have_count(1)
    expect(questions.first).to_contain_text("Which colour is the sky on a clear day?")
    expect(questions.first).to_contain_text("2 points")

    # Import a GIFT file: preview (dry run), then import.
    file_input = frame.get_by_label("Question file (.csv, .json, .gift, .xml or .zip)")
    file_input.set_input_files(gift("two.gift", GOOD_GIFT))
    preview = frame.locator("#import-preview")
    expect(preview.get_by_role("heading")).to_have_text("Preview: 2 questions in “two.gift”")
    expect(preview).to_contain_text("What is the capital of France?")
    expect(preview).to_contain_text("Line 3")
    expect(questions).to_have_count(1)  # a preview adds nothing
    screenshot(page, "authoring-import-preview")
    frame.get_by_role("button", name="Import 2 questions").click()
    expect(frame.get_by_role("status").filter(has_text="Imported 2 questions")).to_be_visible()
    expect(questions).to_have_count(3)
    expect(questions.nth(2)).to_contain_text("Which planet is the largest?")
    expect(frame.locator("#question-count")).to_have_text("(3)")

    # A broken file: its problems by line, and nothing imported.
    file_input.set_input_files(gift("broken.gift", BROKEN_GIFT))
    problem = frame.get_by_role("alert").filter(has_text="cannot be imported")
    expect(problem).to_contain_text("Nothing was imported")
    expect(problem.get_by_role("listitem")).to_have_text(["Line 3: the title opened with :: is not closed with ::"])
    expect(preview).to_be_hidden()
    expect(questions).to_have_count(3)
    screenshot(page, "authoring-import-refused")

    # Marks: an empty table (nobody has finished), the students section, the questions' statistics.
    frame.get_by_role("navigation", name="Exam pages").get_by_role("button", name="Marks").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text(f"Marks: “{title}”", timeout=15000)
    expect(frame.get_by_role("heading", name="Students")).to_be_visible()
    students = frame.get_by_role("table", name="Each student's grade and attempts")
    expect(students.get_by_role("columnheader", name="Name")).to_have_attribute("aria-sort", "ascending")
    expect(students).not_to_contain_text("Submitted")
    expect(frame.locator("#histogram")).to_contain_text("No finished attempts yet")
    expect(frame.locator("#questions-table tbody tr")).to_have_count(3)
    expect(frame.locator("#audit-list")).to_contain_text("questions imported")
    # The edit's audit entry lists only what changed, old → new.
    edit_entry = frame.locator("#audit-list li").filter(has_text="exam updated")
    expect(edit_entry.locator(".audit-data")).to_have_text("duration minutes: 60 → 45")
    students.get_by_role("button", name="Percent").click()
    expect(students.get_by_role("columnheader", name="Percent")).to_have_attribute("aria-sort", "ascending")
    expect(students.get_by_role("columnheader", name="Name")).not_to_have_attribute("aria-sort", re.compile(".*"))


def test_test_maker_picks_the_proctors_of_an_exam_from_the_roster(live_server, page):
    """Proctors are people of the course, found by name or address and ticked, with the keyboard; a student can be
    one (a school whose invigilators Moodle launches as Learner)."""
    title = f"Proctored {uuid.uuid4().hex[:8]}"
    launch(page, live_server, "proctor", "Proctor")  # the TA has opened the tool once, so the course knows them
    launch(page, live_server, "student", "Student")
    frame = launch_as_test_maker(page, live_server)
    frame.get_by_label("New exam title").fill(title)
    frame.get_by_role("button", name="Create exam").click()
    frame.get_by_role("listitem", name=title).get_by_role("button", name=f"Edit {title}").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text(f"Edit “{title}”", timeout=15000)
    frame.get_by_role("tab", name="People and extra time").click()

    listed = frame.get_by_role("group", name="Listed proctors")
    found = frame.get_by_role("group", name="People found")
    expect(listed).to_contain_text("Nobody is listed")
    search = frame.get_by_label("Find a person of the course")
    search.fill("LOVELACE")
    search.press("Enter")  # searches at once, and does not save the form
    ada = found.get_by_role("checkbox", name=f"{FIRST_STUDENT.name} ({FIRST_STUDENT.email}) — student")
    expect(found.get_by_role("checkbox")).to_have_count(1)
    expect(frame.locator("#proctor-results-count")).to_have_text("1 person found.")
    ada.focus()
    page.keyboard.press("Space")
    expect(listed.get_by_role("checkbox", name=f"{FIRST_STUDENT.name} ({FIRST_STUDENT.email})")).to_be_checked()

    search.fill(PROCTOR.email)
    search.press("Enter")
    found.get_by_role("checkbox", name=re.compile(f"^{PROCTOR.name}")).check()
    frame.get_by_role("button", name="Save proctors").click()
    expect(frame.get_by_role("status").filter(has_text="Saved 2 proctors")).to_be_visible()
    expect(listed.get_by_role("checkbox")).to_have_count(2)
    expect(found.get_by_role("checkbox", name=re.compile(f"^{PROCTOR.name}"))).to_be_checked()

    listed.get_by_role("checkbox", name=re.compile(f"^{PROCTOR.name}")).uncheck()
    frame.get_by_role("button", name="Save proctors").click()
    # The name is set apart as its own direction (Unicode's first-strong isolate) inside the sentence.
    saved = f"Saved 1 proctor: \u2068{FIRST_STUDENT.name}\u2069"
    expect(frame.get_by_role("status").filter(has_text=saved)).to_be_visible()
    search.fill("nobody-at-all")
    search.press("Enter")
    expect(frame.locator("#proctor-results-count")).to_have_text("Nobody of this course matches “nobody-at-all”.")
    screenshot(page, "authoring-proctors")


def test_a_file_over_the_upload_limit_is_refused_by_the_page_before_it_is_sent(live_server, page):
    title = f"Big file {uuid.uuid4().hex[:8]}"
    frame = launch_as_test_maker(page, live_server)
    frame.get_by_label("New exam title").fill(title)
    frame.get_by_role("button", name="Create exam").click()
    frame.get_by_role("listitem", name=title).get_by_role("button", name=f"Edit {title}").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text(f"Edit “{title}”", timeout=15000)
    frame.get_by_role("tab", name="Questions").click()
    imports = []
    page.on("request", lambda request: "/import" in request.url and imports.append(request.url))

    file_input = frame.get_by_label("Question file (.csv, .json, .gift, .xml or .zip)")
    file_input.set_input_files({"name": "huge.gift", "mimeType": "text/plain", "buffer": b"x" * 11_000_000})

    message = "This file is 10.5 MB; the largest is 10 MB; split it into smaller files."
    next_to_field = frame.locator("#import-form div").get_by_role("alert")
    expect(next_to_field).to_have_text(message)
    expect(file_input).to_have_attribute("aria-invalid", "true")
    expect(file_input).to_have_attribute("aria-errormessage", "import-file-error")
    screenshot(page, "authoring-file-too-large")
    # A file that fits clears the message and is checked as usual.
    file_input.set_input_files(gift("two.gift", GOOD_GIFT))
    expect(frame.get_by_role("heading", name="Preview: 2 questions in “two.gift”")).to_be_visible()
    expect(next_to_field).to_be_hidden()
    expect(file_input).to_have_attribute("aria-invalid", "false")
    assert len(imports) == 1 and imports[0].endswith("/import?dry_run=1")  # only the file that fits was sent
