"""Keeping identity rows in step with launches, also when launches race, and announcing roles lost."""

import sqlalchemy as sa

from lti_tool.db import db
from lti_tool.identity import services
from lti_tool.identity.models import Course
from lti_tool.launch import platforms
from lti_tool.realtime import channels


def make_platform():
    platform = platforms.save(issuer="https://lms.example", client_id="c", name="LMS",
                              auth_login_url="https://lms.example/auth", token_url="https://lms.example/token",
                              jwks_url="https://lms.example/jwks")
    db.session.commit()
    return platform


def test_a_course_inserted_by_a_concurrent_launch_is_reused(app, monkeypatch):
    platform = make_platform()
    # Another worker inserts the course between our lookup (which found nothing) and our insert.
    monkeypatch.setattr(services, "_row", lambda table, key: None)
    with db.engine.begin() as other:
        other.execute(sa.insert(Course).values(platform_id=platform.id, context_id="c1", title="Theirs",
                                               label="THEIRS", created_at=sa.func.now()))
    course = services.upsert_course(platform.id, "c1", title="Ours")
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Course)) == 1
    assert (course.title, course.label) == ("Ours", "THEIRS")  # what this launch did not state is kept


def test_a_launch_that_changes_nothing_writes_nothing(app):
    platform = make_platform()
    first = services.upsert_user(platform.id, "u", name="Ada", email="ada@example.edu")
    db.session.commit()
    written = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda *args: written.append(args[2].split()[0]))
    again = services.upsert_user(platform.id, "u", name="Ada")
    assert written and set(written) == {"SELECT"}, written
    assert (again.id, again.name, again.email) == (first.id, "Ada", "ada@example.edu")


def test_user_keeps_name_and_email_when_a_later_launch_omits_them(app):
    platform = make_platform()
    services.upsert_user(platform.id, "u", name="Ada", email="ada@example.edu")
    user = services.upsert_user(platform.id, "u")
    assert (user.name, user.email) == ("Ada", "ada@example.edu")


def test_roles_lost_are_announced_after_commit_in_one_message_per_course_and_roles_kept_or_gained_are_not(app):
    platform = make_platform()
    course = services.upsert_course(platform.id, "c1")
    demoted, gone, promoted, unchanged = (services.upsert_user(platform.id, sub) for sub in "abcd")
    for user, roles in ((demoted, ["test_maker"]), (gone, ["student"]), (promoted, ["student"]),
                        (unchanged, ["proctor"])):
        services.set_membership(user, course, roles, [])
    db.session.commit()
    heard = []
    app.extensions["bus"].subscribe(channels.access(), heard.append)

    services.set_membership(demoted, course, ["student"], [])  # a newer launch, as a Learner
    services.set_membership(gone, course, [], [])  # the roster: no longer active
    services.set_membership(promoted, course, ["test_maker", "student"], [])
    services.set_membership(unchanged, course, ["proctor"], [])
    assert heard == []  # nothing before the commit
    db.session.commit()
    assert heard == [{"type": "roles_lost", "course_id": course.id, "user_ids": [demoted.id, gone.id]}]

    services.set_membership(unchanged, course, [], [])
    db.session.rollback()
    assert len(heard) == 1  # a change rolled back is never announced
