"""What a validated launch does: store who, where and as what, and say where the user lands."""

import time
import uuid
from datetime import timedelta

from sqlalchemy import delete

from lti_tool import audit
from lti_tool.db import db, utcnow
from lti_tool.errors import Forbidden
from lti_tool.exam import services as exam_services
from lti_tool.identity import services as identity
from lti_tool.identity.roles import ToolRole
from lti_tool.identity.tokens import LaunchContext
from lti_tool.launch.errors import LaunchRefused
from lti_tool.launch.models import Launch, LoginState, UsedNonce

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
CLAIM_MESSAGE_TYPE = LTI + "message_type"
CLAIM_ROLES = LTI + "roles"
CLAIM_CONTEXT = LTI + "context"
CLAIM_RESOURCE_LINK = LTI + "resource_link"
CLAIM_CUSTOM = LTI + "custom"
CLAIM_DEPLOYMENT = LTI + "deployment_id"
CLAIM_AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
CLAIM_DEEP_LINKING = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
CLAIM_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"

# Where each tool role lands after a resource link launch (endpoint names).
LANDING = {
    ToolRole.TEST_MAKER: "exam.manage",
    ToolRole.PROCTOR: "proctor.home",
    ToolRole.STUDENT: "exam.lobby",
}


def record(message_launch, role_map, *, origin):
    """Store the users, course, roles and link a validated launch names; return its context and landing."""
    claims = message_launch.claims
    platform = message_launch.platform
    message_type = claims.get(CLAIM_MESSAGE_TYPE)
    if message_type not in (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST):
        raise LaunchRefused("message", f"The tool does not handle {message_type} messages.")
    _check_claim_types(claims, message_type)
    context = claims.get(CLAIM_CONTEXT) or {}
    if not context.get("id"):
        raise LaunchRefused("context", "The tool must be launched from inside a course.")
    lti_roles = claims.get(CLAIM_ROLES) or []
    tool_roles = role_map.tool_roles(lti_roles)
    if not tool_roles:
        raise Forbidden(
            "Your role in this course gives no access to the tool.",
            hint=f"The LMS sent the roles: {', '.join(lti_roles) or 'none'}. Ask your instructor if this is wrong.",
        )
    user = identity.upsert_user(platform.id, claims["sub"], name=claims.get("name") or _full_name(claims),
                                email=claims.get("email"))
    course = identity.upsert_course(platform.id, context["id"], title=context.get("title"),
                                    label=context.get("label"),
                                    memberships_url=(claims.get(CLAIM_NRPS) or {}).get("context_memberships_url"))
    identity.set_membership(user, course, tool_roles, lti_roles)
    link = None
    if message_type == RESOURCE_LINK_REQUEST:
        resource = claims.get(CLAIM_RESOURCE_LINK) or {}
        ags = claims.get(CLAIM_AGS) or {}
        link = identity.upsert_resource_link(
            course, resource["id"], title=resource.get("title"),
            lineitem_url=ags.get("lineitem"), lineitems_url=ags.get("lineitems"),
        )
        exam_services.bind_link_from_custom(link, (claims.get(CLAIM_CUSTOM) or {}).get("exam_id"))
    elif ToolRole.TEST_MAKER not in tool_roles:
        raise Forbidden("Only a course's instructors can add the tool to it.")
    db.session.flush()
    deployment = next(d for d in platform.deployments if d.deployment_id == str(claims.get(CLAIM_DEPLOYMENT)))
    launch = Launch(
        id=str(uuid.uuid4()), platform_id=platform.id, deployment_id=deployment.id, user_id=user.id,
        course_id=course.id, resource_link_id=link.id if link else None, message_type=message_type,
        roles=[str(r) for r in tool_roles], claims=dict(claims),
    )
    db.session.add(launch)
    audit.record("launch", "launch", launch.id, actor_user_id=user.id, course_id=course.id,
                 data={"message_type": message_type, "roles": launch.roles, "lti_roles": lti_roles},
                 origin=origin)
    # Before the commit expires them: read afterwards, each object would cost a SELECT.
    launch_context = LaunchContext(
        user_id=user.id, course_id=course.id, resource_link_id=launch.resource_link_id,
        roles=tuple(launch.roles), launch_id=launch.id, launched_at=int(time.time()),
    )
    db.session.commit()
    landing = "launch.deep_link" if message_type == DEEP_LINKING_REQUEST else LANDING[tool_roles[0]]
    return launch_context, landing


CLAIM_TYPES = {
    "sub": str,
    CLAIM_CONTEXT: dict,
    CLAIM_ROLES: list,
    CLAIM_CUSTOM: dict,
    CLAIM_AGS: dict,
    CLAIM_RESOURCE_LINK: dict,
    CLAIM_DEEP_LINKING: dict,
    CLAIM_NRPS: dict,
    "name": str,
    "given_name": str,
    "family_name": str,
    "email": str,
}


def _check_claim_types(claims, message_type):
    """Refuse claims of the wrong JSON type before anything is stored from them."""
    for claim, kind in CLAIM_TYPES.items():
        value = claims.get(claim)
        if value is not None and not isinstance(value, kind):
            raise LaunchRefused("message", f"The launch's {claim} claim is not a JSON {kind.__name__}.")
    ids = [(claims.get(CLAIM_CONTEXT) or {}).get("id")]
    if message_type == RESOURCE_LINK_REQUEST:
        ids.append(claims[CLAIM_RESOURCE_LINK].get("id"))
    if any(i is not None and not isinstance(i, str | int) for i in ids):
        raise LaunchRefused("message", "The launch's context or resource link id is not a string.")


def _full_name(claims):
    parts = [claims.get("given_name"), claims.get("family_name")]
    return " ".join(p for p in parts if p) or None


def purge_expired(now=None):
    """Delete login states and used nonces nobody can use any more. Returns how many rows went."""
    now = now or utcnow()
    states = db.session.execute(delete(LoginState).where(LoginState.expires_at < now - timedelta(hours=1)))
    nonces = db.session.execute(delete(UsedNonce).where(UsedNonce.expires_at < now))
    db.session.commit()
    return states.rowcount + nonces.rowcount
