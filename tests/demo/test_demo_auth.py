"""The demo's OIDC auth endpoint: what it refuses, and the id_token it signs."""

import jwt
import pytest

from lti_tool.demo import hints, keys

from .browser import DEMO, form_fields

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def auth_params(**changes):
    """A valid authentication request for Ada's launch of the default link, with changes."""
    params = {
        "scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
        "client_id": "proctor-lti-demo", "redirect_uri": "https://localhost/lti/launch",
        "state": "state-1", "nonce": "nonce-1",
        "login_hint": hints.login_hint("demo-user-ada-lovelace", "link:demo-link-default"),
        "lti_message_hint": "link:demo-link-default",
    }
    params.update(changes)
    return {k: v for k, v in params.items() if v is not None}


def id_token_claims(response):
    """The verified claims of the id_token an auth page posts."""
    token = form_fields(response.get_data(as_text=True))["id_token"]
    key = jwt.PyJWKSet.from_dict(keys.jwks())[jwt.get_unverified_header(token)["kid"]]
    return jwt.decode(token, key.key, algorithms=["RS256"], audience="proctor-lti-demo",
                      issuer="http://127.0.0.1/demo")


def test_auth_answers_with_a_signed_resource_link_launch(client):
    response = client.get("/demo/auth", query_string=auth_params(), base_url=DEMO)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'action="https://localhost/lti/launch"' in html
    assert '<button type="submit">Continue</button>' in html
    fields = form_fields(html)
    assert fields["state"] == "state-1"
    assert fields["lti_storage_target"] == "_parent"
    claims = id_token_claims(response)
    assert claims["sub"] == "demo-user-ada-lovelace"
    assert claims["nonce"] == "nonce-1"
    assert claims["azp"] == "proctor-lti-demo"
    assert claims["exp"] - claims["iat"] == 300
    assert (claims["name"], claims["email"]) == ("Ada Lovelace", "ada.lovelace@demo.example")
    assert claims[LTI + "message_type"] == "LtiResourceLinkRequest"
    assert claims[LTI + "version"] == "1.3.0"
    assert claims[LTI + "deployment_id"] == "demo-deployment"
    assert claims[LTI + "roles"] == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
    assert claims[LTI + "resource_link"] == {"id": "demo-link-default", "title": "Demo exam (not bound yet)"}
    assert claims[LTI + "context"]["id"] == "demo-course"
    assert claims[LTI + "tool_platform"]["product_family_code"] == "proctor-lti-demo"
    ags = claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]
    assert ags["lineitems"] == "http://127.0.0.1/demo/ags/lineitems"
    assert "lineitem" not in ags
    nrps = claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"]
    assert nrps == {"context_memberships_url": "http://127.0.0.1/demo/nrps/memberships",
                    "service_versions": ["2.0"]}


def test_auth_answers_a_deep_linking_request_for_grace(client):
    params = auth_params(login_hint=hints.login_hint("demo-user-grace-hopper", "deep-linking"),
                         lti_message_hint="deep-linking")

    claims = id_token_claims(client.get("/demo/auth", query_string=params, base_url=DEMO))

    assert claims[LTI + "message_type"] == "LtiDeepLinkingRequest"
    assert LTI + "resource_link" not in claims
    settings = claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"]
    assert settings["deep_link_return_url"] == "http://127.0.0.1/demo/deep-link-return"
    assert settings["accept_types"] == ["ltiResourceLink"]
    assert settings["accept_multiple"] is False
    hints.check_deep_link_data(settings["data"])


@pytest.mark.parametrize(("changes", "check"), [
    ({"login_hint": "eyJzdWIiOiJkZW1vLXVzZXItZ3JhY2UtaG9wcGVyIn0.forged.sig"}, "login_hint"),
    ({"redirect_uri": "http://evil.example/lti/launch"}, "redirect_uri"),
    ({"nonce": None}, "nonce"),
    ({"state": None}, "state"),
    ({"client_id": "someone-else"}, "client_id"),
    ({"response_mode": "query"}, "response_mode"),
    ({"prompt": "login"}, "prompt"),
    ({"lti_message_hint": "deep-linking"}, "lti_message_hint"),
])
def test_auth_refuses_a_bad_request_naming_the_check(client, changes, check):
    response = client.get("/demo/auth", query_string=auth_params(**changes), base_url=DEMO)

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f"Check failed: {check}." in html
    assert "id_token" not in html


def test_auth_refuses_a_hint_signed_with_another_secret(app, client):
    app.config["SECRET_KEY"], real = "another-secret", app.config["SECRET_KEY"]
    forged = hints.login_hint("demo-user-grace-hopper", "link:demo-link-default")
    app.config["SECRET_KEY"] = real

    response = client.get("/demo/auth", query_string=auth_params(login_hint=forged), base_url=DEMO)

    assert response.status_code == 400
    assert "Check failed: login_hint." in response.get_data(as_text=True)


def test_auth_refuses_a_link_that_does_not_exist(client):
    params = auth_params(login_hint=hints.login_hint("demo-user-ada-lovelace", "link:demo-link-99"),
                         lti_message_hint="link:demo-link-99")

    response = client.get("/demo/auth", query_string=params, base_url=DEMO)

    assert response.status_code == 400
    assert "Check failed: lti_message_hint." in response.get_data(as_text=True)


def test_jwks_publishes_the_signing_key(client):
    body = client.get("/demo/jwks", base_url=DEMO).get_json()

    assert [(k["kid"], k["alg"], k["use"], k["kty"]) for k in body["keys"]] == [
        (keys.current().kid, "RS256", "sig", "RSA")
    ]
    assert "d" not in body["keys"][0]


def test_a_launch_in_a_language_sends_it_as_the_lms_users_locale(client):
    hint = hints.login_hint("demo-user-ada-lovelace", "link:demo-link-default", "ar")
    response = client.get("/demo/auth", query_string=auth_params(login_hint=hint), base_url=DEMO)
    assert id_token_claims(response)[LTI + "launch_presentation"] == {"document_target": "iframe", "locale": "ar"}
    # Without one, the claim is left out, as some LMSs do.
    assert LTI + "launch_presentation" not in id_token_claims(
        client.get("/demo/auth", query_string=auth_params(), base_url=DEMO))
