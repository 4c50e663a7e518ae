"""What the course page launches: each link as each role, and deep linking, as login initiation URLs."""

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import current_app

from lti_tool.demo import endpoints, hints, links, roster

DEEP_LINKING = "deep-linking"
LINK_TARGET_PREFIX = "link:"
# The demo page answers LTI Platform Storage messages for the frame it embeds the tool in.
STORAGE_TARGET = "_parent"
ROLE_LABELS = (("student", roster.FIRST_STUDENT), ("test maker", roster.TEST_MAKER),
               ("proctor", roster.PROCTOR))


@dataclass(frozen=True)
class LaunchButton:
    """A labelled login initiation URL that opens in the tool's frame."""

    label: str
    url: str


@dataclass(frozen=True)
class LinkLaunches:
    """A course link and its launch buttons, one per role."""

    link: links.CourseLink
    buttons: list


# The languages the demo's user may pick, as an LMS's language menu lists them: (tag sent, name in itself).
LANGUAGES = (("en", "English"), ("fr", "Français"), ("es", "Español"), ("de", "Deutsch"),
             ("pt-BR", "Português (Brasil)"), ("ar", "العربية"), ("ja", "日本語"))


PSEUDO_LANGUAGE = ("en-001", "Pseudo-locale (for checking pages)")


def languages():
    """The language menu: LANGUAGES, and the pseudo-locale where the tool offers it (PSEUDO_LOCALE)."""
    return (*LANGUAGES, PSEUDO_LANGUAGE) if current_app.config["PSEUDO_LOCALE"] else LANGUAGES


def chosen_locale(value):
    """The language picked on the course page, or None (the launch then names none, as some LMSs do)."""
    return value if value in dict(languages()) else None


def link_target(link):
    """The lti_message_hint that names a course link."""
    return LINK_TARGET_PREFIX + link.id


def login_url(person, target, target_link_uri, locale=None):
    """The tool's login initiation URL for this person and target, as an LMS builds it."""
    params = {
        "iss": endpoints.platform_url(),
        "login_hint": hints.login_hint(person.sub, target, locale),
        "target_link_uri": target_link_uri,
        "lti_message_hint": target,
        "client_id": endpoints.CLIENT_ID,
        "lti_deployment_id": endpoints.DEPLOYMENT_ID,
        "lti_storage_target": STORAGE_TARGET,
    }
    return f"{endpoints.tool_url('login')}?{urlencode(params)}"


def course_launches(locale=None):
    """For each course link, a launch button per role (launched in `locale`, the LMS user's language, if given)."""
    return [
        LinkLaunches(link, [
            LaunchButton(f"Launch as {role} ({person.name})",
                         login_url(person, link_target(link), link.url or endpoints.tool_url("launch"), locale))
            for role, person in ROLE_LABELS
        ])
        for link in links.all_links()
    ]


def deep_linking_launch():
    """The button that adds the tool to the course as the test maker."""
    person = roster.TEST_MAKER
    return LaunchButton(f"Add the tool (deep linking, as {person.given_name})",
                        login_url(person, DEEP_LINKING, endpoints.tool_url("launch")))
