"""Fixtures: the app on SQLite and on PostgreSQL (migrated by Alembic), a test LTI platform over
real HTTP, and LtiLaunch, which plays the browser through OIDC login and launch."""

import json
import os
import re
import shutil
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import redis
import sqlalchemy as sa
from flask_migrate import upgrade

from lti_tool import create_app
from lti_tool.db import db
from lti_tool.launch import platforms
from tests import pgbouncer as pgbouncer_launcher
from tests.lti_platform import CLIENT_ID, DEPLOYMENT_ID, LEARNER, SigningKey, TestPlatform
from tests.redis_cluster import RedisCluster

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Databases are created and dropped here, always directly (pgbouncer cannot CREATE DATABASE).
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# CI sets this: a service that cannot be reached there is a failure, not a skip.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = "/usr/bin/chromium"
TOOL_BASE_URL = "https://localhost"
MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "migrations")
# Under --pgbouncer: the transactions pgbouncer carried to the run's database, for the summary line.
PGBOUNCER_TRANSACTIONS = pytest.StashKey[int]()


def _config(database_url, **extra):
    return {"APP_ENV": "test", "DATABASE_URL": database_url, "TOOL_BASE_URL": TOOL_BASE_URL, **extra}


def _migrate(database_url):
    app = create_app(_config(database_url))
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()


def _admin_engine():
    url = POSTGRES_ADMIN_URL.replace("postgresql://", "postgresql+psycopg2://", 1)
    return sa.create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})


def pytest_addoption(parser):
    parser.addoption("--pgbouncer", action="store_true",
                     help="the tool reaches PostgreSQL through a throwaway pgbouncer in transaction pooling mode")


@pytest.fixture(scope="session")
def pgbouncer():
    """A throwaway pgbouncer (transaction pooling) in front of the test PostgreSQL."""
    if not os.path.exists(pgbouncer_launcher.BINARY):
        if REQUIRE_SERVICES:
            pytest.fail(f"pgbouncer is required but {pgbouncer_launcher.BINARY} is not installed")
        pytest.skip(f"pgbouncer absent: {pgbouncer_launcher.BINARY} not installed")
    with pgbouncer_launcher.running(POSTGRES_ADMIN_URL) as bouncer:
        yield bouncer


@pytest.fixture(scope="session")
def postgres_database_url(request):
    """The URL the tool uses for a database of the test server, by name: direct, or through pgbouncer under
    --pgbouncer."""
    if request.config.getoption("pgbouncer"):
        return request.getfixturevalue("pgbouncer").url
    return lambda name: POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    _migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url(request):
    """A fresh, migrated PostgreSQL database for this run, dropped at the end."""
    engine = _admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    except sa.exc.OperationalError as exc:
        if REQUIRE_SERVICES:
            pytest.fail(f"PostgreSQL is required but not reachable at {POSTGRES_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}")
    name = f"proctor_test_{uuid.uuid4().hex[:10]}"
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = request.getfixturevalue("postgres_database_url")(name)
    _migrate(url)
    yield url
    if request.config.getoption("pgbouncer"):
        request.config.stash[PGBOUNCER_TRANSACTIONS] = request.getfixturevalue("pgbouncer").transactions(name)
    with engine.connect() as conn:
        conn.execute(sa.text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"
        ), {"name": name})
        conn.execute(sa.text(f'DROP DATABASE "{name}"'))
    engine.dispose()


@pytest.fixture(scope="session")
def redis_url():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        if REQUIRE_SERVICES:
            pytest.fail(f"Redis is required but not reachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    finally:
        client.close()
    return REDIS_URL


def need_redis_server():
    """Skip (fail under REQUIRE_SERVICES) a test that starts its own redis-server where there is none."""
    if not shutil.which("redis-server"):
        if REQUIRE_SERVICES:
            pytest.fail("redis-server is required (the test starts its own) but not installed")
        pytest.skip("redis-server is not installed (the test starts its own)")


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory):
    """A throwaway 3-master Redis Cluster (tests/redis_cluster.py) for this run, stopped at the end."""
    need_redis_server()
    cluster = RedisCluster(tmp_path_factory.mktemp("redis-cluster"))
    yield cluster
    cluster.stop()


@pytest.fixture(params=["redis", "redis-cluster"])
def bus_env(request):
    """The environment that gives a server of the tool its bus: the machine's Redis, or the run's Redis Cluster."""
    if request.param == "redis":
        return {"REDIS_URL": request.getfixturevalue("redis_url")}
    return {"REDIS_URL": request.getfixturevalue("redis_cluster").url, "REDIS_CLUSTER": "1"}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Each test runs on both databases, each time from an empty, migrated schema."""
    if request.param == "sqlite":
        path = tmp_path / "tool.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    with engine.begin() as conn:
        tables = [t.name for t in db.metadata.sorted_tables]
        # TRUNCATE, unlike DELETE, does not fire the audit log's append-only row triggers.
        conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def app(database_url):
    app = create_app(_config(database_url))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def platform_key():
    """One platform signing key for the run: RSA key generation is the slowest part of a test."""
    return SigningKey()


@pytest.fixture
def test_platform(platform_key):
    platform = TestPlatform(platform_key).start()
    yield platform
    platform.stop()


@pytest.fixture
def registered_platform(app, test_platform):
    """The test platform, registered with the tool as an admin would with the CLI."""
    platforms.save(
        issuer=test_platform.issuer, client_id=CLIENT_ID, name="Test platform",
        auth_login_url=test_platform.auth_url, token_url=test_platform.token_url,
        jwks_url=test_platform.jwks_url, deployment_ids=[DEPLOYMENT_ID], allow_http=True,
    )
    db.session.commit()
    return test_platform


class LtiLaunch:
    """Plays the user's browser: OIDC login at the tool, id_token from the platform, launch POST."""

    def __init__(self, client, platform):
        self.client = client
        self.platform = platform

    def login(self, **params):
        """Start a login; return (state, nonce) from the tool's redirect to the platform."""
        query = {"iss": self.platform.issuer, "login_hint": "hint-1", "client_id": CLIENT_ID,
                 "target_link_uri": f"{TOOL_BASE_URL}/lti/launch", "lti_deployment_id": DEPLOYMENT_ID, **params}
        response = self.client.get("/lti/login", query_string=query, base_url=TOOL_BASE_URL)
        assert response.status_code == 302, response.get_data(as_text=True)
        location = urlsplit(response.headers["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == self.platform.auth_url
        auth = {k: v[0] for k, v in parse_qs(location.query).items()}
        assert auth["redirect_uri"] == f"{TOOL_BASE_URL}/lti/launch"
        return auth["state"], auth["nonce"]

    def post(self, id_token, state, **extra):
        return self.client.post("/lti/launch", data={"id_token": id_token, "state": state, **extra},
                                base_url=TOOL_BASE_URL)

    def launch(self, roles=(LEARNER,), **claims):
        """A full, valid launch; returns the tool's response."""
        state, nonce = self.login()
        token = self.platform.sign(self.platform.claims(nonce=nonce, roles=list(roles), **claims))
        return self.post(token, state)

    def token_for(self, roles=(LEARNER,), **claims):
        """Launch and return the launch token and landing URL the tool handed to the page."""
        response = self.launch(roles, **claims)
        assert response.status_code == 200, response.get_data(as_text=True)
        return launch_data(response)


def launch_data(response):
    """The token and landing page the tool's enter page carries."""
    match = re.search(r'<script type="application/json" id="launch-data">(.*?)</script>',
                      response.get_data(as_text=True), re.S)
    assert match, "the launch did not render the enter page"
    return json.loads(match.group(1))


@pytest.fixture
def lti(client, registered_platform):
    return LtiLaunch(client, registered_platform)


@pytest.fixture(autouse=True)
def _no_session_state_behind_pgbouncer(request):
    """Under --pgbouncer: a test on PostgreSQL leaves no server connection carrying session state (a SET, an
    advisory lock, a prepared statement...), which transaction pooling would hand to another client."""
    if not (request.config.getoption("pgbouncer") and "postgres" in request.keywords):
        yield
        return
    bouncer = request.getfixturevalue("pgbouncer")
    database = urlsplit(request.getfixturevalue("postgres_url")).path.lstrip("/")
    yield
    dirty = {pid: found for pid, found in bouncer.session_state(database).items() if found}
    if dirty:
        bouncer.console(f"RECONNECT {database}")  # so the next test starts clean and only this one fails
    assert not dirty, f"server connections behind pgbouncer keep session state: {dirty}"


def pytest_collection_modifyitems(items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if {"redis_url", "redis_cluster", "redis_sentinel", "bus_env"} & fixtures:
            item.add_marker("redis")
        if "postgres_url" in fixtures or "[postgresql" in item.nodeid:
            item.add_marker("postgres")


def pytest_terminal_summary(terminalreporter):
    """Say plainly how many PostgreSQL, Redis and browser tests ran, so CI shows they were not skipped."""
    def count(outcome, predicate):
        # A pass is reported for the call; a skip usually at setup (a fixture skipped it).
        return sum(1 for report in terminalreporter.stats.get(outcome, [])
                   if (outcome == "skipped" or report.when == "call") and predicate(report))

    def on_postgres(report):
        return "postgres" in report.keywords

    def in_browser(report):
        return "browser" in report.keywords

    def on_redis(report):
        return "redis" in report.keywords

    if terminalreporter.config.getoption("pgbouncer") and not os.path.exists(pgbouncer_launcher.BINARY):
        terminalreporter.write_line(f"This pass was to go through pgbouncer, but {pgbouncer_launcher.BINARY} is "
                                    "not installed: nothing went through it.")
    elif terminalreporter.config.getoption("pgbouncer"):
        transactions = terminalreporter.config.stash.get(PGBOUNCER_TRANSACTIONS, 0)
        terminalreporter.write_line(
            f"This pass reached PostgreSQL through {pgbouncer_launcher.version()} in transaction pooling mode "
            f"({transactions} transactions carried to the tests' database).")
    terminalreporter.write_line(
        f"PostgreSQL-backed tests: {count('passed', on_postgres)} passed, {count('skipped', on_postgres)} skipped; "
        f"Redis-backed tests: {count('passed', on_redis)} passed, {count('skipped', on_redis)} skipped; "
        f"browser tests: {count('passed', in_browser)} passed, {count('skipped', in_browser)} skipped"
    )


# Here, not in tests/e2e: one Playwright for the whole session, shared by every directory whose tests drive Chromium
# (a second sync Playwright in the same process fails: "using Playwright Sync API inside the asyncio loop").
@pytest.fixture(scope="session")
def playwright():
    """One Playwright for the session: every browser of the tests is launched from it."""
    if not shutil.which("chromium") and not os.path.exists(CHROMIUM):
        if REQUIRE_SERVICES:
            pytest.fail("Chromium is required but /usr/bin/chromium is not installed")
        pytest.skip("Chromium absent: /usr/bin/chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright
