"""What the tool takes from a validated launch's claims, checked before anything is stored: each claim of
the JSON type it should have, and each id or URL that ends in a column no longer than that column (the LTI
spec caps ids at 255 characters); otherwise the launch is refused naming the claim. Names and titles are
shortened where they are stored (identity/services.py); text the databases cannot store never gets here
(validation.py refuses it before the signature is checked)."""

import functools
import zoneinfo
from dataclasses import dataclass

from lti_tool.identity.models import Course, ResourceLink, User
from lti_tool.launch.errors import LaunchRefused
from lti_tool.launch.tool_metadata import CONTEXT_HISTORY_VARIABLE

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
CLAIM_MESSAGE_TYPE = LTI + "message_type"
CLAIM_ROLES = LTI + "roles"
CLAIM_CONTEXT = LTI + "context"
CLAIM_RESOURCE_LINK = LTI + "resource_link"
CLAIM_CUSTOM = LTI + "custom"
CLAIM_DEPLOYMENT = LTI + "deployment_id"
CLAIM_PRESENTATION = LTI + "launch_presentation"
CLAIM_AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
CLAIM_DEEP_LINKING = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
CLAIM_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
# Moodle's extension claim; its user_username is the login name, sent also when names and emails are withheld.
CLAIM_EXT = LTI + "ext"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"

TEXT, ID, OBJECT, LIST = "a string", "a string or a number", "an object", "a list"
# The claims the tool reads, with what each must be, by (claim, field); None for the claim itself.
TYPES = {
    ("sub", None): TEXT,
    ("name", None): TEXT,
    ("given_name", None): TEXT,
    ("family_name", None): TEXT,
    ("email", None): TEXT,
    (CLAIM_ROLES, None): LIST,
    (CLAIM_CUSTOM, None): OBJECT,
    (CLAIM_CONTEXT, None): OBJECT,
    (CLAIM_CONTEXT, "id"): ID,
    (CLAIM_CONTEXT, "title"): TEXT,
    (CLAIM_CONTEXT, "label"): TEXT,
    (CLAIM_RESOURCE_LINK, None): OBJECT,
    (CLAIM_RESOURCE_LINK, "id"): ID,
    (CLAIM_RESOURCE_LINK, "title"): TEXT,
    (CLAIM_AGS, None): OBJECT,
    (CLAIM_AGS, "lineitem"): TEXT,
    (CLAIM_AGS, "lineitems"): TEXT,
    (CLAIM_NRPS, None): OBJECT,
    (CLAIM_NRPS, "context_memberships_url"): TEXT,
    (CLAIM_DEEP_LINKING, None): OBJECT,
    (CLAIM_EXT, None): OBJECT,
    (CLAIM_EXT, "user_username"): TEXT,
}
_KINDS = {TEXT: str, ID: str | int, OBJECT: dict, LIST: list}


@dataclass(frozen=True)
class LaunchClaims:
    """The claims a launch stores or acts on; ids as text that fits their columns."""

    message_type: str
    deployment_id: str
    sub: str
    name: str | None
    email: str | None
    username: str | None
    lti_roles: list
    context_id: str
    context_title: str | None
    context_label: str | None
    memberships_url: str | None
    resource_link_id: str | None
    resource_link_title: str | None
    lineitem_url: str | None
    lineitems_url: str | None
    custom_exam_id: object
    context_history: str | None
    deep_linking_settings: dict | None
    # The person's language in the LMS ("fr", "pt-BR"), as sent; a page's language (lti_tool/i18n/locales.py).
    locale: str | None = None
    # The person's time zone in the LMS ("Europe/Paris"), when the platform fills in the custom variable.
    time_zone: str | None = None

    def kept(self):
        """What the launch's row keeps for later: a deep linking request's settings, read when the test maker
        answers it. Nothing else of the raw claims is stored."""
        if self.deep_linking_settings is None:
            return {}
        return {CLAIM_DEEP_LINKING: self.deep_linking_settings}


def read(claims):
    """The LaunchClaims of a validated launch, or LaunchRefused naming the claim that is wrong."""
    message_type = claims.get(CLAIM_MESSAGE_TYPE)
    if message_type not in (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST):
        raise LaunchRefused("message", f"The tool does not handle {message_type} messages.")
    _check_types(claims)
    context = claims.get(CLAIM_CONTEXT) or {}
    if not context.get("id"):
        raise LaunchRefused("context", "The tool must be launched from inside a course.")
    # pylti1p3 checked that sub, and for a resource link launch resource_link.id, are there.
    resource = claims.get(CLAIM_RESOURCE_LINK) or {}
    ags, nrps = claims.get(CLAIM_AGS) or {}, claims.get(CLAIM_NRPS) or {}
    custom = claims.get(CLAIM_CUSTOM) or {}
    return LaunchClaims(
        message_type=message_type,
        deployment_id=str(claims.get(CLAIM_DEPLOYMENT)),
        sub=_fitting("sub", claims["sub"], User.sub),
        name=claims.get("name") or _full_name(claims),
        email=claims.get("email"),
        username=(claims.get(CLAIM_EXT) or {}).get("user_username"),
        lti_roles=claims.get(CLAIM_ROLES) or [],
        context_id=_fitting("context.id", context["id"], Course.context_id),
        context_title=context.get("title"),
        context_label=context.get("label"),
        memberships_url=_fitting("namesroleservice.context_memberships_url", nrps.get("context_memberships_url"),
                                 Course.memberships_url),
        resource_link_id=_fitting("resource_link.id", resource.get("id"), ResourceLink.lti_id),
        resource_link_title=resource.get("title"),
        lineitem_url=_fitting("endpoint.lineitem", ags.get("lineitem"), ResourceLink.lineitem_url),
        lineitems_url=_fitting("endpoint.lineitems", ags.get("lineitems"), ResourceLink.lineitems_url),
        custom_exam_id=custom.get("exam_id"),
        context_history=_context_history(custom.get("context_history")),
        deep_linking_settings=claims.get(CLAIM_DEEP_LINKING) if message_type == DEEP_LINKING_REQUEST else None,
        locale=_locale(claims.get(CLAIM_PRESENTATION)),
        time_zone=_time_zone(custom.get("timezone")),
    )


def _locale(presentation):
    """The launch's language tag, or None: a language is a courtesy, so an odd one is ignored, never refused."""
    locale = presentation.get("locale") if isinstance(presentation, dict) else None
    return locale[:35] if isinstance(locale, str) else None


def _time_zone(value):
    """The IANA zone the LMS names for the person, or None for anything else (Moodle's "99", a variable the
    platform left unfilled): like the language, a courtesy that never refuses a launch."""
    if isinstance(value, str) and value.strip() in _zone_names():
        return value.strip()
    return None


@functools.cache
def _zone_names():
    return frozenset(zoneinfo.available_timezones())


def claim_name(path):
    """A claim as the LTI specs name it in prose: "context.id", not the claim's full URI."""
    head, sep, tail = path.partition("/claim/")
    return tail if sep and head.startswith("https://purl.imsglobal.org/") else path


def _check_types(claims):
    """Refuse claims of the wrong JSON type before anything is read from them."""
    for (claim, field), kind in TYPES.items():
        value = claims.get(claim)
        if field is not None:
            value = value.get(field) if isinstance(value, dict) else None
        if value is not None and (isinstance(value, bool) or not isinstance(value, _KINDS[kind])):
            name = claim_name(claim) + (f".{field}" if field else "")
            raise LaunchRefused("message", f"The launch's {name} claim is not {kind}.")
    if not all(isinstance(role, str) for role in claims.get(CLAIM_ROLES) or []):
        raise LaunchRefused("message", "The launch's roles claim is not a list of strings.")


def _fitting(name, value, column):
    """An id or URL as text, refused when longer than its column: cut short, it would name something else."""
    if value is None:
        return None
    text = str(value)
    limit = column.type.length
    if len(text) > limit:
        raise LaunchRefused(
            "claim_length",
            f"The launch's {name} claim is {len(text)} characters long; the tool keeps at most {limit}.",
            hint="The LMS sent a value longer than LTI allows. Tell its administrator which claim it was.",
        )
    return text


def _context_history(value):
    """The earlier context ids as the platform lists them (comma-separated, most recent first), spaces and
    empty entries dropped; None when the platform did not fill the variable (Moodle 4.3 sends it as it is). An
    empty text is kept: the platform says the course was copied from nowhere."""
    if not isinstance(value, str) or value.strip() == CONTEXT_HISTORY_VARIABLE:
        return None
    return ",".join(part.strip() for part in value.split(",") if part.strip())


def _full_name(claims):
    parts = [claims.get("given_name"), claims.get("family_name")]
    return " ".join(p for p in parts if p) or None
