"""The launch token: proves one launch, expires, refreshes while its roles stand, and stays in its course."""

import time

from sqlalchemy import select

from lti_tool.db import db
from lti_tool.identity import tokens
from lti_tool.identity.models import Membership
from tests.lti_platform import INSTRUCTOR, LEARNER


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_api_refuses_requests_without_a_token(client):
    response = client.get("/api/session")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "not_authenticated"


def test_api_refuses_a_forged_token(client, lti):
    token = lti.token_for()["token"]
    forged = tokens.issue(
        tokens.LaunchContext(1, 1, None, ("test_maker",), "x", int(time.time())),
        secret_key="not-the-secret", issuer="https://localhost", ttl=60)
    assert client.get("/api/session", headers=bearer(forged)).status_code == 401
    assert client.get("/api/session", headers=bearer(token + "x")).status_code == 401


def test_expired_token_is_refused(client, app, lti):
    lti.token_for()
    context = tokens.LaunchContext(1, 1, None, ("student",), "x", int(time.time()))
    expired = tokens.issue(context, secret_key=app.config["SECRET_KEY"], issuer=app.config["TOOL_BASE_URL"],
                           ttl=60, now=time.time() - 3600)
    response = client.get("/api/session", headers=bearer(expired))
    assert response.status_code == 401
    assert "expired" in response.json["error"]["message"]


def test_a_demoted_test_makers_refresh_is_refused_not_turned_into_a_student_token(client, lti):
    token = lti.token_for((INSTRUCTOR,), sub="u1")["token"]
    lti.token_for((LEARNER,), sub="u1")  # a newer launch: a Learner only now
    refreshed = client.post("/api/session/refresh", headers=bearer(token))
    assert refreshed.status_code == 403
    assert "changed" in refreshed.json["error"]["message"]


def test_refresh_keeps_the_launchs_roles_and_gains_none(client, lti):
    token = lti.token_for((LEARNER,), sub="u1")["token"]
    membership = db.session.scalar(select(Membership))
    membership.roles = ["test_maker", "student"]  # e.g. the roster lists them as an Instructor too
    db.session.commit()
    refreshed = client.post("/api/session/refresh", headers=bearer(token))
    assert refreshed.status_code == 200
    me = client.get("/api/session", headers=bearer(refreshed.json["token"]))
    assert me.json["roles"] == ["student"]


def test_refresh_is_refused_after_the_session_limit(client, app, lti):
    token = lti.token_for()["token"]
    app.config["LAUNCH_SESSION_MAX"] = -1
    response = client.post("/api/session/refresh", headers=bearer(token))
    assert response.status_code == 401


def test_refresh_is_refused_when_roles_were_revoked(client, lti):
    token = lti.token_for()["token"]
    membership = db.session.scalar(select(Membership))
    membership.roles = []
    db.session.commit()
    assert client.post("/api/session/refresh", headers=bearer(token)).status_code == 403


def test_student_token_cannot_list_exams(client, lti):
    token = lti.token_for((LEARNER,))["token"]
    response = client.get("/api/exams", headers=bearer(token))
    assert response.status_code == 403
