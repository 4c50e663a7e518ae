"""LTI Dynamic Registration end to end against the test platform, and its refusals."""

from sqlalchemy import select

from lti_tool.db import db
from lti_tool.launch.models import Platform
from tests.lti_platform import CLIENT_ID, DEPLOYMENT_ID, LEARNER

TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"


def register(client, platform, token=None):
    return client.get("/lti/register", query_string={
        "openid_configuration": f"{platform.base_url}/.well-known/openid-configuration",
        "registration_token": token or platform.registration_token,
    })


def test_dynamic_registration_then_launch(client, test_platform):
    response = register(client, test_platform)
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    assert "registered.js" in page and CLIENT_ID in page and DEPLOYMENT_ID in page
    [sent] = test_platform.registrations
    assert sent["initiate_login_uri"] == "https://localhost/lti/login"
    assert sent["redirect_uris"] == ["https://localhost/lti/launch"]
    assert sent["jwks_uri"] == "https://localhost/lti/jwks"
    assert sent["token_endpoint_auth_method"] == "private_key_jwt"
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in sent["scope"].split()
    messages = {m["type"]: m for m in sent[TOOL_CONFIG]["messages"]}
    assert messages["LtiDeepLinkingRequest"]["target_link_uri"] == "https://localhost/lti/launch"
    assert sent[TOOL_CONFIG]["domain"] == "localhost"

    platform = db.session.scalar(select(Platform))
    assert (platform.issuer, platform.client_id, platform.registered_via) == (
        test_platform.issuer, CLIENT_ID, "dynamic")
    assert [d.deployment_id for d in platform.deployments] == [DEPLOYMENT_ID]

    from tests.conftest import LtiLaunch
    assert LtiLaunch(client, test_platform).launch((LEARNER,)).status_code == 200


def test_registering_twice_updates_the_same_platform(client, test_platform):
    register(client, test_platform)
    register(client, test_platform)
    assert len(db.session.scalars(select(Platform)).all()) == 1


def test_wrong_registration_token_is_refused(client, test_platform):
    response = register(client, test_platform, token="stolen")
    assert response.status_code == 400
    assert "HTTP 401" in response.get_data(as_text=True)
    assert db.session.scalar(select(Platform)) is None


def test_missing_openid_configuration_is_refused(client):
    response = client.get("/lti/register")
    assert response.status_code == 400
    assert "openid_configuration" in response.get_data(as_text=True)


def test_unreachable_platform_is_a_clear_error(client):
    response = client.get("/lti/register", query_string={
        "openid_configuration": "http://127.0.0.1:9/.well-known/openid-configuration"})
    assert response.status_code == 400
    assert "Could not reach" in response.get_data(as_text=True)


def test_issuer_on_another_host_is_refused(client, test_platform, monkeypatch):
    config = test_platform.openid_configuration()
    monkeypatch.setattr(test_platform, "openid_configuration",
                        lambda: {**config, "issuer": "https://evil.example"})
    response = register(client, test_platform)
    assert response.status_code == 400
    assert "not on the same host" in response.get_data(as_text=True)
    assert test_platform.registrations == []
