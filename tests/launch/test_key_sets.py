"""The shape of a platform key set the tool accepts (lti_tool/launch/key_sets.py)."""

import json

import pytest
from jwcrypto.jwk import JWK

from lti_tool.launch import key_sets


@pytest.fixture(scope="module")
def rsa_key():
    return json.loads(JWK.generate(kty="RSA", size=2048).export_public())


def test_rsa_public_keys_are_kept_with_only_the_members_the_tool_uses(rsa_key):
    published = {**rsa_key, "kid": "k1", "alg": "RS256", "use": "sig", "x5c": ["MII" + "A" * 2000]}
    assert key_sets.checked({"keys": [published]}) == {
        "keys": [{"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig", "n": rsa_key["n"], "e": rsa_key["e"]}]}


@pytest.mark.parametrize("document, why", [
    ([], "not a JWKS document"),
    ({"keys": {}}, "not a JWKS document"),
    ({"keys": []}, "0 keys"),
    ({"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}] * 1000}, "1000 keys"),
    ({"keys": ["key"]}, "not a JSON object"),
    ({"keys": [{"kty": "EC", "crv": "P-256", "x": "AQAB", "y": "AQAB"}]}, "not RSA"),
    ({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}, "not RSA"),
    ({"keys": [{"kty": "RSA", "e": "AQAB"}]}, "not a usable RSA public key"),
    ({"keys": [{"kty": "RSA", "n": 12345, "e": "AQAB"}]}, "not a string"),
])
def test_anything_but_a_few_rsa_public_keys_is_refused(document, why):
    with pytest.raises(key_sets.InvalidKeySet, match=why):
        key_sets.checked(document)


@pytest.mark.parametrize("member", key_sets.PRIVATE_MEMBERS)
def test_a_key_with_a_private_member_is_refused(rsa_key, member):
    with pytest.raises(key_sets.InvalidKeySet, match=f"private key members \\({member}\\)"):
        key_sets.checked({"keys": [{**rsa_key, member: "AQAB"}]})
