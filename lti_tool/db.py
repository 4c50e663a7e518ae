"""The SQLAlchemy handle, the column types every domain shares, and migrations."""

from datetime import datetime, timezone

from flask_migrate import Migrate
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


def upsert(model, values, *, key, update, only_if=None):
    """INSERT ... ON CONFLICT (key) DO UPDATE SET update [WHERE only_if(existing row, proposed row)]: one
    statement, safe when two writers race. Whether a row was written."""
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**values)
    result = db.session.execute(statement.on_conflict_do_update(
        index_elements=[getattr(model, name) for name in key], set_=update,
        where=only_if(model.__table__.c, statement.excluded) if only_if else None))
    return result.rowcount > 0
