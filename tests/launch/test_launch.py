"""A valid launch lands each role on its page, with a launch token for the page."""

import pytest
from sqlalchemy import select

from lti_tool.audit import AuditEntry
from lti_tool.db import db
from lti_tool.identity.models import Course, Membership, ResourceLink, User
from tests.lti_platform import INSTRUCTOR, LEARNER, TEACHING_ASSISTANT


@pytest.mark.parametrize(
    ("roles", "landing", "tool_roles"),
    [
        ((LEARNER,), "/exam/lobby", ["student"]),
        ((INSTRUCTOR,), "/exam/manage", ["test_maker"]),
        ((INSTRUCTOR, TEACHING_ASSISTANT), "/proctor/", ["proctor"]),
    ],
)
def test_each_role_lands_on_its_page(lti, client, roles, landing, tool_roles):
    data = lti.token_for(roles)
    assert data["landing"] == landing
    me = client.get("/api/session", headers={"Authorization": f"Bearer {data['token']}"})
    assert me.status_code == 200
    assert me.json["roles"] == tool_roles
    assert me.json["course"]["title"] == "Course course-1"
    assert me.json["user"]["name"] == "Name of user-1"
    page = client.get(landing)
    assert page.status_code == 200


def test_launch_stores_user_course_membership_link_and_audit(lti):
    lti.token_for((LEARNER,), sub="s-42", context_id="c-9", resource_link_id="rl-3")
    user = db.session.scalar(select(User).filter_by(sub="s-42"))
    course = db.session.scalar(select(Course).filter_by(context_id="c-9"))
    membership = db.session.scalar(select(Membership).filter_by(user_id=user.id, course_id=course.id))
    link = db.session.scalar(select(ResourceLink).filter_by(course_id=course.id, lti_id="rl-3"))
    assert user.email == "s-42@example.edu"
    assert membership.roles == ["student"]
    assert link.lineitem_url.endswith("/lineitems/1/lineitem")
    entry = db.session.scalar(select(AuditEntry).filter_by(action="launch"))
    assert entry.actor_user_id == user.id and entry.course_id == course.id


def test_roles_are_refreshed_on_every_launch(lti):
    lti.token_for((INSTRUCTOR,), sub="u1")
    lti.token_for((LEARNER,), sub="u1")
    user = db.session.scalar(select(User).filter_by(sub="u1"))
    membership = db.session.scalar(select(Membership).filter_by(user_id=user.id))
    assert membership.roles == ["student"]


def test_state_cookie_is_secure_samesite_none_partitioned(lti, client):
    response = client.get("/lti/login", query_string={
        "iss": lti.platform.issuer, "login_hint": "x", "client_id": "test-client",
        "target_link_uri": "https://localhost/lti/launch"}, base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lti1p3-state-")
    for attribute in ("Secure", "HttpOnly", "SameSite=None", "Partitioned", "Path=/lti/"):
        assert attribute in cookie


def test_expired_login_states_and_nonces_are_purged(lti, app):
    from datetime import timedelta

    from lti_tool.db import utcnow
    from lti_tool.launch import services
    from lti_tool.launch.models import LoginState, UsedNonce

    lti.token_for()
    lti.login()
    assert services.purge_expired() == 0
    assert services.purge_expired(now=utcnow() + timedelta(days=2)) == 3  # 2 login states, 1 nonce
    assert db.session.scalar(select(LoginState)) is None
    assert db.session.scalar(select(UsedNonce)) is None


def test_a_plain_get_of_the_launch_address_says_what_it_is(client):
    """Moodle checks the launch URL with a GET when a teacher saves the activity."""
    page = client.get("/lti/launch")
    assert page.status_code == 200
    assert "launch address" in page.get_data(as_text=True)
    assert "open the exam from there" in page.get_data(as_text=True)
