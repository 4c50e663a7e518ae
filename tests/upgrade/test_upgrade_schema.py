"""The deploy's migration step (deploy/systemd/proctor-lti-migrate.service runs `flask upgrade-schema`): it brings
a database to this release's head, and leaves one a newer release has migrated, so a host still on the previous
release can restart during a deploy and a release can be rolled back (README, Upgrades)."""

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade

from lti_tool.db import db
from tests.conftest import MIGRATIONS

HEAD = ScriptDirectory(MIGRATIONS).get_current_head()


def version():
    db.session.remove()
    return db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()


def test_a_database_behind_is_brought_to_the_head(app, runner):
    downgrade(directory=MIGRATIONS, revision="0021")
    assert version() == "0021"
    result = runner.invoke(args=["upgrade-schema"])
    assert result.exit_code == 0, result.output
    assert version() == HEAD


def test_a_database_a_newer_release_migrated_is_left_as_it_is(app, runner):
    db.session.execute(sa.text("UPDATE alembic_version SET version_num = '9999_newer'"))
    db.session.commit()
    try:
        result = runner.invoke(args=["upgrade-schema"])
        assert result.exit_code == 0, result.output
        assert "9999_newer, newer than this release's migrations: left as it is" in result.output
        assert version() == "9999_newer"
    finally:
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = :v"), {"v": HEAD})
        db.session.commit()
