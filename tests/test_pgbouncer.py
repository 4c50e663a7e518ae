"""Behind pgbouncer in transaction pooling mode, a server connection goes to another client after every
transaction, with whatever session state it carries. The pgbouncer pass (`pytest --pgbouncer -m postgres`)
checks after each test that the tool left none; these tests show that check finds each kind, and that the
tool's own session-sensitive paths (the readiness probe's statement timeout, the sweeper's row locks) leave none."""

import psycopg2
import pytest

from lti_tool import background, create_app
from lti_tool.db import db
from tests.conftest import POSTGRES_ADMIN_URL, _config

DATABASE = POSTGRES_ADMIN_URL.rsplit("/", 1)[1]

pytestmark = pytest.mark.postgres


@pytest.fixture
def bouncer(postgres_url, pgbouncer):
    """The session's pgbouncer, its server connections to the admin database dropped after the test."""
    yield pgbouncer
    pgbouncer.console(f"RECONNECT {DATABASE}")


@pytest.mark.parametrize(("statement", "found"), [
    ("SET work_mem = '5MB'", "setting: work_mem = 5120"),
    ("SELECT pg_advisory_lock(17)", "advisory lock: 17"),
    ("PREPARE answers AS SELECT 1", "prepared statement: answers"),
    ("LISTEN attempts", "listen: attempts"),
    ("CREATE TEMPORARY TABLE scratch (id int)", "temporary table: scratch"),
    ("DECLARE held CURSOR WITH HOLD FOR SELECT 1", "cursor: held"),
])
def test_the_check_finds_session_state_a_server_connection_would_hand_on(bouncer, statement, found):
    client = psycopg2.connect(bouncer.url(DATABASE))
    with client.cursor() as cursor:
        cursor.execute(statement)
    client.commit()
    client.close()  # the client has gone; its server connection, and what it set, stay in the pool

    leftovers = [item for items in bouncer.session_state(DATABASE).values() for item in items]
    assert found in leftovers


def test_what_set_local_sets_ends_with_its_transaction(bouncer):
    client = psycopg2.connect(bouncer.url(DATABASE))
    with client.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 1500")
        cursor.execute("SELECT pg_advisory_xact_lock(17)")
    client.commit()
    client.close()

    assert all(items == [] for items in bouncer.session_state(DATABASE).values())


def test_the_readiness_probe_and_the_background_jobs_leave_no_session_state(postgres_url, pgbouncer):
    database = postgres_url.rsplit("/", 1)[1]
    app = create_app(_config(pgbouncer.url(database)))
    with app.app_context():
        response = app.test_client().get("/readyz")
        assert response.json["checks"]["database"]["ok"], response.json
        assert response.json["checks"]["migrations"]["ok"], response.json
        for _, _, job in background.JOBS:
            job(app)
            db.session.commit()
        db.session.remove()
        db.engine.dispose()

    assert pgbouncer.transactions(database) > 0
    assert all(items == [] for items in pgbouncer.session_state(database).values())
