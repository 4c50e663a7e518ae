"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL, and the data
migrations carry old rows over."""

import json
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from lti_tool import create_app
from lti_tool.db import db
from tests.conftest import MIGRATIONS, _admin_engine, _config

NOW = "2026-01-01 00:00:00+00:00"
PLATFORM = ("INSERT INTO platforms (id, name, issuer, client_id, auth_login_url, token_url, jwks_url, registered_via,"
            " created_at) VALUES (1, 'p', 'https://i', 'c', 'https://a', 'https://t', 'https://j', 'cli', :now)")


@contextmanager
def migrated_to(database_url, revision, *statements):
    """The app on `database_url` migrated to `revision`, with `statements` (SQL, `:now` bound) run and committed."""
    app = create_app(_config(database_url))
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision=revision)
        for statement in statements:
            db.session.execute(db.text(statement), {"now": NOW})
        db.session.commit()
        yield
        db.session.remove()
        db.engine.dispose()


def json_value(value):
    return json.loads(value) if isinstance(value, str) else value


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        assert compare_metadata(context, db.metadata) == []


def test_exams_made_before_the_exam_taking_migration_get_its_defaults(tmp_path):
    with migrated_to(f"sqlite:///{tmp_path}/old.sqlite3", "0001", PLATFORM,
                     "INSERT INTO courses (platform_id, context_id, created_at) VALUES (1, 'c', :now)",
                     "INSERT INTO exams (course_id, title, created_at) VALUES (1, 'Old', :now)"):
        upgrade(directory=MIGRATIONS)
        row = db.session.execute(db.text(
            "SELECT duration_minutes, attempts_allowed, shuffle_questions, instructions FROM exams")).one()
        assert tuple(row) == (60, 1, 0, "")
        downgrade(directory=MIGRATIONS, revision="0001")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    """An empty database of each kind, for migrating step by step."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/steps.sqlite3"
        return
    request.getfixturevalue("postgres_url")  # skips (or fails on CI) without PostgreSQL
    engine = _admin_engine()
    name = f"proctor_steps_{uuid.uuid4().hex[:10]}"
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield request.getfixturevalue("postgres_database_url")(name)
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    engine.dispose()


def test_proctors_listed_by_email_become_the_one_person_with_that_address(empty_database_url):
    with migrated_to(
        empty_database_url, "0009", PLATFORM,
        "INSERT INTO courses (id, platform_id, context_id, created_at) VALUES (1, 1, 'c1', :now), (2, 1, 'c2', :now)",
        "INSERT INTO exams (id, course_id, title, created_at) VALUES (1, 1, 'Old', :now)",
        # ta@ is one person in course 1 (and another in course 2); twin@ is two people of course 1.
        "INSERT INTO users (id, platform_id, sub, email, created_at, updated_at) VALUES"
        " (1, 1, 'ta', 'TA@example.edu', :now, :now), (2, 1, 'ta-b', 'ta@example.edu', :now, :now),"
        " (3, 1, 'twin-1', 'twin@example.edu', :now, :now), (4, 1, 'twin-2', 'twin@example.edu', :now, :now)",
        "INSERT INTO memberships (user_id, course_id, roles, lti_roles, updated_at) VALUES"
        " (1, 1, '[\"proctor\"]', '[]', :now), (2, 2, '[\"proctor\"]', '[]', :now),"
        " (3, 1, '[\"proctor\"]', '[]', :now), (4, 1, '[\"proctor\"]', '[]', :now)",
        "INSERT INTO exam_proctors (exam_id, email) VALUES"
        " (1, 'ta@example.edu'), (1, 'twin@example.edu'), (1, 'gone@example.edu')",
    ):
        upgrade(directory=MIGRATIONS, revision="0010")
        assert db.session.execute(db.text("SELECT exam_id, user_id FROM exam_proctors")).all() == [(1, 1)]
        unresolved = db.session.execute(db.text(
            "SELECT target_id, data FROM audit_log WHERE action = 'proctors.unresolved' ORDER BY id")).all()
        assert [t for t, _ in unresolved] == ["1", "1"]
        assert sorted((d["email"], d["people_with_this_email"]) for d in map(json_value, (d for _, d in unresolved))
                      ) == [("gone@example.edu", 0), ("twin@example.edu", 2)]


def test_signing_keys_stored_in_clear_are_encrypted_by_the_upgrade_and_decrypted_by_the_downgrade(empty_database_url):
    from lti_tool.launch import keys

    pem = keys.new_private_pem(2048)
    with migrated_to(empty_database_url, "0008"):
        db.session.execute(db.text("INSERT INTO tool_keys (kid, private_key_pem, created_at) "
                                   "VALUES ('old-kid', :pem, :now)"), {"pem": pem, "now": NOW})
        db.session.commit()
        upgrade(directory=MIGRATIONS)
        stored = db.session.execute(db.text("SELECT private_key_encrypted FROM tool_keys")).scalar_one()
        assert "PRIVATE KEY" not in stored
        assert (keys.current().kid, keys.current().private_key_pem) == ("old-kid", pem)
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="0008")
        assert db.session.execute(db.text("SELECT private_key_pem FROM tool_keys")).scalar_one() == pem


def test_launches_stored_before_keep_only_the_deep_linking_settings(empty_database_url):
    settings_claim = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
    with migrated_to(
        empty_database_url, "0011", PLATFORM,
        "INSERT INTO deployments (id, platform_id, deployment_id, created_at) VALUES (1, 1, 'd', :now)",
        "INSERT INTO courses (id, platform_id, context_id, created_at) VALUES (1, 1, 'c1', :now)",
        "INSERT INTO users (id, platform_id, sub, created_at, updated_at) VALUES (1, 1, 'u', :now, :now)",
    ):
        for launch_id, kind, claims in (
            ("a", "LtiResourceLinkRequest", {"email": "x@example.edu", "custom": {"big": "x" * 1000}}),
            ("b", "LtiDeepLinkingRequest", {"name": "Grace", settings_claim: {"deep_link_return_url": "https://r"}}),
        ):
            db.session.execute(db.text(
                "INSERT INTO launches (id, platform_id, deployment_id, user_id, course_id, message_type, roles, claims,"
                " created_at) VALUES (:id, 1, 1, 1, 1, :kind, '[]', :claims, :now)"),
                {"id": launch_id, "kind": kind, "claims": json.dumps(claims), "now": NOW})
        db.session.commit()
        upgrade(directory=MIGRATIONS, revision="0012")
        rows = {k: json_value(v) for k, v in db.session.execute(db.text("SELECT id, claims FROM launches"))}
        assert rows == {"a": {}, "b": {settings_claim: {"deep_link_return_url": "https://r"}}}


def test_exams_showing_results_after_close_keep_that_review_and_the_others_show_none(empty_database_url):
    with migrated_to(
        empty_database_url, "0019", PLATFORM,
        "INSERT INTO courses (id, platform_id, context_id, created_at) VALUES (1, 1, 'c1', :now)",
        "INSERT INTO exams (id, course_id, title, created_at, updated_at, show_results_after_close) VALUES"
        " (1, 1, 'Shows', :now, :now, TRUE), (2, 1, 'Hides', :now, :now, FALSE)",
    ):
        upgrade(directory=MIGRATIONS, revision="0020")
        rows = db.session.execute(db.text(
            "SELECT id, review_when, review_score, review_answers, review_right_answers, review_explanations"
            " FROM exams ORDER BY id")).all()
        assert [(r[0], r[1], *map(bool, r[2:])) for r in rows] == [
            (1, "after_close", True, True, True, True), (2, "never", True, True, True, True)]
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="0019")
        assert db.session.execute(db.text("SELECT id, show_results_after_close FROM exams ORDER BY id")).all() == [
            (1, True), (2, False)]


def test_exams_made_before_drafts_stay_published(empty_database_url):
    with migrated_to(
        empty_database_url, "0020", PLATFORM,
        "INSERT INTO courses (id, platform_id, context_id, created_at) VALUES (1, 1, 'c1', :now)",
        "INSERT INTO exams (id, course_id, title, created_at, updated_at) VALUES (1, 1, 'Live', :now, :now)",
    ):
        upgrade(directory=MIGRATIONS, revision="0021")
        published = db.session.execute(db.text("SELECT published_at FROM exams")).scalar_one()
        assert published is not None and str(published).startswith("2026-01-01")
        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="0020")
