"""Token and AGS requests to the demo platform, made as the tool's service client makes them."""

import time
import uuid

import jwt

from lti_tool.launch import keys

from .browser import DEMO

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


def client_assertion(key=None, **changes):
    """A client assertion as pylti1p3 makes it, signed with the tool's current key by default."""
    key = key or keys.current()
    now = int(time.time())
    claims = {"iss": "proctor-lti-demo", "sub": "proctor-lti-demo", "aud": "http://127.0.0.1/demo/token",
              "iat": now - 5, "exp": now + 60, "jti": str(uuid.uuid4())}
    claims.update(changes)
    return jwt.encode(claims, key.private_key_pem, algorithm="RS256", headers={"kid": key.kid})


def request_token(client, scope, assertion=None):
    return client.post("/demo/token", base_url=DEMO, data={
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion or client_assertion(),
        "scope": scope,
    })


def bearer(client, *scopes):
    response = request_token(client, " ".join(scopes))
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def score(user_id="demo-user-ada-lovelace", timestamp="2030-01-01T10:00:00+00:00", **changes):
    body = {"userId": user_id, "scoreGiven": 80, "scoreMaximum": 100, "activityProgress": "Completed",
            "gradingProgress": "FullyGraded", "timestamp": timestamp}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def post_score(client, item_id, body, headers):
    return client.post(f"/demo/ags/lineitems/{item_id}/scores", base_url=DEMO, json=body,
                       headers={**headers, "Content-Type": SCORE_TYPE})
