"""/healthz and /readyz: ready with every dependency, and 503 naming each one that fails, without secrets."""

import shutil
import statistics
import threading
import time

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from lti_tool import background, create_app
from lti_tool.db import db
from lti_tool.health import PROBE_TIMEOUT_SECONDS
from tests.conftest import MIGRATIONS, _config

CLOSED_PORT = 1
SECRET = "s3cret-Pa55word"


@pytest.fixture
def sqlite_app(sqlite_template, tmp_path, monkeypatch):
    """An app on a migrated SQLite copy, with overrides."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    path = tmp_path / "tool.sqlite3"
    shutil.copy(sqlite_template, path)

    def make(**config):
        return create_app({"APP_ENV": "test", "DATABASE_URL": f"sqlite:///{path}", **config})

    return make


def _failing(response):
    assert response.status_code == 503, response.json
    assert response.json["status"] == "not ready"
    return {name for name, check in response.json["checks"].items() if not check["ok"]}


def test_healthz_answers_without_the_database(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_ready_when_every_dependency_is(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["status"] == "ready"
    checks = response.json["checks"]
    assert set(checks) == {"database", "migrations", "redis", "background"}
    assert all(check["ok"] for check in checks.values())
    assert checks["redis"]["detail"] == "not configured: the bus is in-process"


def test_ready_with_redis_reachable(sqlite_app, redis_url):
    response = sqlite_app(REDIS_URL=redis_url).test_client().get("/readyz")
    assert response.status_code == 200, response.json


def test_an_unreachable_database_is_named_without_its_address_or_password(sqlite_app):
    url = f"postgresql://proctor:{SECRET}@127.0.0.1:{CLOSED_PORT}/proctor"
    response = sqlite_app(DATABASE_URL=url).test_client().get("/readyz")
    assert _failing(response) == {"database", "migrations"}
    assert response.json["checks"]["database"]["detail"] == "no answer (OperationalError)"
    body = response.get_data(as_text=True)
    for secret in (SECRET, url, "proctor:", f":{CLOSED_PORT}"):
        assert secret not in body


def test_a_database_that_does_not_answer_in_time_is_named_within_the_probe_timeout(postgres_url):
    app = create_app(_config(postgres_url))
    locker = sa.create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg2://", 1))
    try:
        with locker.connect() as conn:
            conn.execute(sa.text("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE"))  # held until rollback
            started = time.monotonic()
            response = app.test_client().get("/readyz")
            elapsed = time.monotonic() - started
            conn.rollback()
    finally:
        locker.dispose()
    assert _failing(response) == {"database", "migrations"}
    assert response.json["checks"]["database"]["detail"] == "no answer (QueryCanceled)"
    assert elapsed < 3 * PROBE_TIMEOUT_SECONDS


def test_a_database_behind_the_migrations_head_is_named(app, client):
    script = ScriptDirectory(MIGRATIONS)
    head = script.get_revision(script.get_current_head())
    set_version = sa.text("UPDATE alembic_version SET version_num = :v")
    db.session.execute(set_version, {"v": head.down_revision})
    db.session.commit()
    try:
        response = client.get("/readyz")
    finally:
        db.session.execute(set_version, {"v": head.revision})
        db.session.commit()
    assert _failing(response) == {"migrations"}
    assert response.json["checks"]["migrations"]["detail"] == f"at {head.down_revision}, head is {head.revision}"
    assert client.get("/readyz").status_code == 200


def test_an_unreachable_redis_is_named_without_its_password(sqlite_app):
    url = f"redis://:{SECRET}@127.0.0.1:{CLOSED_PORT}/0"
    response = sqlite_app(REDIS_URL=url).test_client().get("/readyz")
    assert _failing(response) == {"redis"}
    body = response.get_data(as_text=True)
    assert SECRET not in body and url not in body


def test_a_background_job_whose_last_tick_is_old_is_named(sqlite_app):
    app = sqlite_app(BACKGROUND_JOBS=True)
    readiness = app.extensions["readiness"]
    readiness.clock = lambda: 10_000.0
    ticks = background.last_ticks(app)
    for name, _, _ in background.JOBS:
        ticks[name] = 9_999.0
    client = app.test_client()
    assert client.get("/readyz").status_code == 200

    ticks["sweeper"] = 10_000.0 - 31  # the sweeper ticks every second; stale after 30 s (the floor)
    response = client.get("/readyz")
    assert _failing(response) == {"background"}
    assert response.json["checks"]["background"]["detail"] == "sweeper last ticked 31s ago (limit 30s)"


def test_background_jobs_that_never_started_are_named(sqlite_app):
    response = sqlite_app(BACKGROUND_JOBS=True).test_client().get("/readyz")
    assert _failing(response) == {"background"}
    assert "sweeper not started" in response.json["checks"]["background"]["detail"]


def test_each_run_of_a_job_records_its_tick(sqlite_app):
    app = sqlite_app(BACKGROUND_JOBS=True)
    stop = threading.Event()

    def job(app):
        stop.set()  # one run, then the loop ends
        raise RuntimeError("a failed run ticks too: the loop is alive")

    before = time.monotonic()
    background._run(app, "sweeper", 1.0, job, stop)
    assert background.last_ticks(app)["sweeper"] >= before


def test_readyz_is_cheap(client):
    client.get("/readyz")  # the probe engine's first connection
    durations = []
    for _ in range(20):
        started = time.perf_counter()
        assert client.get("/readyz").status_code == 200
        durations.append(time.perf_counter() - started)
    median_ms = statistics.median(durations) * 1000
    print(f"/readyz median {median_ms:.1f} ms over 20 probes")
    assert median_ms < 50


def test_a_database_a_newer_release_migrated_is_ready(app, client):
    # The previous release keeps serving for one deploy while the next one has migrated (README, Upgrades).
    script = ScriptDirectory(MIGRATIONS)
    set_version = sa.text("UPDATE alembic_version SET version_num = :v")
    db.session.execute(set_version, {"v": "9999_newer"})
    db.session.commit()
    try:
        response = client.get("/readyz")
    finally:
        db.session.execute(set_version, {"v": script.get_current_head()})
        db.session.commit()
    assert response.status_code == 200, response.json
    assert response.json["checks"]["migrations"]["detail"] == (
        f"at 9999_newer, newer than this release's head {script.get_current_head()}")
