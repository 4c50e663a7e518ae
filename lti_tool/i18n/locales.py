"""Which language a request gets: the one its page was opened in (`?lang=`, which the launch sets from the LMS's
`launch_presentation.locale` and each page carries to the next), else the launch token's (API calls), else the
browser's `Accept-Language`, else the tool's DEFAULT_LOCALE. Only pages whose words are all in the catalogues
take it (the `localised` decorator); the others are in English, the language of the messages, so `<html lang>`
never claims a language their text is not in, and they say so in the reader's language (`untranslated_note`)."""

import functools

from babel import Locale, UnknownLocaleError
from flask import current_app, g, has_request_context, request

from lti_tool.i18n import catalogues, pseudo


def localised(view):
    """Mark a page view as wholly in the catalogues: it is shown in the reader's language."""
    view.localised = True
    return view


def for_request():
    """The locale of the current request, as a shipped catalogue's name ("fr", "pt_BR")."""
    if not has_request_context():  # a template rendered by the CLI or a background job
        return current_app.config["DEFAULT_LOCALE"]
    return asked() if is_localised() else catalogues.SOURCE


def is_localised():
    """Whether this request's words are all in the catalogues: a page marked `localised`, or an API call."""
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "localised", False) or request.path.startswith("/api/")


def asked():
    """The locale the reader asks for, whether or not this request's words are translated."""
    launch = g.get("launch")
    wanted = [request.args.get("lang", ""), getattr(launch, "locale", None) or "",
              *request.accept_languages.values()]
    return next((found for found in map(shipped, wanted) if found), current_app.config["DEFAULT_LOCALE"])


def shipped(tag):
    """The offered locale for a language tag as LMSs and browsers write it ("pt-BR", "pt_br", "fr-CA", "en"):
    the same language and region, else the same language in any region, else None."""
    return _match(tag, offered())


def offered():
    """The locales a reader may get: every catalogue's, and the pseudo-locale where PSEUDO_LOCALE is set."""
    have = catalogues.locales()
    return (*have, pseudo.LOCALE) if current_app.config["PSEUDO_LOCALE"] else have


@functools.lru_cache(maxsize=512)  # Accept-Language is anyone's to write: bounded
def _match(tag, have):
    language, _, region = tag.replace("-", "_").partition("_")
    if not language.isalpha() or not 2 <= len(language) <= 3:
        return None
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
