"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lti_tool.db import db
from tests.conftest import POSTGRES_ADMIN_URL, _admin_engine


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        assert compare_metadata(context, db.metadata) == []


def test_exams_made_before_the_exam_taking_migration_get_its_defaults(tmp_path):
    from flask_migrate import downgrade, upgrade

    from lti_tool import create_app
    from tests.conftest import MIGRATIONS, _config

    app = create_app(_config(f"sqlite:///{tmp_path}/old.sqlite3"))
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0001")
        db.session.execute(db.text(
            "INSERT INTO platforms (name, issuer, client_id, auth_login_url, token_url, jwks_url, registered_via,"
            " created_at) VALUES ('p', 'https://i', 'c', 'https://a', 'https://t', 'https://j', 'cli', '2026-01-01')"))
        db.session.execute(db.text(
            "INSERT INTO courses (platform_id, context_id, created_at) VALUES (1, 'c', '2026-01-01')"))
        db.session.execute(db.text("INSERT INTO exams (course_id, title, created_at) VALUES (1, 'Old', '2026-01-01')"))
        db.session.commit()
        upgrade(directory=MIGRATIONS)
        row = db.session.execute(db.text(
            "SELECT duration_minutes, attempts_allowed, shuffle_questions, instructions FROM exams")).one()
        assert tuple(row) == (60, 1, 0, "")
        downgrade(directory=MIGRATIONS, revision="0001")
        db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated_url(request, tmp_path):
    """An empty database of each kind, for walking the migrations up and down."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/old.sqlite3"
        return
    request.getfixturevalue("postgres_url")  # skips or fails as the other PostgreSQL tests do
    engine = _admin_engine()
    name = f"proctor_migrate_{uuid.uuid4().hex[:10]}"
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                     {"name": name})
        conn.execute(sa.text(f'DROP DATABASE "{name}"'))
    engine.dispose()


def test_signing_keys_stored_in_clear_are_encrypted_by_the_upgrade_and_decrypted_by_the_downgrade(unmigrated_url):
    from flask_migrate import downgrade, upgrade

    from lti_tool import create_app
    from lti_tool.launch import keys
    from tests.conftest import MIGRATIONS, _config

    app = create_app(_config(unmigrated_url))
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0008")
        pem = keys.new_private_pem(2048)
        db.session.execute(db.text("INSERT INTO tool_keys (kid, private_key_pem, created_at) "
                                   "VALUES ('old-kid', :pem, '2026-01-01')"), {"pem": pem})
        db.session.commit()

        upgrade(directory=MIGRATIONS)
        stored = db.session.execute(db.text("SELECT private_key_encrypted FROM tool_keys")).scalar_one()
        assert "PRIVATE KEY" not in stored
        assert (keys.current().kid, keys.current().private_key_pem) == ("old-kid", pem)

        db.session.remove()
        downgrade(directory=MIGRATIONS, revision="0008")
        assert db.session.execute(db.text("SELECT private_key_pem FROM tool_keys")).scalar_one() == pem
        db.session.remove()
        db.engine.dispose()
