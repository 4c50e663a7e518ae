"""Every forged or broken launch is refused with a 4xx page naming the failed check; none is a 500."""

import base64
import json
import re
import time

import jwt
import pytest
from sqlalchemy import func, select

from lti_tool.db import db
from lti_tool.identity.models import User
from lti_tool.launch import http, registry
from lti_tool.launch.models import Platform
from tests.hostile_http import MIB, endless, json_answer
from tests.lti_platform import LEARNER, SigningKey


def failed_check(response):
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True))
    match = re.search(r'data-check="([a-z_]+)"', response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)
    return match.group(1)


def claims_for(lti, nonce, **overrides):
    return lti.platform.claims(nonce=nonce, roles=[LEARNER], **overrides)


def test_replayed_id_token_and_state_is_refused(lti):
    state, nonce = lti.login()
    token = lti.platform.sign(claims_for(lti, nonce))
    assert lti.post(token, state).status_code == 200
    replay = lti.post(token, state)
    assert replay.status_code == 403
    assert failed_check(replay) == "replay"
    assert "already used" in replay.get_data(as_text=True)


def test_tampered_signature_is_refused(lti):
    state, nonce = lti.login()
    header, body, signature = lti.platform.sign(claims_for(lti, nonce)).split(".")
    tampered = lti.platform.sign(claims_for(lti, nonce, sub="admin")).split(".")[1]
    response = lti.post(f"{header}.{tampered}.{signature}", state)
    assert failed_check(response) == "signature"
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_signature_by_another_key_with_the_platforms_kid_is_refused(lti):
    state, nonce = lti.login()
    token = lti.platform.sign(claims_for(lti, nonce), key=SigningKey(), kid=lti.platform.key.kid)
    assert failed_check(lti.post(token, state)) == "signature"


@pytest.mark.parametrize(("claim", "value", "check"), [
    ("aud", "another-tool", "registration"),
    ("iss", "https://evil.example", "registration"),
])
def test_wrong_audience_or_issuer_is_refused(lti, claim, value, check):
    state, nonce = lti.login()
    token = lti.platform.sign(claims_for(lti, nonce, **{claim: value}))
    assert failed_check(lti.post(token, state)) == check


def test_audience_list_without_matching_azp_is_refused(lti):
    state, nonce = lti.login()
    token = lti.platform.sign(claims_for(lti, nonce, aud=["test-client", "other"], azp="other"))
    assert failed_check(lti.post(token, state)) == "audience"


def test_expired_launch_is_refused(lti):
    state, nonce = lti.login()
    past = int(time.time()) - 3600
    token = lti.platform.sign(claims_for(lti, nonce, iat=past - 300, exp=past))
    response = lti.post(token, state)
    assert response.status_code == 401
    assert failed_check(response) == "expired"


def test_alg_none_is_refused(lti):
    state, nonce = lti.login()
    response = lti.post(lti.platform.sign_none(claims_for(lti, nonce)), state)
    assert failed_check(response) == "algorithm"


def test_hs256_signed_with_the_public_key_is_refused(lti):
    state, nonce = lti.login()
    response = lti.post(lti.platform.sign_hs256_with_public_key(claims_for(lti, nonce)), state)
    assert failed_check(response) == "algorithm"


def test_unknown_kid_refetches_the_platform_jwks_once(lti):
    lti.token_for()  # the tool now caches the platform's keys
    fetched = lti.platform.jwks_requests
    state, nonce = lti.login()
    token = lti.platform.sign(claims_for(lti, nonce), kid="nobody-publishes-this")
    assert failed_check(lti.post(token, state)) == "signature"
    # Fetched before, less than 30 s ago: an unknown kid does not hammer the platform.
    assert lti.platform.jwks_requests == fetched


def test_platform_key_rotation_is_picked_up_by_one_refetch(lti, app):
    lti.token_for()
    assert lti.platform.jwks_requests == 1
    lti.platform.rotate()
    from lti_tool.launch.models import Platform
    platform = db.session.scalar(select(Platform))
    platform.jwks_fetched_at = platform.jwks_fetched_at.replace(year=2000)
    registry.changed()  # as the tool's own writes of the platform do: the workers' copies are dropped
    db.session.commit()
    assert lti.launch().status_code == 200
    assert lti.platform.jwks_requests == 2
    assert lti.launch().status_code == 200
    assert lti.platform.jwks_requests == 2


def test_platform_jwks_down_is_a_clear_4xx(lti):
    lti.platform.fail_jwks = True
    state, nonce = lti.login()
    response = lti.post(lti.platform.sign(claims_for(lti, nonce)), state)
    assert failed_check(response) == "jwks"
    assert "could not be fetched" in response.get_data(as_text=True)


def test_unknown_deployment_is_refused(lti):
    state, nonce = lti.login()
    claims = claims_for(lti, nonce)
    claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = "not-registered"
    response = lti.post(lti.platform.sign(claims), state)
    assert response.status_code == 403
    assert failed_check(response) == "deployment"


def test_wrong_state_is_refused(lti):
    state, nonce = lti.login()
    response = lti.post(lti.platform.sign(claims_for(lti, nonce)), "state-forged")
    assert failed_check(response) == "state"


def test_state_from_another_browser_is_refused(lti, client):
    state, nonce = lti.login()
    client.delete_cookie(f"lti1p3-{state}", path="/lti/", domain="localhost")
    response = lti.post(lti.platform.sign(claims_for(lti, nonce)), state)
    # No cookie and no platform storage: the tool offers a new window instead of launching.
    assert response.status_code == 401
    assert "Open the tool in a new window" in response.get_data(as_text=True)


def test_wrong_nonce_is_refused(lti):
    state, _ = lti.login()
    response = lti.post(lti.platform.sign(claims_for(lti, "a-nonce-the-tool-never-issued")), state)
    assert failed_check(response) == "nonce"


def test_malformed_id_token_is_refused(lti):
    state, _ = lti.login()
    assert failed_check(lti.post("not-a-jwt", state)) == "format"


def test_missing_id_token_is_refused(lti, client):
    state, _ = lti.login()
    response = client.post("/lti/launch", data={"state": state}, base_url="https://localhost")
    assert failed_check(response) == "id_token"


def test_login_from_unregistered_platform_is_refused(client, app):
    response = client.get("/lti/login", query_string={"iss": "https://unknown.example", "login_hint": "x"})
    assert failed_check(response) == "registration"
    assert "not registered" in response.get_data(as_text=True)


def test_login_without_login_hint_is_refused(lti, client):
    response = client.get("/lti/login", query_string={"iss": lti.platform.issuer})
    assert failed_check(response) == "login"


def test_launch_without_course_is_refused(lti):
    state, nonce = lti.login()
    claims = claims_for(lti, nonce)
    del claims["https://purl.imsglobal.org/spec/lti/claim/context"]
    assert failed_check(lti.post(lti.platform.sign(claims), state)) == "context"


def test_role_without_access_gets_a_403_naming_the_roles(lti):
    state, nonce = lti.login()
    claims = lti.platform.claims(nonce=nonce, roles=["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty"])
    response = lti.post(lti.platform.sign(claims), state)
    assert response.status_code == 403
    assert "institution/person#Faculty" in response.get_data(as_text=True)


def test_refusals_answer_json_to_api_clients(lti, client):
    state, _ = lti.login()
    response = client.post("/lti/launch", data={"state": state, "id_token": "x.y"},
                           headers={"Accept": "application/json"}, base_url="https://localhost")
    assert response.status_code == 400
    assert response.json["error"]["check"] == "format"


def test_a_token_without_kid_is_refused(lti):
    state, nonce = lti.login()
    token = jwt.encode(claims_for(lti, nonce), lti.platform.key.private_pem, algorithm="RS256")
    assert failed_check(lti.post(token, state)) == "kid"


@pytest.mark.parametrize(("claim", "value"), [
    ("https://purl.imsglobal.org/spec/lti/claim/context", "course-1"),
    ("https://purl.imsglobal.org/spec/lti/claim/resource_link", ["link-1"]),
    ("https://purl.imsglobal.org/spec/lti/claim/roles", "Learner"),
    ("https://purl.imsglobal.org/spec/lti/claim/custom", "exam_id=1"),
    ("https://purl.imsglobal.org/spec/lti-ags/claim/endpoint", 7),
    ("sub", {"id": 1}),
    ("email", ["a@b"]),
])
def test_signed_claims_of_the_wrong_type_are_refused_not_a_500(lti, claim, value):
    state, nonce = lti.login()
    response = lti.post(lti.platform.sign(claims_for(lti, nonce, **{claim: value})), state)
    assert failed_check(response) in ("message", "claims")
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize(("claim", "value"), [("iat", "yesterday"), ("exp", None), ("iat", 10**10)])
def test_missing_or_odd_time_claims_are_refused(lti, claim, value):
    state, nonce = lti.login()
    claims = claims_for(lti, nonce, **{claim: value})
    if value is None:
        del claims[claim]
    assert failed_check(lti.post(lti.platform.sign(claims), state)) == "claims"


def test_a_payload_that_is_not_a_json_object_is_refused(lti):
    state, _ = lti.login()
    header = lti.platform.sign({"x": 1}).split(".")[0]
    body = base64.urlsafe_b64encode(b'["not", "an", "object"]').rstrip(b"=").decode()
    assert failed_check(lti.post(f"{header}.{body}.c2ln", state)) == "format"


# --- the platform's key set: bounded, and checked before it is stored (issue 19) -----------------------------

def _publish_keys_at(url):
    platform = db.session.scalar(select(Platform))
    platform.jwks_url = url
    db.session.commit()


def _stored_keys():
    db.session.expire_all()
    return db.session.scalar(select(Platform.jwks_cache))


@pytest.mark.parametrize("setting", [{"OUTBOUND_ALLOWED_NETWORKS": ()}, {"ALLOW_INSECURE_PLATFORMS": False}],
                         ids=["loopback not allowed", "plain http not allowed"])
def test_keys_at_an_address_or_scheme_the_tool_may_not_call_are_never_fetched(app, lti, setting):
    """Production's settings: the test platform (http on 127.0.0.1) is then out of reach before any request."""
    state, nonce = lti.login()
    app.config.update(setting)
    response = lti.post(lti.platform.sign(claims_for(lti, nonce)), state)
    assert failed_check(response) == "jwks"
    assert "127.0.0.1" not in response.get_data(as_text=True)
    assert lti.platform.jwks_requests == 0


def test_a_400_mb_key_set_is_cut_at_the_cap_and_not_stored(lti, hostile):
    """The security review's attack: the platform's real key, then copies of it, 400 MB in all."""
    key = json.dumps(lti.platform.key.jwk()).encode()
    hostile.route("/jwks", endless(prefix=b'{"keys": [' + key, filler=b", " + key, suffix=b"]}", total=400 * MIB))
    _publish_keys_at(hostile.url("/jwks"))
    state, nonce = lti.login()
    response = lti.post(lti.platform.sign(claims_for(lti, nonce)), state)
    assert failed_check(response) == "jwks"
    assert "could not be fetched" in response.get_data(as_text=True)
    assert hostile.sent < http.KEY_SET.max_bytes + 2 * MIB
    assert _stored_keys() is None


@pytest.mark.parametrize("published", [
    lambda key: {"keys": [{"kty": "RSA", "kid": str(n), "n": "AQAB", "e": "AQAB"} for n in range(1000)]},
    lambda key: {"keys": [{**key, "d": "AQAB"}]},
    lambda key: {"keys": [key, {"kty": "EC", "kid": "ec-1", "crv": "P-256", "x": "AQAB", "y": "AQAB"}]},
], ids=["1000 keys", "a private key member", "a key that is not RSA"])
def test_a_key_set_of_the_wrong_shape_is_refused_and_not_stored(lti, hostile, published):
    hostile.route("/jwks", json_answer(published(lti.platform.key.jwk())))
    _publish_keys_at(hostile.url("/jwks"))
    state, nonce = lti.login()
    assert failed_check(lti.post(lti.platform.sign(claims_for(lti, nonce)), state)) == "jwks"
    assert _stored_keys() is None
