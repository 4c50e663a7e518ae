"""Health probes: /healthz (the process answers) and /readyz (what serving needs: the database, its schema at the
migrations' head, Redis when the bus uses it, the background jobs ticking). Cheap enough for a probe every second;
the answers name what fails and why, never an address or a secret."""

import functools
import time

import redis
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app

from lti_tool import background
from lti_tool.db import db, migrated_by_a_newer_release
from lti_tool.realtime.bus import redis_client

# Each probe waits at most this long for the database and for Redis: a probe that hangs tells nothing.
PROBE_TIMEOUT_SECONDS = 1.0
# A job is stale when its last tick is older than this many intervals, and never sooner than the floor: a deadline
# rush runs the sweeper's batches back to back for seconds, and failing readiness then would take the worker out of
# the pool exactly when it is needed.
STALE_INTERVALS = 3
STALE_FLOOR_SECONDS = 30.0


@functools.cache
def script_heads(migrations_dir):
    """The migrations' head revisions; read once per process (parsing every script takes most of a second)."""
    return frozenset(ScriptDirectory(str(migrations_dir)).get_heads())


def init_app(app):
    app.extensions["readiness"] = Readiness(app)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz():
        checks = current_app.extensions["readiness"].checks()
        ready = all(check["ok"] for check in checks.values())
        return {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503


class Readiness:
    """The checks behind /readyz, with what they keep between probes: the migrations' head, a small engine of their
    own (so a probe never waits behind a pool that the requests have exhausted), a Redis client with short timeouts."""

    def __init__(self, app, clock=time.monotonic):
        self.app = app
        self.clock = clock
        self.heads = script_heads(app.config["MIGRATIONS_DIR"])
        self._engine = None
        self._redis = None
        if app.config["REDIS_URL"]:
            self._redis = redis_client(app.config["REDIS_URL"], app.config["REDIS_SENTINEL"],
                                       socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
                                       socket_timeout=PROBE_TIMEOUT_SECONDS)

    def checks(self):
        database, migrations = self._database_and_migrations()
        return {"database": database, "migrations": migrations, "redis": self._redis_check(),
                "background": self._background()}

    def _database_and_migrations(self):
        try:
            with self._probe_engine().connect() as conn:
                if conn.dialect.name == "postgresql":
                    # SET LOCAL lasts for this transaction only (pgbouncer's transaction pooling allows it).
                    conn.execute(sa.text(f"SET LOCAL statement_timeout = {int(PROBE_TIMEOUT_SECONDS * 1000)}"))
                conn.execute(sa.text("SELECT 1"))
                revisions = _revisions(conn)
        except sa.exc.SQLAlchemyError as exc:
            # The class only: a driver's message names the host and port.
            failed = _failed(f"no answer ({type(getattr(exc, 'orig', None) or exc).__name__})")
            return failed, _failed("unknown: the database did not answer")
        return _ok(), self._migrations(revisions)

    def _migrations(self, revisions):
        if revisions is None:
            return _failed("not migrated: no alembic_version table")
        if migrated_by_a_newer_release(revisions, self.app.config["MIGRATIONS_DIR"]):
            # The previous release keeps working on the next one's schema for one deploy (README, Upgrades).
            return _ok(f"at {', '.join(sorted(revisions))}, newer than this release's head "
                       f"{', '.join(sorted(self.heads))}")
        if revisions != self.heads:
            return _failed(f"at {', '.join(sorted(revisions)) or 'nothing'}, head is {', '.join(sorted(self.heads))}")
        return _ok(", ".join(sorted(revisions)))

    def _probe_engine(self):
        if self._engine is None:
            url = sa.engine.make_url(self.app.config["SQLALCHEMY_DATABASE_URI"])
            if url.get_backend_name() == "postgresql":
                # connect_timeout bounds connecting; tcp_user_timeout a network that stopped carrying what was sent
                # (statement_timeout, set per probe, is the server's and cannot cut that).
                timeout_ms = int(PROBE_TIMEOUT_SECONDS * 1000)
                self._engine = sa.create_engine(
                    url, pool_size=1, max_overflow=1, pool_timeout=PROBE_TIMEOUT_SECONDS,
                    connect_args={"connect_timeout": max(1, int(PROBE_TIMEOUT_SECONDS)),
                                  "tcp_user_timeout": timeout_ms})
            else:
                with self.app.app_context():
                    self._engine = db.engine
        return self._engine

    def _redis_check(self):
        if self._redis is None:
            return _ok("not configured: the bus is in-process")
        try:
            self._redis.ping()
        except redis.RedisError as exc:
            return _failed(f"unreachable ({type(exc).__name__})")
        return _ok()

    def _background(self):
        if not self.app.config["BACKGROUND_JOBS"]:
            return _ok("off")
        ticks = background.last_ticks(self.app)
        now = self.clock()
        stale = []
        for name, interval_key, _ in background.JOBS:
            limit = max(STALE_INTERVALS * self.app.config[interval_key], STALE_FLOOR_SECONDS)
            last = ticks.get(name)
            if last is None:
                stale.append(f"{name} not started")
            elif now - last > limit:
                stale.append(f"{name} last ticked {now - last:.0f}s ago (limit {limit:.0f}s)")
        return _failed("; ".join(stale)) if stale else _ok()


def _revisions(conn):
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return frozenset(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())


def _ok(detail=None):
    return {"ok": True, **({"detail": detail} if detail else {})}


def _failed(detail):
    return {"ok": False, "detail": detail}
