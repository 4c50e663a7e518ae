"""Opaque values the demo hands out and must get back unforged: login hints and deep linking data."""

import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lti_tool.demo.errors import DemoRefused

# A course page stays open a long time; its launch buttons must keep working for a day.
LOGIN_HINT_MAX_AGE = 24 * 3600
DEEP_LINK_DATA_MAX_AGE = 3600


def _serializer(purpose):
    """A serializer whose key is derived from SECRET_KEY, separately for each purpose."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"proctor-lti-demo:{purpose}")


def login_hint(sub, target, locale=None):
    """A signed login_hint naming the demo user, what they launch and, when chosen, their language in the LMS."""
    return _serializer("login-hint").dumps({"sub": sub, "target": target, "locale": locale})


def read_login_hint(value):
    """The (sub, target, locale) a login_hint names, or a refusal if it was forged or is too old."""
    try:
        data = _serializer("login-hint").loads(value, max_age=LOGIN_HINT_MAX_AGE)
    except BadSignature as exc:
        raise DemoRefused("login_hint", "The login_hint is not one the demo platform signed, or it is "
                          "more than a day old. Reload the demo course page and launch again.") from exc
    return data["sub"], data["target"], data.get("locale")


def deep_link_data(sub):
    """The signed `data` a deep linking request carries and the response must echo."""
    return _serializer("deep-link-data").dumps({"sub": sub, "request": secrets.token_urlsafe(8)})


def check_deep_link_data(value):
    """Refuse a deep linking response whose `data` is not one the demo signed within the hour."""
    try:
        _serializer("deep-link-data").loads(value or "", max_age=DEEP_LINK_DATA_MAX_AGE)
    except BadSignature as exc:
        raise DemoRefused("data", "The response does not echo the data of a deep linking request "
                          "the demo sent in the last hour.") from exc
