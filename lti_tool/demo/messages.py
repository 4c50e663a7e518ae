"""The id_tokens the demo platform sends: resource link launches and deep linking requests."""

import time

from lti_tool.demo import ags, endpoints, hints, nrps, roster

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
CLAIM_DEEP_LINKING = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
CLAIM_AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
CLAIM_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
ID_TOKEN_TTL = 300
PLATFORM_GUID = "proctor-lti-demo-platform"
PRODUCT_FAMILY_CODE = "proctor-lti-demo"


def resource_link_request(person, link, nonce):
    """The claims of a launch of one course link by one person."""
    claims = _common(person, nonce, "LtiResourceLinkRequest", link.url or endpoints.tool_url("launch"))
    claims[LTI + "resource_link"] = {"id": link.id, "title": link.title}
    if link.custom:
        claims[LTI + "custom"] = dict(link.custom)
    claims[CLAIM_AGS] = ags.claim(link.line_item_id)
    return claims


def deep_linking_request(person, nonce):
    """The claims of a request to add the tool to the course (deep linking)."""
    claims = _common(person, nonce, "LtiDeepLinkingRequest", endpoints.tool_url("launch"))
    claims[CLAIM_DEEP_LINKING] = {
        "deep_link_return_url": endpoints.platform_url("/deep-link-return"),
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"],
        "accept_multiple": False,
        "auto_create": True,
        "title": f"Add an exam to {roster.COURSE['title']}",
        "data": hints.deep_link_data(person.sub),
    }
    claims[CLAIM_AGS] = ags.claim(None)
    return claims


def _common(person, nonce, message_type, target_link_uri):
    """The claims every demo message carries: who, in which course, from which platform."""
    now = int(time.time())
    return {
        "iss": endpoints.platform_url(),
        "aud": endpoints.CLIENT_ID,
        "azp": endpoints.CLIENT_ID,
        "sub": person.sub,
        "iat": now,
        "exp": now + ID_TOKEN_TTL,
        "nonce": nonce,
        "name": person.name,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "email": person.email,
        LTI + "message_type": message_type,
        LTI + "version": "1.3.0",
        LTI + "deployment_id": endpoints.DEPLOYMENT_ID,
        LTI + "target_link_uri": target_link_uri,
        LTI + "roles": list(person.roles),
        LTI + "context": {**roster.COURSE, "type": [roster.COURSE_TYPE]},
        LTI + "tool_platform": {
            "guid": PLATFORM_GUID, "name": endpoints.PLATFORM_NAME, "product_family_code": PRODUCT_FAMILY_CODE,
        },
        CLAIM_NRPS: nrps.claim(),
    }
