"""Who takes an exam: every student of its course (also those who never started) with their latest attempt."""

from sqlalchemy import select

from lti_tool.db import db
from lti_tool.exam.models import Attempt
from lti_tool.identity.models import Membership, User


def students(exam):
    """[(user, latest attempt or None)] sorted by name: the course's students, and anyone with an attempt."""
    members = db.session.execute(
        select(User, Membership).join(Membership, Membership.user_id == User.id)
        .where(Membership.course_id == exam.course_id)
    ).all()
    latest = {}
    for attempt in db.session.scalars(select(Attempt).where(Attempt.exam_id == exam.id).order_by(Attempt.number)):
        latest[attempt.user_id] = attempt
    found = [(user, latest.get(user.id)) for user, membership in members
             if "student" in membership.roles or user.id in latest]
    return sorted(found, key=lambda pair: (pair[0].display_name or "").lower())


def student_count(exam):
    """How many of the course's members are students (for sizing, without loading anyone)."""
    roles = db.session.scalars(select(Membership.roles).where(Membership.course_id == exam.course_id))
    return sum(1 for member_roles in roles if "student" in member_roles)
