"""The roster from the platform (NRPS): students who never launched appear, with mapped roles."""

import json

from sqlalchemy import select

from lti_tool.db import db
from lti_tool.identity.models import Membership, User
from lti_tool.launch import http
from tests.hostile_http import MIB, endless
from tests.lti_platform import INSTRUCTOR, LEARNER

NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"


def test_roster_refresh_lists_students_who_never_launched(client, lti):
    lti.platform.tool_jwks = client.get("/lti/jwks").json
    lti.platform.members = [
        {"status": "Active", "user_id": "never-launched", "name": "Nora", "email": "nora@example.edu",
         "roles": [LEARNER]},
        {"status": "Inactive", "user_id": "dropped", "name": "Dan", "roles": [LEARNER]},
        {"status": "Active", "user_id": "teacher", "roles": [INSTRUCTOR]},
        "garbage",
    ]
    token = lti.token_for((INSTRUCTOR,), sub="teacher")["token"]
    response = client.post("/api/course/roster/refresh", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.json
    assert response.json == {"listed": 3, "with_access": 2}
    nora = db.session.scalar(select(User).filter_by(sub="never-launched"))
    assert nora.email == "nora@example.edu"
    roles = {u.sub: m.roles for u, m in db.session.execute(
        select(User, Membership).join(Membership, Membership.user_id == User.id))}
    assert roles == {"never-launched": ["student"], "dropped": [], "teacher": ["test_maker"]}


def test_a_student_cannot_refresh_the_roster(client, lti):
    token = lti.token_for((LEARNER,))["token"]
    assert client.post("/api/course/roster/refresh", headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_an_lms_without_roster_service_gets_a_clear_message(client, lti):
    state, nonce = lti.login()
    claims = lti.platform.claims(nonce=nonce, roles=[INSTRUCTOR])
    del claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"]
    from tests.conftest import launch_data
    token = launch_data(lti.post(lti.platform.sign(claims), state))["token"]
    response = client.post("/api/course/roster/refresh", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 409 and "no roster service" in response.json["error"]["message"]


def test_the_roster_never_lowers_a_role_a_launch_gave(client, lti):
    """Moodle launches a non-editing teacher as Instructor and lists them as Learner in NRPS: the launch
    decides. The roster still adds people and marks who has left."""
    lti.platform.tool_jwks = client.get("/lti/jwks").json
    teacher = lti.token_for((INSTRUCTOR,), sub="teacher")["token"]
    lti.token_for((INSTRUCTOR,), sub="non-editing")
    lti.token_for((LEARNER,), sub="leaver")
    lti.platform.members = [
        {"status": "Active", "user_id": "non-editing", "roles": ["Learner"]},
        {"status": "Inactive", "user_id": "leaver", "roles": ["Learner"]},
        {"status": "Active", "user_id": "newcomer", "roles": ["Learner"]},
    ]
    response = client.post("/api/course/roster/refresh", headers={"Authorization": f"Bearer {teacher}"})
    assert response.json == {"listed": 3, "with_access": 2}
    roles = {u.sub: (m.roles, m.lti_roles) for u, m in db.session.execute(
        select(User, Membership).join(Membership, Membership.user_id == User.id))}
    assert roles["non-editing"] == (["test_maker"], [INSTRUCTOR])
    assert roles["leaver"][0] == [] and roles["newcomer"][0] == ["student"]


def test_a_roster_without_end_is_cut_at_the_roster_cap(client, lti, hostile):
    lti.platform.tool_jwks = client.get("/lti/jwks").json
    member = json.dumps({"status": "Active", "user_id": "u-1", "roles": [LEARNER]}).encode()
    hostile.route("/memberships", endless(prefix=b'{"members": [' + member, filler=b", " + member, suffix=b"]}",
                                          total=400 * MIB))
    service = {"context_memberships_url": hostile.url("/memberships"), "service_versions": ["2.0"]}
    token = lti.token_for((INSTRUCTOR,), sub="teacher", **{NRPS_CLAIM: service})["token"]
    response = client.post("/api/course/roster/refresh", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503 and response.json["error"]["code"] == "lms_unavailable"
    assert http.ROSTER.max_bytes < hostile.sent < http.ROSTER.max_bytes + 2 * MIB


def test_roster_entries_the_tool_cannot_store_are_skipped_and_long_names_shortened(client, lti):
    lti.platform.tool_jwks = client.get("/lti/jwks").json
    lti.platform.members = [
        {"user_id": "u" * 256, "name": "Too long an id", "roles": [LEARNER]},
        {"user_id": "nul-in-name", "name": "Ann\x00", "roles": [LEARNER]},
        {"user_id": "long-name", "name": "N" * 400, "email": "x" * 321, "roles": [LEARNER]},
    ]
    token = lti.token_for((INSTRUCTOR,), sub="teacher")["token"]
    response = client.post("/api/course/roster/refresh", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.json
    assert response.json == {"listed": 1, "with_access": 1}
    user = db.session.scalar(select(User).filter_by(sub="long-name"))
    assert (len(user.name), user.email) == (300, None)
    assert db.session.scalar(select(User).filter_by(sub="nul-in-name")) is None
