"""Which language a request gets: the one its page was opened in (`?lang=`, which the launch sets from the LMS's
`launch_presentation.locale` and each page carries to the next), else the launch token's (API calls), else the
browser's `Accept-Language`, else the tool's DEFAULT_LOCALE. Only pages whose words are all in the catalogues
take it (the `localised` decorator); the others stay in the default language, so `<html lang>` never claims a
language their text is not in."""

import functools

from babel import Locale, UnknownLocaleError
from flask import current_app, g, has_request_context, request

from lti_tool.i18n import catalogues


def localised(view):
    """Mark a page view as wholly in the catalogues: it is shown in the reader's language."""
    view.localised = True
    return view


def for_request():
    """The locale of the current request, as a shipped catalogue's name ("fr", "pt_BR")."""
    default = current_app.config["DEFAULT_LOCALE"]
    if not has_request_context():  # a template rendered by the CLI or a background job
        return default
    view = current_app.view_functions.get(request.endpoint)
    if not getattr(view, "localised", False) and not request.path.startswith("/api/"):
        return default
    launch = g.get("launch")
    wanted = [request.args.get("lang", ""), getattr(launch, "locale", None) or "",
              *request.accept_languages.values()]
    return next((found for found in map(shipped, wanted) if found), default)


@functools.lru_cache(maxsize=512)  # Accept-Language is anyone's to write: bounded
def shipped(tag):
    """The shipped locale for a language tag as LMSs and browsers write it ("pt-BR", "pt_br", "fr-CA", "en"):
    the same language and region, else the same language in any region, else None."""
    language, _, region = tag.replace("-", "_").partition("_")
    if not language.isalpha() or not 2 <= len(language) <= 3:
        return None
    have = catalogues.locales()
    exact = f"{language.lower()}_{region.upper()}" if region else language.lower()
    if exact in have:
        return exact
    return next((name for name in have if name.split("_")[0] == language.lower()), None)


def direction(locale):
    """"rtl" or "ltr": how the locale's script runs."""
    try:
        return Locale.parse(locale).text_direction
    except (ValueError, UnknownLocaleError):
        return "ltr"
