"""Names and Role Provisioning Services: the demo course's roster."""

from lti_tool.demo import endpoints, roster

SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIP_CONTAINER_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def memberships_url():
    """The course's context membership URL."""
    return endpoints.platform_url("/nrps/memberships")


def claim():
    """The NRPS claim of a launch."""
    return {"context_memberships_url": memberships_url(), "service_versions": ["2.0"]}


def membership_container():
    """Every member of the demo course, as an NRPS membership container."""
    return {
        "id": memberships_url(),
        "context": dict(roster.COURSE),
        "members": [_member(person) for person in roster.PEOPLE],
    }


def _member(person):
    """One active member with their names, email and roles."""
    return {
        "status": "Active",
        "name": person.name,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "email": person.email,
        "user_id": person.sub,
        "roles": list(person.roles),
    }
