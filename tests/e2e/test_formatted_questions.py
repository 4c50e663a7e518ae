"""Formatted questions in Chromium: a formula, a table and code as the student sees them (MathML drawn by the
browser, options still chosen by their labels), what a question bank's script tags do there (nothing), and the
editor's format choice, toolbar and preview."""

import io
import pathlib
import re
import uuid

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.axe import assert_no_violations
from tests.e2e.conftest import screenshot
from tests.e2e.demo_lms import launch, tool_frame
from tests.e2e.test_authoring_ui import launch_as_test_maker
from tests.e2e.test_take_exam import make_exam
from tests.exam.test_moodle_xml import EXPORT

pytestmark = pytest.mark.browser

HOSTILE = ("<img src=x onerror=\"window.ran=1\"><script>window.ran=2</script>"
           "<svg onload=\"window.ran=3\"></svg><a href=\"javascript:window.ran=4\">link</a>")
QUESTIONS = [
    {"type": "single", "format": "html", "points": 1,
     "text": r"<p>The table gives \(f(x) = x^2\) for two values.</p>"
             "<table><tr><th scope=\"col\">x</th><th scope=\"col\">f(x)</th></tr><tr><td>2</td><td>4</td></tr>"
             "<tr><td>3</td><td>?</td></tr></table><p>What is <code>f(3)</code>?" + HOSTILE + "</p>",
     "options": [{"text": r"\(9\)", "correct": True}, {"text": r"\(\sqrt{3}\)", "correct": False}]},
]


def red_square():
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 0, 0)).save(out, "PNG")
    return out.getvalue()


def test_a_student_sees_formulas_tables_and_code_and_no_script_of_the_bank_runs(live_server, page):
    title = f"Formatted {uuid.uuid4().hex[:8]}"
    make_exam(page, live_server, title, QUESTIONS)
    launch(page, live_server, "student", "Student", link=title)
    frame = tool_frame(page)
    frame.get_by_role("button", name="Start the exam").click()
    expect(frame.locator("#question-heading")).to_have_text("Question 1 of 1", timeout=15000)

    text = frame.locator("#question-text")
    expect(text.locator('math[display="inline"] msup')).to_have_count(1)
    expect(text.get_by_role("table")).to_be_visible()
    expect(text.get_by_role("columnheader", name="f(x)")).to_be_visible()
    expect(text.locator("code")).to_have_text("f(3)")
    expect(frame.get_by_role("group", name=re.compile("^The table gives"))).to_be_visible()
    # MathML is laid out by the browser: the square root has a height of its own, not a line of TeX.
    root = frame.locator("#question-options msqrt")
    expect(root).to_be_visible()
    assert frame.locator("#question-options").inner_text().count("sqrt") == 0
    frame.locator("#question-options label").first.click()
    expect(frame.locator("#save-state")).to_have_text("Saved")
    expect(frame.locator("#question-options input").first).to_be_checked()
    assert text.locator("img, script, svg, a").count() == 0
    assert page.frame(name="tool-frame").evaluate("() => window.ran") is None
    # Each option is named by its formula's TeX, not by the formula's digits alone (√3 would be "3").
    expect(frame.get_by_role("radio", name="9", exact=True)).to_be_visible()
    expect(frame.get_by_role("radio", name="\\sqrt{3}", exact=True)).to_be_visible()
    assert_no_violations(page.frame(name="tool-frame"), "a formatted question with a formula, a table and code")
    screenshot(page, "formatted-question-student")


def test_the_editor_formats_text_and_previews_it_as_students_see_it(live_server, page):
    title = f"Editor {uuid.uuid4().hex[:8]}"
    make_exam(page, live_server, title, QUESTIONS)
    frame = launch_as_test_maker(page, live_server)
    card = frame.get_by_role("listitem", name=title)
    card.get_by_role("button", name=f"Edit {title}").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text(f"Edit “{title}”", timeout=15000)
    frame.get_by_role("tab", name="Questions").click()
    listed = frame.locator("#question-list > li")
    expect(listed.first.locator(".question-text math")).to_have_count(1)
    expect(listed.first.locator(".option-list math")).to_have_count(2)

    frame.get_by_role("button", name="Add a question").click()
    editor = frame.get_by_role("form", name="New question")
    toolbar = editor.get_by_role("toolbar", name="Formatting")
    expect(toolbar).to_be_hidden()  # plain text until the test maker chooses otherwise
    editor.get_by_label("Text format").select_option("html")
    expect(toolbar).to_be_visible()
    text = editor.get_by_label("Question text")
    text.fill("Simplify ")
    text.press("End")
    toolbar.get_by_role("button", name="Formula").click()
    expect(text).to_be_focused()
    page.keyboard.type(r"\frac{2}{4}")
    # A picture, after the formula: its description is asked for before it goes in.
    text.press("End")
    toolbar.get_by_role("button", name="Picture").click()
    picture = editor.get_by_label("Picture (PNG, JPEG, GIF or WebP, up to 2 MB)")
    expect(picture).to_be_focused()
    picture.set_input_files({"name": "square.png", "mimeType": "image/png", "buffer": red_square()})
    editor.get_by_role("button", name="Add the picture").click()
    expect(editor.get_by_role("alert").filter(has_text="Describe the picture.")).to_be_visible()
    editor.get_by_label("Description for students who cannot see it").fill("A red square")
    editor.get_by_role("button", name="Add the picture").click()
    expect(text).to_have_value(
        re.compile(r'^Simplify \\\(\\frac\{2\}\{4\}\\\)<img src="/content/images/\d+" alt="A red square">$'))
    editor.get_by_label("Option 1", exact=True).fill(r"\(\frac{1}{2}\)")
    editor.get_by_label("Option 2", exact=True).fill("<em>two</em>")
    editor.get_by_label("Option 1 is correct").check()
    preview = editor.get_by_role("region", name="Preview, as students see it")
    expect(preview.locator(".question-text mfrac")).to_have_count(1)
    expect(preview.locator("li mfrac")).to_have_count(1)
    expect(preview.locator("li em")).to_have_text("two")
    shown = preview.get_by_role("img", name="A red square")
    expect(shown).to_be_visible()
    assert shown.evaluate("(img) => img.complete && img.naturalWidth") == 16  # fetched at its signed address
    toolbar.get_by_role("button", name="Picture").click()  # the picture panel open too
    assert_no_violations(page.frame(name="tool-frame"), "the question editor with its toolbar and preview")
    toolbar.get_by_role("button", name="Picture").click()
    screenshot(page, "formatted-question-editor")
    editor.get_by_role("button", name="Add question").click()
    expect(listed).to_have_count(2)
    expect(listed.nth(1).locator(".question-text mfrac")).to_have_count(1)
    expect(listed.nth(1).locator(".option-list em")).to_have_text("two")


def test_a_moodle_export_is_checked_imported_and_exported_again_from_the_edit_page(live_server, page):
    title = f"Moodle bank {uuid.uuid4().hex[:8]}"
    make_exam(page, live_server, title, QUESTIONS[:1])
    frame = launch_as_test_maker(page, live_server)
    frame.get_by_role("listitem", name=title).get_by_role("button", name=f"Edit {title}").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text(f"Edit “{title}”", timeout=15000)
    frame.get_by_role("tab", name="Questions").click()

    frame.get_by_label("Question file (.csv, .json, .gift, .xml or .zip)").set_input_files(
        {"name": "chemistry.xml", "mimeType": "text/xml", "buffer": EXPORT.encode()})
    preview = frame.locator("#import-preview")
    expect(preview.get_by_role("heading", name=re.compile("^Preview: 3 questions"))).to_be_visible()
    expect(preview.get_by_role("img", name="A bent molecule")).to_be_visible()
    expect(preview.locator("#preview-list > li").first).to_contain_text("Category: Chemistry")
    left_out = preview.get_by_role("list", name="Left out: 2 questions of other types")
    expect(left_out.get_by_role("listitem")).to_have_text(["Line 44: Discuss entropy (essay question)",
                                                            "Line 62: Pairs (matching question)"])
    expect(frame.get_by_role("status").filter(has_text="2 questions of other types will be left out")).to_be_visible()
    screenshot(page, "moodle-xml-preview")
    frame.get_by_role("button", name="Import 3 questions").click()
    listed = frame.locator("#question-list > li")
    expect(listed).to_have_count(4)
    expect(listed.nth(1).get_by_role("img", name="A bent molecule")).to_be_visible()

    with page.expect_download() as downloaded:
        frame.get_by_role("button", name="Download the questions (Moodle XML)").click()
    xml = pathlib.Path(downloaded.value.path()).read_text(encoding="utf-8")
    assert downloaded.value.suggested_filename.endswith("-questions.xml")
    assert xml.count('<question type="multichoice"') == 4
