"""The pseudo-locale: every message accented, bracketed and a third longer, offered only where PSEUDO_LOCALE is
set, to the pages and their scripts alike (tests/e2e/test_pseudo_locale.py sweeps the pages with it)."""

import re

import pytest
from babel.messages.pofile import read_po
from flask_babel import gettext

from lti_tool import create_app
from lti_tool.i18n import pseudo
from tests.i18n.test_locales import page_language


@pytest.fixture
def pseudo_client(database_url):
    app = create_app({"APP_ENV": "test", "DATABASE_URL": database_url, "PSEUDO_LOCALE": "1"})
    return app.test_client()


def test_a_pseudo_message_is_accented_bracketed_and_a_third_longer():
    assert pseudo.pseudo("Start the exam") == "⟦Šţàŕţ ţĥé éẋàɱ ····⟧"
    long = "Your exam is paused by the proctor; your answers are safe"
    assert len(pseudo.pseudo(long)) >= 1.3 * len(long)
    assert not re.search(r"[A-Za-z]", pseudo.pseudo(long))


def test_placeholders_stay_as_written_for_the_code_to_fill():
    assert pseudo.pseudo("Question %(number)s of %(total)s") == "⟦Ǫûéšţîöñ %(number)s öƒ %(total)s ····⟧"
    assert "%(num)d" in pseudo.pseudo("%(num)d minute")


def test_the_catalogue_has_every_message_of_the_template_in_pseudo_with_its_plural_forms():
    catalog = pseudo.catalog()
    with pseudo.POT.open("rb") as source:
        template = read_po(source)
    assert [m.id for m in catalog if m.id] == [m.id for m in template if m.id]
    assert all(m.string for m in catalog if m.id)
    minute = next(m for m in catalog if m.pluralizable and m.id[0] == "%(n)s minute")
    assert minute.string == (pseudo.pseudo("%(n)s minute"), pseudo.pseudo("%(n)s minutes"))


def test_pages_and_scripts_get_it_where_the_tool_offers_it(pseudo_client):
    response = pseudo_client.get("/exam/lobby?lang=en-001")
    assert page_language(response) == ("en-001", "ltr")
    html = response.get_data(as_text=True)
    assert f'<h1 data-page="student-lobby">{pseudo.pseudo("Exam lobby")}</h1>' in html
    catalogue = re.search(r'<meta name="catalogue" content="([^"]+)">', html).group(1)
    with pseudo_client.get(catalogue) as served:
        words = served.get_json()
    assert words["Start the exam"] == pseudo.pseudo("Start the exam")
    assert words["%(n)s minute"] == {"one": pseudo.pseudo("%(n)s minute"), "other": pseudo.pseudo("%(n)s minutes")}
    # The server's own messages too (gettext).
    with pseudo_client.application.test_request_context("/exam/lobby?lang=en-001"):
        assert gettext("This exam is not open yet.") == pseudo.pseudo("This exam is not open yet.")


def test_nowhere_else(client):
    assert page_language(client.get("/exam/lobby?lang=en-001")) == ("en", "ltr")
