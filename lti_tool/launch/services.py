"""What a validated launch does: store who, where and as what, and say where the user lands."""

import time
import uuid
from datetime import timedelta

from sqlalchemy import delete, insert

from lti_tool import audit
from lti_tool.db import db, utcnow
from lti_tool.errors import Forbidden
from lti_tool.exam import proctors
from lti_tool.exam import services as exam_services
from lti_tool.i18n import locales
from lti_tool.identity import services as identity
from lti_tool.identity.roles import ToolRole
from lti_tool.identity.tokens import LaunchContext
from lti_tool.launch import claims as launch_claims
from lti_tool.launch import registry
from lti_tool.launch.claims import DEEP_LINKING_REQUEST, RESOURCE_LINK_REQUEST
from lti_tool.launch.models import Launch, LoginState, UsedNonce

# Where each tool role lands after a resource link launch (endpoint names).
LANDING = {
    ToolRole.TEST_MAKER: "exam.manage",
    ToolRole.PROCTOR: "proctor.home",
    ToolRole.STUDENT: "exam.lobby",
}


def record(message_launch, role_map, *, origin):
    """Store the users, course, roles and link a validated launch names; return its context and landing."""
    claims = launch_claims.read(message_launch.claims)
    platform = message_launch.platform
    lti_roles = claims.lti_roles
    tool_roles = role_map.tool_roles(lti_roles)
    if not tool_roles:
        raise Forbidden(
            "Your role in this course gives no access to the tool.",
            hint=f"The LMS sent the roles: {', '.join(lti_roles) or 'none'}. Ask your instructor if this is wrong.",
        )
    user = identity.upsert_user(platform.id, claims.sub, name=claims.name, email=claims.email,
                                username=claims.username)
    course = identity.upsert_course(platform.id, claims.context_id, title=claims.context_title,
                                    label=claims.context_label, memberships_url=claims.memberships_url,
                                    context_history=claims.context_history)
    tool_roles = [ToolRole(r) for r in identity.set_membership(user, course, tool_roles, lti_roles).roles]
    link_id = exam_id = None
    if claims.message_type == RESOURCE_LINK_REQUEST:
        link = identity.upsert_resource_link(
            course, claims.resource_link_id, title=claims.resource_link_title,
            lineitem_url=claims.lineitem_url, lineitems_url=claims.lineitems_url,
        )
        link_id, exam_id = link.id, exam_services.bind_link_from_custom(link, claims.custom_exam_id)
    elif ToolRole.TEST_MAKER not in tool_roles:
        raise Forbidden("Only a course's instructors can add the tool to it.")
    launch_id, roles = str(uuid.uuid4()), [str(r) for r in tool_roles]
    # Core rows, not objects: the ORM's unit of work cost a launch more than its statements (bench/README.md §13).
    db.session.connection().execute(insert(Launch.__table__).values(
        id=launch_id, platform_id=platform.id, deployment_id=registry.deployment_row(platform, claims.deployment_id),
        user_id=user.id, course_id=course.id, resource_link_id=link_id, message_type=claims.message_type,
        roles=roles, claims=claims.kept(),
    ))
    audit.record_all([{
        "action": "launch", "target_type": "launch", "target_id": launch_id, "actor_user_id": user.id,
        "course_id": course.id, "data": {"message_type": claims.message_type, "roles": roles, "lti_roles": lti_roles},
        "origin": origin,
    }])
    launch_context = LaunchContext(
        user_id=user.id, course_id=course.id, resource_link_id=link_id, roles=tuple(roles), launch_id=launch_id,
        launched_at=int(time.time()), locale=locales.shipped(claims.locale) if claims.locale else None,
        time_zone=claims.time_zone,
    )
    landing = _landing(claims, tool_roles, exam_id, user.id)
    db.session.commit()
    return launch_context, landing


def _landing(claims, tool_roles, exam_id, user_id):
    """Where the launch goes: by the most capable role, except that a person listed as a proctor of the link's
    exam (whatever role the LMS sent) goes to its live room."""
    if claims.message_type == DEEP_LINKING_REQUEST:
        return "launch.deep_link"
    if ToolRole.TEST_MAKER not in tool_roles and exam_id and proctors.is_listed(exam_id, user_id):
        return "proctor.home"
    return LANDING[tool_roles[0]]


def purge_expired(now=None):
    """Delete login states and used nonces nobody can use any more. Returns how many rows went."""
    now = now or utcnow()
    states = db.session.execute(delete(LoginState).where(LoginState.expires_at < now - timedelta(hours=1)))
    nonces = db.session.execute(delete(UsedNonce).where(UsedNonce.expires_at < now))
    db.session.commit()
    return states.rowcount + nonces.rowcount
