"""The course team: everyone the course's roster knows, with the role the LMS gives them and the one the tool
does, and the staffing the course's test makers set in the tool (proctor only)."""

from sqlalchemy import select

from lti_tool import audit
from lti_tool.db import db
from lti_tool.errors import AppError, NotFound
from lti_tool.identity import services
from lti_tool.identity.models import Course, Membership, User
from lti_tool.identity.roles import ToolRole, staffed


class LastTestMaker(AppError):
    code = "last_test_maker"
    title = "The course needs a test maker"
    http_status = 409


def members(course_id):
    """[(user, membership)] of the course, by name."""
    rows = db.session.execute(
        select(User, Membership).join(Membership, Membership.user_id == User.id)
        .where(Membership.course_id == course_id)
    ).all()
    return sorted(rows, key=lambda row: ((row[0].display_name or "").lower(), row[0].id))


def set_proctor_only(course_id, user_id, proctor_only, role_map, *, actor_user_id, origin):
    """Set a person to proctor only (their launches as Instructor grant Proctor, not Test Maker) or back, and
    give them at once the roles that follow from their latest LMS roles; refused if it would leave the course
    with no test maker."""
    if not isinstance(proctor_only, bool):
        raise AppError("proctor_only must be true or false.")
    # Two test makers demoting each other at once must not both pass the last-test-maker check: the course's
    # row is locked for the check and the write (PostgreSQL; SQLite has one writer anyway).
    db.session.execute(select(Course.id).where(Course.id == course_id).with_for_update())
    membership = db.session.scalar(select(Membership).filter_by(course_id=course_id, user_id=user_id))
    if membership is None:
        raise NotFound("That person is not on this course's roster.")
    before = list(membership.roles)
    # Someone who has left the course (no role) gets none back from the tool.
    tool_roles = role_map.tool_roles(membership.lti_roles) if membership.roles else []
    if ToolRole.TEST_MAKER in before and ToolRole.TEST_MAKER not in staffed(tool_roles, proctor_only) \
            and not _other_test_makers(course_id, user_id):
        raise LastTestMaker("The course would have no test maker left, so nobody could edit its exams.",
                            hint="Let another teacher open the tool from the course first, or keep this person "
                                 "a test maker.")
    membership.proctor_only = proctor_only
    services.restaff(membership, tool_roles, membership.lti_roles)
    audit.record("membership.proctor_only", "membership", membership.id, actor_user_id=actor_user_id,
                 course_id=course_id, data={"user_id": user_id, "proctor_only": proctor_only,
                                            "roles_before": before, "roles": list(membership.roles)},
                 origin=origin)
    db.session.commit()
    return membership


def _other_test_makers(course_id, user_id):
    roles = db.session.scalars(select(Membership.roles).where(Membership.course_id == course_id,
                                                              Membership.user_id != user_id))
    return any(ToolRole.TEST_MAKER in member_roles for member_roles in roles)
