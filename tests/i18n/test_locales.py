"""Which language a page gets: the launch's, the page's `?lang=`, the browser's, the tool's default; only pages
wholly in the catalogues take it."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from lti_tool import create_app
from lti_tool.config import ConfigError
from lti_tool.i18n import locales
from lti_tool.identity import access
from tests.demo.browser import DEMO
from tests.lti_platform import LTI

PRESENTATION = LTI + "launch_presentation"


@pytest.mark.parametrize(("tag", "shipped"), [
    ("fr", "fr"), ("fr-CA", "fr"), ("FR_ca", "fr"), ("pt-BR", "pt_BR"), ("pt_br", "pt_BR"), ("pt", "pt_BR"),
    ("pt-PT", "pt_BR"), ("en-US", "en"), ("ar-EG", "ar"), ("ja", "ja"), ("de-AT", "de"), ("es-419", "es"),
    ("xx", None), ("", None), ("*", None), ("../../etc/passwd", None), ("e", None), ("fr-CA" * 20, "fr"),
])
def test_a_language_tag_as_lmss_and_browsers_write_it_finds_the_shipped_catalogue(sqlite_template, tag, shipped):
    with create_app({"APP_ENV": "test", "DATABASE_URL": f"sqlite:///{sqlite_template}"}).app_context():
        assert locales.shipped(tag) == shipped


def page_language(response):
    match = re.search(r'<html lang="([^"]*)" dir="([^"]*)">', response.get_data(as_text=True))
    assert match, "the page has no <html lang dir>"
    return match.groups()


def test_the_lobby_speaks_the_language_its_address_names(client):
    response = client.get("/exam/lobby?lang=fr", headers={"Accept-Language": "de"})
    assert page_language(response) == ("fr", "ltr")
    html = response.get_data(as_text=True)
    assert "<h1 data-page=\"student-lobby\">Accueil de l’examen</h1>" in html
    assert "Aller au contenu" in html
    # The page's scripts get the same language's catalogue, fingerprinted like every static file.
    catalogue = re.search(r'<meta name="catalogue" content="([^"]+)">', html).group(1)
    assert re.fullmatch(r"/static/[0-9a-f]{12}/i18n/fr\.json", catalogue)
    with client.get(catalogue) as served:
        words = served.get_json()
    assert words["Start the exam"] == "Commencer l’examen"


def test_else_the_browsers_language_and_arabic_runs_right_to_left(client):
    response = client.get("/exam/lobby", headers={"Accept-Language": "xx, ar-EG;q=0.8, en;q=0.5"})
    assert page_language(response) == ("ar", "rtl")
    assert "مدخل الاختبار" in response.get_data(as_text=True)
    assert page_language(client.get("/exam/lobby?lang=pt-BR")) == ("pt-BR", "ltr")


def test_an_unknown_language_falls_back_to_the_browsers_then_the_default(client):
    assert page_language(client.get("/exam/lobby?lang=xx", headers={"Accept-Language": "de"})) == ("de", "ltr")
    response = client.get("/exam/lobby?lang=xx", headers={"Accept-Language": "tlh"})
    assert page_language(response) == ("en", "ltr")
    html = response.get_data(as_text=True)
    assert "<h1 data-page=\"student-lobby\">Exam lobby</h1>" in html
    assert 'name="catalogue"' not in html  # English needs none: its words are the messages


def test_a_page_not_yet_translated_stays_in_english_whatever_the_browser_asks(client):
    """Its text is English: `lang="fr"` on it would have screen readers read English with a French voice."""
    response = client.get("/exam/manage?lang=fr", headers={"Accept-Language": "fr"})
    assert page_language(response) == ("en", "ltr")
    html = response.get_data(as_text=True)
    assert 'name="catalogue"' not in html
    # It says so in the reader's language, marked as that language for screen readers.
    assert ('<p class="notice language-note" lang="fr" dir="ltr">Cette page n’est pas encore dans votre langue : '
            "elle est affichée en anglais.</p>") in html
    assert 'class="notice language-note" lang="ar" dir="rtl"' in client.get(
        "/exam/manage", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    # Not to a reader of English, nor on the demo LMS's pages (they stand for the LMS's own).
    assert "language-note" not in client.get("/exam/manage", headers={"Accept-Language": "en-GB"}).get_data(
        as_text=True)
    demo = client.get("/demo", headers={"Accept-Language": "fr"}, base_url=DEMO)
    assert demo.status_code == 200
    assert "language-note" not in demo.get_data(as_text=True)


def test_the_tools_default_language_is_configurable_and_checked(database_url):
    app = create_app({"APP_ENV": "test", "DATABASE_URL": database_url, "DEFAULT_LOCALE": "es"})
    assert page_language(app.test_client().get("/exam/lobby")) == ("es", "ltr")
    # A page not yet translated is in English whatever the default, and says so in the default language.
    untranslated = app.test_client().get("/exam/manage")
    assert page_language(untranslated) == ("en", "ltr")
    assert "Esta página aún no está en su idioma" in untranslated.get_data(as_text=True)
    with pytest.raises(ConfigError, match="DEFAULT_LOCALE must be one of en, ar, de, es, fr, ja, pt_BR, not 'xx'"):
        create_app({"APP_ENV": "test", "DATABASE_URL": database_url, "DEFAULT_LOCALE": "xx"})


def test_a_launch_lands_in_the_lms_users_language_and_its_token_keeps_it(app, lti):
    data = lti.token_for(**{PRESENTATION: {"document_target": "iframe", "locale": "pt-BR"}})
    landing = urlsplit(data["landing"])
    assert landing.path == "/exam/lobby"
    assert parse_qs(landing.query) == {"lang": ["pt_BR"]}
    context = access.verify_token(data["token"])
    assert context.locale == "pt_BR"
    # A refreshed token keeps it: the pages' API calls answer in the same language.
    assert access.verify_token(access.refresh(context)).locale == "pt_BR"


@pytest.mark.parametrize("presentation", [
    {"locale": "tlh"}, {"locale": 7}, {"locale": None}, {}, "fr", ["fr"], {"locale": "x" * 10_000},
])
def test_a_launch_with_no_usable_language_lands_without_one_and_is_not_refused(lti, presentation):
    """A language is a courtesy: an odd one is ignored (the browser's then decides), never a refused launch."""
    data = lti.token_for(**{PRESENTATION: presentation})
    assert urlsplit(data["landing"]).query == ""
    assert access.verify_token(data["token"]).locale is None


def test_a_launch_without_the_claim_lands_as_before(lti):
    data = lti.token_for()
    assert data["landing"] == "/exam/lobby"




@pytest.mark.parametrize(("sent", "kept"), [
    ("Asia/Tokyo", "Asia/Tokyo"), (" America/New_York ", "America/New_York"),
    ("99", None), ("$Person.address.timezone", None), ("Mars/Olympus", None), (7, None), ("", None),
])
def test_a_launch_lands_in_the_lms_users_time_zone_when_the_lms_fills_it_in(lti, sent, kept):
    """Moodle and Canvas fill in $Person.address.timezone (Moodle sends "99" for its server's zone); anything
    that is not a zone is ignored: the browser's zone is used, and the launch goes on."""
    data = lti.token_for(**{LTI + "custom": {"timezone": sent}})
    assert parse_qs(urlsplit(data["landing"]).query).get("tz") == ([kept] if kept else None)
    context = access.verify_token(data["token"])
    assert context.time_zone == kept
    assert access.verify_token(access.refresh(context)).time_zone == kept
