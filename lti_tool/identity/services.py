"""Keeping users, courses, memberships and resource links in step with each launch."""

import functools
import re

from sqlalchemy import bindparam, func, select

from lti_tool.db import db, dialect_insert, fit, utcnow
from lti_tool.errors import Forbidden, NotAuthenticated
from lti_tool.identity import notices
from lti_tool.identity.models import Course, Membership, ResourceLink, User
from lti_tool.identity.roles import staffed

EMAIL = re.compile(r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$")


def _row(table, key):
    """The row with this natural key, or None. Read and written as Core rows, not loaded as objects: the ORM's
    unit of work cost a launch more than its statements (bench/README.md, section 13)."""
    return db.session.connection().execute(_select_by(table, tuple(key)), key).one_or_none()


def _upsert(table, key, values, row):
    """The row with this natural key (`row` as read, or None), with `values` written where they differ; a value
    None keeps what the row has (platforms send names and emails only when their privacy settings allow). One
    INSERT … ON CONFLICT DO UPDATE, so two first launches at once (the whole class opening an exam) both get the
    one row; a launch that changes nothing writes nothing."""
    if row is not None and all(value is None or row._mapping[name] == value for name, value in values.items()):
        return row
    statement = _insert_or_update(db.engine.dialect.name, table, tuple(key), tuple(values))
    return db.session.connection().execute(statement, {**key, **values, "now": utcnow()}).one()


# Each statement built once per worker: building one costs more than running it.
@functools.cache
def _select_by(table, key):
    return select(table).where(*(table.c[name] == bindparam(name) for name in key))


@functools.cache
def _insert_or_update(dialect, table, key, names):  # ON CONFLICT is written per dialect
    statement = dialect_insert(table).values({name: bindparam(name) for name in (*key, *names)})
    update = {name: func.coalesce(statement.excluded[name], table.c[name]) for name in names}
    if "updated_at" in table.c:
        update["updated_at"] = bindparam("now", type_=table.c.updated_at.type)
    return statement.on_conflict_do_update(index_elements=list(key), set_=update).returning(*table.c)


def is_email(value):
    """An email address that fits its column."""
    return isinstance(value, str) and len(value) <= User.email.type.length and EMAIL.match(value) is not None


def _email_or_none(value):
    """The address, or None for anything else a platform sends in its place."""
    return value if is_email(value) else None


def _stated(**values):
    """What a launch states of a row: an empty value states nothing, and keeps what the row has."""
    return {name: value or None for name, value in values.items()}


def upsert_user(platform_id, sub, *, name=None, email=None, username=None):
    """The platform's user `sub` (an id that fits its column), with the name and login name shortened to fit
    and an email only if it is one; a row (id, name, email, ...)."""
    key = {"platform_id": platform_id, "sub": sub}
    values = _stated(name=fit(User.name, name), email=_email_or_none(email), username=fit(User.username, username))
    return _upsert(User.__table__, key, values, _row(User.__table__, key))


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
    states it (a course can be copied into again). A row."""
    key = {"platform_id": platform_id, "context_id": context_id}
    values = _stated(title=fit(Course.title, title), label=fit(Course.label, label), memberships_url=memberships_url)
    values["context_history"] = context_history  # "": the platform says the course was copied from nowhere
    return _upsert(Course.__table__, key, values, _row(Course.__table__, key))


def set_membership(user, course, tool_roles, lti_roles):
    """Store the user's roles in the course as a launch or the roster states them, staffed as the course's test
    makers set (proctor only stays until they change it). A role lost is announced after commit: the open
    sockets that need it close, and no page keeps it by refreshing its token. A row."""
    key = {"user_id": user.id, "course_id": course.id}
    return _set_membership(key, _row(Membership.__table__, key), tool_roles, lti_roles)


def _set_membership(key, row, tool_roles, lti_roles):
    roles = _staffed(key["course_id"], key["user_id"], row.roles if row else [], tool_roles,
                     row.proctor_only if row else False)
    return _upsert(Membership.__table__, key, {"roles": roles, "lti_roles": list(lti_roles)}, row)


def restaff(membership, tool_roles, lti_roles):
    """Give the membership (an object) these roles (as staffed); announce any role it loses."""
    membership.roles = _staffed(membership.course_id, membership.user_id, membership.roles, tool_roles,
                                membership.proctor_only)
    membership.lti_roles = list(lti_roles)
    return membership


def _staffed(course_id, user_id, roles_before, tool_roles, proctor_only):
    roles = [str(r) for r in staffed(tool_roles, proctor_only)]
    if set(roles_before) - set(roles):
        notices.roles_lost(course_id, user_id)
    return roles


def set_roster_membership(user, course, tool_roles, lti_roles, *, active):
    """The roster's word on a person: it adds people and marks who has left, and never changes the roles of
    someone still in the course. A signed launch decides what a person may do: Moodle launches a non-editing
    teacher as Instructor but lists them as Learner in its roster. A row."""
    key = {"user_id": user.id, "course_id": course.id}
    row = _row(Membership.__table__, key)
    if active and row is not None and row.roles:
        return row
    return _set_membership(key, row, tool_roles if active else [], lti_roles)


def upsert_resource_link(course, lti_id, *, title=None, lineitem_url=None, lineitems_url=None):
    """The course's link, with what the launch says of it. A row."""
    key = {"course_id": course.id, "lti_id": lti_id}
    values = _stated(title=fit(ResourceLink.title, title), lineitem_url=lineitem_url, lineitems_url=lineitems_url)
    return _upsert(ResourceLink.__table__, key, values, _row(ResourceLink.__table__, key))


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
