"""The lobby in the student's language, in Chromium inside the demo LMS's frame: Arabic sent by the LMS with the
launch (right to left, Arabic plural forms, the exam window's times with their zone named), French from the
browser when the LMS sends none. No English message of the catalogue is left on the page; axe checks the Arabic
lobby; screenshots go to test-artifacts/."""

import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import expect

from lti_tool.demo import roster
from lti_tool.i18n import catalogues
from tests.e2e.axe import assert_no_violations
from tests.e2e.conftest import screenshot
from tests.e2e.demo_lms import add_exam_to_course, launch, tool_frame
from tests.e2e.test_proctor_dashboard import flagged_student
from tests.e2e.test_take_exam import QUESTIONS

pytestmark = pytest.mark.browser

WAIT_MS = 15000


def catalogue(locale):
    with (catalogues.DIRECTORY / locale / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=locale)


def said(locale, message, **params):
    """What the page should show for `message` in `locale`: its translation, placeholders filled."""
    text = catalogue(locale)[message].string
    return re.sub(r"%\((\w+)\)s", lambda match: str(params[match.group(1)]), text)


def english_left(shown, locale):
    """The messages of the catalogue shown in English on a page in `locale`: a whole line of its text, or a
    sentence within one (a message its language writes the same, such as French "Questions", does not count)."""
    catalog = catalogue(locale)
    lines = {line.strip() for line in shown.splitlines()}
    left = []
    for message in catalog:
        english = message.id if isinstance(message.id, str) else message.id[1]
        translated = message.string if isinstance(message.string, str) else message.string[-1]
        if not english or "%(" in english or english == translated:
            continue
        if english in lines or (english.count(" ") >= 2 and english in shown):
            left.append(english)
    return left


@contextmanager
def tab(browser, zone, locale="en-US"):
    """A page of a browser that speaks `locale` in time zone `zone`, closed afterwards."""
    context = browser.new_context(viewport={"width": 1000, "height": 1100}, locale=locale, timezone_id=zone)
    try:
        yield context.new_page()
    finally:
        context.close()


def open_exam(page, live_server, title):
    """A published exam of 30 minutes on a new link of the demo course, closing in three days: (maker, its id)."""
    maker = add_exam_to_course(page, live_server, title)
    exam_id = next(e["id"] for e in maker.call("GET", "/api/exams")["exams"] if e["title"] == title)
    for question in QUESTIONS[:2]:
        maker.call("POST", f"/api/exams/{exam_id}/questions", expected=201, json=question)
    closes = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    maker.call("PATCH", f"/api/exams/{exam_id}", json={"duration_minutes": 30, "closes_at": closes.isoformat()})
    maker.call("POST", f"/api/exams/{exam_id}/publish")
    return maker, exam_id


def assert_no_english_left(frame, locale):
    left = english_left(frame.locator("body").inner_text(), locale)
    assert not left, f"English left on the page: {left}"


def test_an_arabic_student_reads_the_lobby_right_to_left_with_the_zone_named(live_server, browser):
    title = "اختبار الخلايا · Cells quiz"
    # The browser speaks English: the language the LMS sends with the launch comes first.
    with tab(browser, "Asia/Riyadh") as page:
        open_exam(page, live_server, title)
        page.goto(f"{live_server['demo']}?locale=ar")
        launch(page, live_server, "student", "طالب", link=title, reload=False)
        frame = tool_frame(page)
        expect(frame.locator("html")).to_have_attribute("lang", "ar")
        expect(frame.locator("html")).to_have_attribute("dir", "rtl")
        expect(frame.get_by_role("heading", level=1)).to_have_text("مدخل الاختبار")
        # 30 is "many" in Arabic's plural rules; the window's closing time names Riyadh's zone (GMT+3).
        expect(frame.locator('[data-fact="duration"]')).to_have_text(
            re.compile(r"^\S+ دقيقة، أو أقل إذا أُغلق الاختبار قبل ذلك$"), timeout=WAIT_MS)
        expect(frame.locator('[data-fact="window"]')).to_have_text(re.compile(r"^مفتوح حتى .*غرينتش\+[3٣]$"))
        start = frame.get_by_role("button", name="ابدأ الاختبار")
        expect(start).to_be_visible()
        # The exam's title is the test maker's: isolated in the Arabic sentence, in its own direction.
        expect(frame.locator("#lobby-status bdi")).to_have_text(title)
        expect(frame.locator("#lobby-status")).to_contain_text("مفتوح. اضغط «ابدأ الاختبار»")
        # The page reads from the right: the heading starts at the frame's right edge.
        heading = frame.get_by_role("heading", level=1).bounding_box()
        main = frame.locator("main").bounding_box()
        assert main["x"] + main["width"] - (heading["x"] + heading["width"]) < 40
        assert_no_english_left(frame, "ar")
        assert_no_violations(page.frame(name="tool-frame"), "the Arabic lobby")
        screenshot(page, "lobby-arabic")

        # The next page keeps the language the launch named.
        start.click()
        expect(frame.locator("#question-heading")).to_be_visible(timeout=WAIT_MS)
        assert "lang=ar" in page.frame(name="tool-frame").url


def test_a_student_whose_lms_sends_no_language_gets_the_browsers(live_server, browser):
    title = "Quiz de cellules"
    with tab(browser, "Europe/Paris", locale="fr-FR") as page:
        open_exam(page, live_server, title)
        page.goto(live_server["demo"])
        launch(page, live_server, "student", "Étudiant", link=title, reload=False)
        frame = tool_frame(page)
        expect(frame.locator("html")).to_have_attribute("lang", "fr")
        expect(frame.get_by_role("heading", level=1)).to_have_text("Accueil de l’examen")
        expect(frame.locator('[data-fact="duration"]')).to_have_text(
            "30 minutes, ou moins si l’examen ferme avant", timeout=WAIT_MS)
        expect(frame.locator('[data-fact="window"]')).to_have_text(re.compile(r"^Ouvert jusqu’au .* UTC\+1$"))
        expect(frame.locator('[data-fact="attempts"]')).to_have_text("Utilisées : 0 sur 1")
        expect(frame.get_by_role("button", name="Commencer l’examen")).to_be_visible()
        assert_no_english_left(frame, "fr")
        screenshot(page, "lobby-french")


def test_an_arabic_student_takes_the_exam_in_arabic_from_start_to_end(live_server, browser):
    title = "Arabic exam page"
    with tab(browser, "Asia/Riyadh") as page:
        open_exam(page, live_server, title)
        page.goto(f"{live_server['demo']}?locale=ar")
        launch(page, live_server, "student", "طالب", link=title, reload=False)
        frame = tool_frame(page)
        frame.get_by_role("button", name="ابدأ الاختبار").click()

        heading = frame.locator("#question-heading")
        expect(heading).to_have_text(said("ar", "Question %(number)s of %(total)s", number=1, total=2),
                                     timeout=WAIT_MS)
        expect(frame.locator("html")).to_have_attribute("dir", "rtl")
        expect(frame.locator("#answered-count")).to_have_text(
            said("ar", "%(answered)s of %(total)s answered", answered=0, total=2))
        frame.get_by_label("Paris").check()
        expect(frame.locator("#save-state")).to_have_text(said("ar", "Saved"))
        expect(frame.get_by_role("button", name=said("ar", "Question %(number)s, answered", number=1))).to_be_visible()
        expect(frame.locator(".clock-label")).to_have_text(said("ar", "Time left"))
        assert_no_english_left(frame, "ar")
        assert_no_violations(page.frame(name="tool-frame"), "the Arabic exam page")
        screenshot(page, "exam-arabic")

        frame.get_by_role("button", name=said("ar", "Submit exam…")).click()
        dialog = frame.get_by_role("dialog", name=said("ar", "Submit your exam?"))
        expect(dialog).to_be_visible()
        assert_no_english_left(frame, "ar")
        dialog.get_by_role("button", name=said("ar", "Submit now")).click()
        expect(frame.get_by_role("heading", name=said("ar", "Your exam has been submitted"))).to_be_visible(
            timeout=WAIT_MS)
        assert_no_english_left(frame, "ar")
        screenshot(page, "exam-arabic-submitted")


def test_a_proctor_watches_the_live_room_in_arabic(live_server, browser):
    title = "Arabic live room"
    with tab(browser, "Asia/Riyadh") as page:
        maker, exam_id = open_exam(page, live_server, title)
        with flagged_student(page, live_server, maker, exam_id, title):
            page.goto(f"{live_server['demo']}?locale=ar")
            launch(page, live_server, "proctor", said("ar", "Proctor"), link=title, reload=False)
            frame = tool_frame(page)
            expect(frame.locator("html")).to_have_attribute("dir", "rtl")
            expect(frame.locator("#connection")).to_have_text(said("ar", "Live: changes appear as they happen."),
                                                             timeout=WAIT_MS)
            name = roster.FIRST_STUDENT.name
            row = frame.locator("#room-table tbody tr").filter(has=frame.get_by_role("button", name=name))
            expect(row.locator(".column-violations")).to_contain_text(said("ar", "Left the exam tab"))
            # The first column, the student's name, is at the right edge of the table.
            table = frame.locator("#room-table").bounding_box()
            first = frame.locator("#room-table thead th").first.bounding_box()
            assert table["x"] + table["width"] - (first["x"] + first["width"]) < 5
            assert_no_english_left(frame, "ar")
            assert_no_violations(page.frame(name="tool-frame"), "the Arabic live room")
            screenshot(page, "live-room-arabic")
            frame.locator("#room-table").scroll_into_view_if_needed()
            screenshot(page, "live-room-arabic-table")
