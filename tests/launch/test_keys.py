"""The tool's keys: JWKS publishes current and previous; rotation breaks no launch in flight."""

import jwt
from sqlalchemy import select

from lti_tool.db import db
from lti_tool.launch import keys
from lti_tool.launch.models import ToolKey


def test_jwks_is_an_unwrapped_key_set_with_kids(client):
    body = client.get("/lti/jwks").json
    [key] = body["keys"]
    assert set(body) == {"keys"}
    assert key["kid"] and key["alg"] == "RS256" and key["use"] == "sig" and key["kty"] == "RSA"
    assert "d" not in key  # never the private part


def test_rotate_key_keeps_the_previous_key_published(client, runner):
    first = client.get("/lti/jwks").json["keys"][0]["kid"]
    result = runner.invoke(args=["lti", "rotate-key"])
    assert result.exit_code == 0, result.output
    kids = [k["kid"] for k in client.get("/lti/jwks").json["keys"]]
    assert len(kids) == 2 and kids[1] == first
    assert keys.current().kid == kids[0]
    runner.invoke(args=["lti", "rotate-key"])
    kids_after = [k["kid"] for k in client.get("/lti/jwks").json["keys"]]
    assert first not in kids_after and len(kids_after) == 2
    retired = db.session.scalar(select(ToolKey).filter_by(kid=first))
    assert retired.retired_at is not None


def test_a_message_signed_before_rotation_still_verifies_after_it(client, runner):
    key = keys.current()
    token = jwt.encode({"iss": "tool"}, key.private_key_pem, algorithm="RS256", headers={"kid": key.kid})
    runner.invoke(args=["lti", "rotate-key"])
    published = {k["kid"]: k for k in client.get("/lti/jwks").json["keys"]}
    assert jwt.decode(token, jwt.PyJWK(published[key.kid]).key, algorithms=["RS256"]) == {"iss": "tool"}
