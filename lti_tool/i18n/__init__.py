"""Pages in the reader's language: which language a request gets (locales.py) and the catalogues that hold the
words, for gettext on the server and for the pages' scripts (catalogues.py)."""

from flask import has_request_context, request, url_for
from flask_babel import Babel, force_locale, get_locale, gettext, refresh

from lti_tool.config import ConfigError
from lti_tool.i18n import catalogues, locales, pseudo
from lti_tool.i18n.locales import localised  # noqa: F401  (the views' decorator)


def init_app(app):
    try:
        catalogues.compile_stale()
        if app.config["PSEUDO_LOCALE"]:
            pseudo.compile_stale()
    except OSError as error:
        # A read-only install compiles when it is built (`flask translations compile`); failing that, pages show
        # the last compiled words, or English: never a reason to refuse exams.
        app.logger.error("The translation catalogues could not be compiled (%s): pages may show English.", error)
    if app.config["DEFAULT_LOCALE"] not in catalogues.locales():
        raise ConfigError(f"DEFAULT_LOCALE must be one of {', '.join(catalogues.locales())}, "
                          f"not {app.config['DEFAULT_LOCALE']!r}")
    Babel(app, locale_selector=locales.for_request, default_locale=app.config["DEFAULT_LOCALE"],
          default_translation_directories=str(catalogues.DIRECTORY))
    # Flask-Babel keeps the locale on `g`, which outlives a request where an app context was already there (the
    # CLI, tests): each request chooses afresh.
    app.before_request(refresh)
    app.context_processor(_page_language)
    app.cli.add_command(catalogues.cli)


def _page_language():
    """`<html lang dir>`, the page scripts' catalogue (none for English, whose words are the messages), and the
    note of a page not yet translated."""
    locale = str(get_locale())
    catalogue = None if locale == catalogues.SOURCE else url_for("static", filename=catalogues.script_path(locale))
    return {"page_locale": locale.replace("_", "-"), "page_dir": locales.direction(locale),
            "page_catalogue": catalogue, "untranslated_note": _untranslated_note(locale)}


def _untranslated_note(locale):
    """On a page still in English for a reader who asked for another language: a line in theirs that says so
    ({lang, dir, text}), else None. The demo LMS's pages stand for the LMS's own, so they have none."""
    if not has_request_context() or request.blueprint == "demo" or locales.is_localised():
        return None
    asked = locales.asked()
    if asked == locale:
        return None
    with force_locale(asked):
        text = gettext("This page is not in your language yet, so it is shown in English.")
    return {"lang": asked.replace("_", "-"), "dir": locales.direction(asked), "text": text}
