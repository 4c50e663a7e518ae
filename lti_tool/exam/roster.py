"""Who takes an exam: every student of its course (also those who never started) with their latest attempt. The
people listed as the exam's proctors do not take it, whatever role the LMS gives them."""

from sqlalchemy import select

from lti_tool.db import db
from lti_tool.exam import proctors
from lti_tool.exam.models import Attempt
from lti_tool.identity.models import Membership, User


def students(exam):
    """[(user, latest attempt or None)] sorted by name: the course's students but the exam's proctors, and anyone
    with an attempt (one made before they were listed stays on the record)."""
    members = db.session.execute(
        select(User, Membership).join(Membership, Membership.user_id == User.id)
        .where(Membership.course_id == exam.course_id)
    ).all()
    latest = {}
    for attempt in db.session.scalars(select(Attempt).where(Attempt.exam_id == exam.id, Attempt.is_preview.is_(False))
                                  .order_by(Attempt.number)):
        latest[attempt.user_id] = attempt
    watching = set(db.session.scalars(proctors.listed_ids(exam.id)))
    found = [(user, latest.get(user.id)) for user, membership in members
             if ("student" in membership.roles and user.id not in watching) or user.id in latest]
    return sorted(found, key=lambda pair: (pair[0].display_name or "").lower())


def student_count(exam):
    """How many of the course's members are students of the exam (for sizing, without loading anyone)."""
    roles = db.session.scalars(select(Membership.roles).where(
        Membership.course_id == exam.course_id, Membership.user_id.not_in(proctors.listed_ids(exam.id))))
    return sum(1 for member_roles in roles if "student" in member_roles)
