"""Who may frame the tool: exactly the registered platforms (with Canvas's school hosts), the demo in development
and FRAME_ANCESTORS; never any site. Read once per cache period per worker, and at once after this worker's saves."""

import pytest
from sqlalchemy import event

from lti_tool import create_app
from lti_tool.db import db
from lti_tool.launch import platforms
from tests.conftest import _config

MOODLE = "https://moodle.example.edu"


def frame_ancestors(client):
    policy = client.get("/healthz").headers["Content-Security-Policy"]
    [directive] = [d.split()[1:] for d in policy.split(";") if d.split()[0] == "frame-ancestors"]
    return directive


def register(issuer, auth_login_url, client_id="tool"):
    platforms.save(issuer=issuer, client_id=client_id, name=None, auth_login_url=auth_login_url,
                   token_url=f"{issuer}/token", jwks_url=f"{issuer}/jwks")
    db.session.commit()


@pytest.fixture
def no_demo(app):
    app.config["DEMO_ENABLED"] = False
    return app


def test_with_no_platform_registered_no_other_site_may_frame_the_tool(no_demo, client):
    assert frame_ancestors(client) == ["'self'"]


def test_only_the_registered_platforms_and_the_setting_may_frame_the_tool(no_demo, client):
    no_demo.config["FRAME_ANCESTORS"] = ("https://lms.school.edu",)
    register(MOODLE, f"{MOODLE}/mod/lti/auth.php")
    register("https://lms.example.org", "https://login.example.org:8443/auth")

    assert frame_ancestors(client) == ["'self'", MOODLE, "https://lms.example.org", "https://login.example.org:8443",
                                       "https://lms.school.edu"]


def test_in_development_the_demo_lms_may_frame_the_tool_before_its_first_visit(app, client):
    assert frame_ancestors(client) == ["'self'", "http://127.0.0.1"]  # configs/test.py's DEMO_PLATFORM_URL


@pytest.mark.parametrize("issuer", ["https://canvas.instructure.com", "https://canvas.beta.instructure.com",
                                    "https://canvas.test.instructure.com"])
def test_canvas_frames_the_tool_from_the_schools_instructure_host(no_demo, client, issuer):
    register(issuer, "https://sso.canvaslms.com/api/lti/authorize_redirect")

    assert frame_ancestors(client) == ["'self'", issuer, "https://sso.canvaslms.com", "https://*.instructure.com"]


def test_a_platform_url_a_policy_cannot_name_adds_nothing(no_demo, client):
    register("https://[2001:db8::1]:8443", "https://[2001:db8::1]:8443/auth")

    assert frame_ancestors(client) == ["'self'"]


def test_a_platform_this_worker_saves_may_frame_the_tool_at_once(no_demo, client):
    assert frame_ancestors(client) == ["'self'"]

    register(MOODLE, f"{MOODLE}/mod/lti/auth.php")

    assert frame_ancestors(client) == ["'self'", MOODLE]


def test_a_platform_another_worker_saves_is_seen_once_the_cache_expires(no_demo, client, database_url):
    cache = no_demo.extensions["frame_ancestors"]
    now = [1000.0]
    cache.clock = lambda: now[0]
    assert frame_ancestors(client) == ["'self'"]

    other_worker = create_app(_config(database_url))
    with other_worker.app_context():
        register(MOODLE, f"{MOODLE}/mod/lti/auth.php")
        db.session.remove()
        db.engine.dispose()

    now[0] += cache.ttl - 1
    assert frame_ancestors(client) == ["'self'"]
    now[0] += 1
    assert frame_ancestors(client) == ["'self'", MOODLE]


def test_responses_do_not_query_the_database_for_their_headers(no_demo, client):
    register(MOODLE, f"{MOODLE}/mod/lti/auth.php")
    frame_ancestors(client)
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        for _ in range(20):
            assert frame_ancestors(client) == ["'self'", MOODLE]
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert statements == []


def test_a_rolled_back_platform_change_keeps_the_cached_ancestors(no_demo, client):
    register(MOODLE, f"{MOODLE}/mod/lti/auth.php")
    cached = frame_ancestors(client)
    platforms.find(MOODLE, "tool").auth_login_url = "https://elsewhere.example.com/auth"
    db.session.flush()
    db.session.rollback()

    assert no_demo.extensions["frame_ancestors"].value is not None
    assert frame_ancestors(client) == cached


def test_without_the_database_the_headers_still_forbid_other_sites(caplog):
    from tests.servers import free_port

    app = create_app({"APP_ENV": "test", "DEMO_ENABLED": False,
                      "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{free_port()}/gone"})
    client = app.test_client()

    assert frame_ancestors(client) == ["'self'"]
    assert frame_ancestors(client) == ["'self'"]
    assert caplog.text.count("frame-ancestors not refreshed") == 1
