"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lti_tool.db import db


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
