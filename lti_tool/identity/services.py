"""Keeping users, courses, memberships and resource links in step with each launch."""

import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lti_tool.db import db, fit
from lti_tool.errors import Forbidden, NotAuthenticated
from lti_tool.identity import notices
from lti_tool.identity.models import Course, Membership, ResourceLink, User
from lti_tool.identity.roles import staffed

EMAIL = re.compile(r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$")


def _find_or_add(model, defaults=None, **key):
    """The row with this natural key, inserting it if missing. Two first launches at once (the whole
    class opening an exam) race to insert the same course: the loser takes the winner's row."""
    row = db.session.scalar(select(model).filter_by(**key))
    if row is not None:
        return row
    try:
        with db.session.begin_nested():
            row = model(**key, **(defaults or {}))
            db.session.add(row)
    except IntegrityError:
        row = db.session.scalar(select(model).filter_by(**key))
    return row


def is_email(value):
    """An email address that fits its column."""
    return isinstance(value, str) and len(value) <= User.email.type.length and EMAIL.match(value) is not None


def _email_or_none(value):
    """The address, or None for anything else a platform sends in its place."""
    return value if is_email(value) else None


def upsert_user(platform_id, sub, *, name=None, email=None, username=None):
    """The platform's user `sub` (an id that fits its column), with the name and login name shortened to fit
    and an email only if it is one."""
    name, email, username = fit(User.name, name), _email_or_none(email), fit(User.username, username)
    user = _find_or_add(User, {"name": name, "email": email, "username": username},
                        platform_id=platform_id, sub=sub)
    # Platforms send name and email only when their privacy settings allow; keep what we had.
    user.name = name or user.name
    user.email = email or user.email
    user.username = username or user.username
    return user


def names_withheld(course_id):
    """Whether the LMS shares no one's name or email in this course (its privacy settings), so people show by
    login name or a short label."""
    people, named = db.session.execute(
        select(func.count(User.id), func.count(func.coalesce(User.name, User.email)))
        .join(Membership, Membership.user_id == User.id).where(Membership.course_id == course_id)
    ).one()
    return people > 0 and named == 0


def upsert_course(platform_id, context_id, *, title=None, label=None, memberships_url=None, context_history=None):
    """The course, with what the launch says of it; the context history as the latest launch that carried one
    states it (a course can be copied into again)."""
    title, label = fit(Course.title, title), fit(Course.label, label)
    course = _find_or_add(Course, {"title": title, "label": label, "memberships_url": memberships_url,
                                   "context_history": context_history},
                          platform_id=platform_id, context_id=context_id)
    course.title = title or course.title
    course.label = label or course.label
    course.memberships_url = memberships_url or course.memberships_url
    if context_history is not None:
        course.context_history = context_history
    return course


def set_membership(user, course, tool_roles, lti_roles):
    """Store the user's roles in the course as a launch or the roster states them, staffed as the course's test
    makers set (proctor only stays until they change it). A role lost is announced after commit: the open
    sockets that need it close, and no page keeps it by refreshing its token."""
    db.session.flush()
    roles, lti_roles = [str(r) for r in tool_roles], list(lti_roles)
    membership = _find_or_add(Membership, {"roles": roles, "lti_roles": lti_roles}, user_id=user.id,
                              course_id=course.id)
    return restaff(membership, roles, lti_roles)


def restaff(membership, tool_roles, lti_roles):
    """Give the membership these roles (as staffed); announce any role it loses."""
    roles = [str(r) for r in staffed(tool_roles, membership.proctor_only)]
    if set(membership.roles) - set(roles):
        notices.roles_lost(membership.course_id, membership.user_id)
    membership.roles = roles
    membership.lti_roles = list(lti_roles)
    return membership


def set_roster_membership(user, course, tool_roles, lti_roles, *, active):
    """The roster's word on a person: it adds people and marks who has left, and never changes the roles of
    someone still in the course. A signed launch decides what a person may do: Moodle launches a non-editing
    teacher as Instructor but lists them as Learner in its roster."""
    if not active:
        return set_membership(user, course, [], lti_roles)
    membership = db.session.scalar(select(Membership).filter_by(user_id=user.id, course_id=course.id))
    if membership is not None and membership.roles:
        return membership
    return set_membership(user, course, tool_roles, lti_roles)


def upsert_resource_link(course, lti_id, *, title=None, lineitem_url=None, lineitems_url=None):
    title = fit(ResourceLink.title, title)
    db.session.flush()
    link = _find_or_add(ResourceLink, {"title": title, "lineitem_url": lineitem_url, "lineitems_url": lineitems_url},
                        course_id=course.id, lti_id=lti_id)
    link.title = title or link.title
    link.lineitem_url = lineitem_url or link.lineitem_url
    link.lineitems_url = lineitems_url or link.lineitems_url
    return link


def current_roles(user_id, course_id):
    """The user's tool roles in the course now; refusing if they no longer have any."""
    membership = db.session.scalar(select(Membership).filter_by(user_id=user_id, course_id=course_id))
    if membership is None or not membership.roles:
        raise Forbidden("You no longer have a role in this course.")
    return tuple(membership.roles)


def course_of(context):
    course = db.session.get(Course, context.course_id)
    if course is None:
        raise NotAuthenticated("The course this page belongs to no longer exists.")
    return course


def load_people(context):
    """The user and course a launch context names, for display."""
    user = db.session.get(User, context.user_id)
    course = db.session.get(Course, context.course_id)
    if user is None or course is None:
        raise NotAuthenticated("The launch this page belongs to no longer exists.")
    link = db.session.get(ResourceLink, context.resource_link_id) if context.resource_link_id else None
    return user, course, link
