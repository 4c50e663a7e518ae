"""The course roster from the platform (LTI Names and Role Provisioning Services), so test makers and
proctors see every student, including those who have not launched yet."""

from lti_tool import plain_text
from lti_tool.db import db
from lti_tool.errors import AppError
from lti_tool.identity import services as identity
from lti_tool.identity.models import User
from lti_tool.launch import http
from lti_tool.launch.ags import AgsClient
from lti_tool.launch.models import Platform

SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 200


class NoRoster(AppError):
    code = "no_roster"
    title = "The roster is not available"
    http_status = 409


def members(course, *, now=None):
    """Every member the platform lists for the course (following its pagination)."""
    if not course.memberships_url:
        raise NoRoster("The LMS offers no roster service for this course, so only students who have "
                       "opened the tool are listed.")
    platform = db.session.get(Platform, course.platform_id)
    found = []
    with AgsClient(platform, now=now, limits=http.ROSTER) as client:
        url = course.memberships_url
        for _ in range(MAX_PAGES):
            page = client.connector.make_service_request([SCOPE], url, what="Roster", accept=MEDIA_TYPE)
            found.extend((page["body"] or {}).get("members") or [])
            url = page["next_page_url"]
            if not url:
                break
    return found


def sync(course, role_map, *, now=None):
    """Add the roster's people to the course and mark who has left (identity.set_roster_membership: the
    roster never changes the roles a launch gave). Returns the counts."""
    listed = with_access = 0
    for member in members(course, now=now):
        if not _storable(member):
            continue
        listed += 1
        lti_roles = member.get("roles") or []
        user = identity.upsert_user(course.platform_id, member["user_id"], name=member.get("name"),
                                    email=member.get("email"))
        membership = identity.set_roster_membership(user, course, role_map.tool_roles(lti_roles), lti_roles,
                                                    active=member.get("status", "Active") == "Active")
        with_access += bool(membership.roles)
    db.session.commit()
    return {"listed": listed, "with_access": with_access}


def _storable(member):
    """A roster entry the tool can keep: a user id that fits its column, and only text the databases can store.
    Anything else is skipped; names too long are shortened and odd emails dropped where users are stored."""
    return (isinstance(member, dict) and isinstance(member.get("user_id"), str)
            and len(member["user_id"]) <= User.sub.type.length and isinstance(member.get("name"), str | None)
            and plain_text.find(member) is None)
