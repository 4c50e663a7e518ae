"""Keeping identity rows in step with launches, also when launches race."""

import sqlalchemy as sa

from lti_tool.db import db
from lti_tool.identity import services
from lti_tool.identity.models import Course
from lti_tool.launch import platforms


def make_platform():
    platform = platforms.save(issuer="https://lms.example", client_id="c", name="LMS",
                              auth_login_url="https://lms.example/auth", token_url="https://lms.example/token",
                              jwks_url="https://lms.example/jwks")
    db.session.commit()
    return platform


def test_a_course_inserted_by_a_concurrent_launch_is_reused(app):
    platform = make_platform()
    # Another worker inserts the course between our lookup and our insert.
    with db.engine.begin() as other:
        other.execute(sa.insert(Course).values(platform_id=platform.id, context_id="c1", title="Theirs",
                                               created_at=sa.func.now()))
    original_scalar = db.session.scalar
    calls = []

    def lookup_that_misses_once(statement):
        calls.append(statement)
        return None if len(calls) == 1 else original_scalar(statement)

    db.session.scalar = lookup_that_misses_once
    try:
        course = services.upsert_course(platform.id, "c1", title="Ours")
    finally:
        del db.session.scalar
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Course)) == 1
    assert course.title == "Ours"


def test_user_keeps_name_and_email_when_a_later_launch_omits_them(app):
    platform = make_platform()
    services.upsert_user(platform.id, "u", name="Ada", email="ada@example.edu")
    user = services.upsert_user(platform.id, "u")
    assert (user.name, user.email) == ("Ada", "ada@example.edu")
