"""The SQLAlchemy handle, the column types every domain shares, and migrations."""

import functools
from datetime import datetime, timezone

import click
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import Migrate, upgrade
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, TypeDecorator
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic can alter tables on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()

# The database could not be reached or dropped the connection (a restart, a failover, no free connection in the
# pool), or gave up on a transaction (deadlock, lock timeout): the transaction rolled back, so nothing was
# written, and the same request may succeed in a moment. Not a bug in the tool.
UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


def first_line(error):
    """The first line of an error's message, for a log line without a traceback."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:300]


def fit(column, text):
    """Display text (a name, a title) shortened to what its String column holds, ending in an ellipsis
    when cut. Ids are never shortened: a cut id names something else."""
    limit = column.type.length
    if text is None or len(text) <= limit:
        return text
    return text[:limit - 1] + "…"


def utcnow():
    """The current time, timezone-aware in UTC; the only clock the tool uses."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp that is stored and returned in UTC, also on SQLite (which drops zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use db.utcnow()")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def init_app(app):
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.config["MIGRATIONS_DIR"]))
    app.cli.add_command(upgrade_schema)


@functools.cache
def known_revisions(migrations_dir):
    """Every revision of this release's migrations; read once per process (parsing the scripts takes most of a
    second)."""
    return frozenset(script.revision for script in ScriptDirectory(migrations_dir).walk_revisions())


def migrated_by_a_newer_release(revisions, migrations_dir):
    """None of the database's revisions is one of this release's (README, Upgrades)."""
    return bool(revisions) and not set(revisions) & known_revisions(str(migrations_dir))


@click.command("upgrade-schema")
@with_appcontext
def upgrade_schema():
    """Migrate the database to this release's head, or leave it when a newer release has migrated it already (a
    host still on the previous release restarts during a deploy, or a release is rolled back)."""
    directory = str(current_app.config["MIGRATIONS_DIR"])
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    if migrated_by_a_newer_release(current, directory):
        click.echo(f"The database is at {', '.join(sorted(current))}, newer than this release's migrations: "
                   "left as it is.")
        return
    upgrade(directory=directory)


def commit_keeping_loaded():
    """Commit without expiring what the session has loaded: a response built from what was just written (an
    attempt just started, with the questions it drew) need not read it all back (bench/README.md, section 13)."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def dialect_insert(model):
    """INSERT for this database's dialect, which has on_conflict_do_nothing / on_conflict_do_update."""
    return (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert(model)


def upsert(model, values, *, key, update, only_if=None):
    """INSERT ... ON CONFLICT (key) DO UPDATE SET update [WHERE only_if(existing row, proposed row)]: one
    statement, safe when two writers race. Whether a row was written."""
    table = model.__table__
    statement = dialect_insert(table).values(**values)
    # Core on the session's connection: the ORM's handling of a statement about a mapped class costs more than
    # the statement (bench/README.md, section 15).
    result = db.session.connection().execute(statement.on_conflict_do_update(
        index_elements=[table.c[name] for name in key], set_=update,
        where=only_if(table.c, statement.excluded) if only_if else None))
    return result.rowcount > 0
