"""Each worker keeps copies of the registered LMSs and the tool's signing key for its logins and launches
(launch/registry.py). A change made through the tool reaches every worker: this one at once, the others over the
bus when it commits, and none keeps a copy longer than a minute."""

import threading
from urllib.parse import urlsplit

import pytest

from lti_tool import create_app
from lti_tool.db import db
from lti_tool.launch import keys, platforms, registry
from tests.conftest import CLIENT_ID, DEPLOYMENT_ID, TOOL_BASE_URL
from tests.lti_platform import LEARNER, LTI

WAIT_S = 10


def test_a_copy_is_read_again_once_a_minute_old_and_an_unknown_lms_is_never_kept():
    now = [0.0]
    copies = registry.Copies(clock=lambda: now[0])
    reads = []

    def read():
        reads.append(now[0])
        return f"read at {now[0]}"

    assert copies.get("platform", read) == "read at 0.0"
    now[0] = registry.MAX_AGE - 1
    assert copies.get("platform", read) == "read at 0.0"
    now[0] = registry.MAX_AGE + 1
    assert copies.get("platform", read) == f"read at {registry.MAX_AGE + 1}"
    assert len(reads) == 2
    # An LMS not registered yet is looked up again each time: registering it takes effect at once.
    assert copies.get("unknown", lambda: None) is None
    assert "unknown" not in copies.entries


def re_register(lti, **changes):
    """The admin's `flask lti add-platform` over the registered test platform."""
    settings = dict(issuer=lti.platform.issuer, client_id=CLIENT_ID, name="Test platform",
                    auth_login_url=lti.platform.auth_url, token_url=lti.platform.token_url,
                    jwks_url=lti.platform.jwks_url, deployment_ids=[DEPLOYMENT_ID], allow_http=True, replace=True)
    platforms.save(**{**settings, **changes})
    db.session.commit()


def test_an_lms_the_admin_changed_is_read_afresh_at_this_workers_next_login(lti):
    lti.token_for()
    re_register(lti, auth_login_url=lti.platform.auth_url + "/moved")
    response = lti.client.get("/lti/login", base_url=TOOL_BASE_URL, query_string={
        "iss": lti.platform.issuer, "login_hint": "hint-1", "client_id": CLIENT_ID,
        "target_link_uri": f"{TOOL_BASE_URL}/lti/launch"})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/moved"


def test_a_deployment_added_since_the_copy_is_not_refused(lti):
    lti.token_for()
    platform = platforms.find(lti.platform.issuer, CLIENT_ID)
    platforms.add_deployment(platform, "added-later")  # as dynamic registration adds one, without a change
    db.session.commit()
    assert lti.launch(**{LTI + "deployment_id": "added-later"}).status_code == 200
    assert lti.launch(**{LTI + "deployment_id": "never-added"}).status_code == 403


def test_a_rotated_tool_key_signs_from_the_next_use(app):
    first = registry.signing_key(2048)
    assert registry.signing_key(2048) is first  # kept
    rotated = keys.rotate(2048)[0].kid
    assert registry.signing_key(2048).kid == rotated != first.kid
    keys.forget()
    assert registry.signing_key(2048).kid not in (rotated, first.kid)


def test_a_worker_forgets_its_copies_when_it_may_have_missed_a_message(app):
    registry.signing_key(2048)
    copies = app.extensions["launch_registry"]
    assert copies.entries
    app.extensions["bus"]._gap()
    assert not copies.entries


@pytest.fixture
def two_workers(database_url, redis_url, lti):
    """A second worker of the same tool (its own app, same database, the same Redis bus) beside `lti`'s."""
    settings = {"APP_ENV": "test", "DATABASE_URL": database_url, "TOOL_BASE_URL": TOOL_BASE_URL,
                "REDIS_URL": redis_url}
    first, second = create_app(settings), create_app(settings)
    yield first, second
    for app in (first, second):
        app.extensions["bus"].close()
        with app.app_context():
            db.engine.dispose()


def test_a_change_on_one_worker_clears_the_copies_of_another_over_the_bus(lti, two_workers):
    first, second = two_workers
    with second.app_context():
        heard = threading.Event()
        second.extensions["bus"].subscribe(registry.CHANNEL, lambda message: heard.set())
        assert registry.platform_for_login(lti.platform.issuer, CLIENT_ID).name == "Test platform"
        assert registry.signing_key(2048)
    with first.app_context():
        re_register(lti, name="Renamed LMS")
    assert heard.wait(WAIT_S), "the change was not heard on the bus"
    with second.app_context():
        # The second worker's own subscription ran before or with the test's: its copies are gone.
        assert registry.platform_for_login(lti.platform.issuer, CLIENT_ID).name == "Renamed LMS"


def test_a_launch_on_a_worker_that_kept_copies_works_after_a_key_rotation_elsewhere(lti, two_workers):
    first, second = two_workers
    with second.app_context():
        heard = threading.Event()
        second.extensions["bus"].subscribe(registry.CHANNEL, lambda message: heard.set())
        kept = registry.signing_key(2048).kid
    with first.app_context():
        rotated = keys.rotate(2048)[0].kid
    assert heard.wait(WAIT_S)
    with second.app_context():
        assert registry.signing_key(2048).kid == rotated != kept
    assert lti.token_for(roles=(LEARNER,))["token"]
