"""LTI Dynamic Registration: only through a one-time link the tool's admin made, never over a registered
platform, never following redirects; and the take-over the security review performed, replayed."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select

from lti_tool.db import db, utcnow
from lti_tool.launch import registration_links
from lti_tool.launch.models import Platform, RegistrationLink
from tests.conftest import LtiLaunch
from tests.lti_platform import CLIENT_ID, DEPLOYMENT_ID, INSTRUCTOR, LEARNER, SigningKey, TestPlatform

TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"


def new_link(**options):
    url, _ = registration_links.issue(base_url="https://localhost", valid_hours=options.get("valid_hours", 1),
                                      note=None, origin="test")
    return url.removeprefix("https://localhost")


def register(client, platform, path=None, *, config_url=None, token=None):
    return client.get(path or new_link(), query_string={
        "openid_configuration": config_url or f"{platform.base_url}/.well-known/openid-configuration",
        "registration_token": token or platform.registration_token,
    })


def platform_rows():
    return db.session.scalars(select(Platform)).all()


def test_dynamic_registration_with_a_link_then_launch(client, test_platform):
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
    # Each launch then says which courses were copied into this one (a term rollover: exam/copies.py).
    assert sent[TOOL_CONFIG]["custom_parameters"] == {
        "context_history": "$Context.id.history", "timezone": "$Person.address.timezone"}

    [platform] = platform_rows()
    assert (platform.issuer, platform.client_id, platform.registered_via) == (
        test_platform.issuer, CLIENT_ID, "dynamic")
    assert [d.deployment_id for d in platform.deployments] == [DEPLOYMENT_ID]
    assert db.session.scalar(select(RegistrationLink)).platform_id == platform.id
    assert LtiLaunch(client, test_platform).launch((LEARNER,)).status_code == 200


def test_without_a_link_nothing_is_fetched(client, test_platform):
    response = client.get("/lti/register", query_string={
        "openid_configuration": f"{test_platform.base_url}/.well-known/openid-configuration",
        "registration_token": test_platform.registration_token})
    assert response.status_code == 403
    assert "registration-link" in response.get_data(as_text=True)
    assert test_platform.requests == [] and platform_rows() == []


@pytest.mark.parametrize("state", ["unknown", "expired", "used"])
def test_a_link_that_is_not_valid_fetches_nothing(client, test_platform, state):
    path = new_link()
    if state == "unknown":
        path = path[:-4] + "abcd"
    elif state == "expired":
        db.session.scalar(select(RegistrationLink)).expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    else:
        assert register(client, test_platform, path).status_code == 200
        test_platform.requests.clear()
    response = register(client, test_platform, path)
    assert response.status_code == 403
    assert {"unknown": "not one the tool made", "expired": "expired",
            "used": "already been used"}[state] in response.get_data(as_text=True)
    assert test_platform.requests == []


def test_a_failed_registration_leaves_the_link_usable(client, test_platform):
    path = new_link()
    assert register(client, test_platform, path, token="stolen").status_code == 400
    assert platform_rows() == []
    assert register(client, test_platform, path).status_code == 200


def test_refusals_name_a_reference_not_what_was_reached(client, test_platform, caplog):
    response = register(client, test_platform, token="stolen")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "HTTP 401" not in page and "reference" in page
    reference = page.split("(reference ")[1][:8]
    assert any(reference in r.getMessage() and "HTTP 401" in r.getMessage() for r in caplog.records)


def test_unreachable_platform_says_nothing_of_what_was_tried(client):
    response = client.get(new_link(), query_string={
        "openid_configuration": "http://127.0.0.1:9/.well-known/openid-configuration"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "reference" in page and "Connection" not in page and "127.0.0.1:9" not in page


def test_missing_openid_configuration_is_refused(client):
    response = client.get(new_link())
    assert response.status_code == 400
    assert "openid_configuration" in response.get_data(as_text=True)


def test_plain_http_is_refused_before_any_fetch_outside_development(app, client, test_platform):
    app.config["ALLOW_INSECURE_PLATFORMS"] = False
    response = register(client, test_platform)
    assert response.status_code == 400
    assert "must be an https URL" in response.get_data(as_text=True)
    assert test_platform.requests == []


def test_issuer_on_another_host_is_refused(client, test_platform, monkeypatch):
    config = test_platform.openid_configuration()
    monkeypatch.setattr(test_platform, "openid_configuration",
                        lambda: {**config, "issuer": "https://evil.example"})
    response = register(client, test_platform)
    assert response.status_code == 400
    assert test_platform.registrations == []


def test_a_redirect_on_the_lms_origin_is_not_followed(client, test_platform, monkeypatch):
    """The review's path: the configuration URL is on the LMS's origin, but a redirect there hands the
    document, naming the LMS as issuer and the attacker's keys, to a server the attacker runs."""
    attacker = TestPlatform(SigningKey()).start()
    try:
        attacker.registration_token = test_platform.registration_token
        forged = {**attacker.openid_configuration(), "issuer": test_platform.issuer}
        monkeypatch.setattr(attacker, "openid_configuration", lambda: forged)
        via_redirect = (f"{test_platform.base_url}/redirect?to="
                        f"{quote(attacker.base_url + '/.well-known/openid-configuration')}")
        response = register(client, test_platform, config_url=via_redirect)
        assert response.status_code == 400
        assert not any(path.startswith("/.well-known") for _, path in attacker.requests)
        assert platform_rows() == []
    finally:
        attacker.stop()


def test_the_review_take_over_of_a_registered_platform_is_refused(client, registered_platform, monkeypatch):
    """Replays the take-over: with a valid link, the attacker's document names the registered issuer and
    client id but its own keys and endpoints. The platform must stay as the admin registered it, the
    attacker's signed launch must fail and the real platform's launches must go on working."""
    attacker = TestPlatform(SigningKey()).start()
    try:
        real = registered_platform.openid_configuration()
        monkeypatch.setattr(registered_platform, "openid_configuration", lambda: {
            **real, "jwks_uri": attacker.jwks_url, "authorization_endpoint": attacker.auth_url,
            "token_endpoint": attacker.token_url})
        before = {(p.id, p.jwks_url, p.auth_login_url, p.token_url) for p in platform_rows()}
        response = register(client, registered_platform)
        assert response.status_code == 409
        assert "already has a registration" in response.get_data(as_text=True)
        db.session.expire_all()
        assert {(p.id, p.jwks_url, p.auth_login_url, p.token_url) for p in platform_rows()} == before

        lti = LtiLaunch(client, registered_platform)
        state, nonce = lti.login()
        forged = attacker.sign(registered_platform.claims(nonce=nonce, roles=[INSTRUCTOR]))
        assert lti.post(forged, state).status_code == 401
        assert lti.launch((INSTRUCTOR,)).status_code == 200
    finally:
        attacker.stop()


def test_registering_the_same_lms_twice_keeps_the_first(client, test_platform):
    assert register(client, test_platform).status_code == 200
    assert register(client, test_platform).status_code == 409
    assert len(platform_rows()) == 1


def test_cli_makes_a_link_that_registers_once(runner, client, test_platform):
    result = runner.invoke(args=["lti", "registration-link", "--valid-hours", "2", "--note", "Moodle prod"])
    assert result.exit_code == 0, result.output
    url = result.stdout.strip()
    assert url.startswith("https://localhost/lti/register/")
    [link] = db.session.scalars(select(RegistrationLink)).all()
    assert link.note == "Moodle prod" and url.rsplit("/", 1)[1] not in link.token_hash
    path = url.removeprefix("https://localhost")
    assert register(client, test_platform, path).status_code == 200
    assert register(client, test_platform, path).status_code == 403


def test_cli_refuses_a_link_valid_too_long(runner):
    result = runner.invoke(args=["lti", "registration-link", "--valid-hours", "100000"])
    assert result.exit_code != 0 and "valid-hours" in result.output


def test_login_redirects_to_no_platform_an_admin_did_not_register(client):
    """Item 7: with open registration anyone could make /lti/login redirect to their own 'auth URL'."""
    attacker = TestPlatform(SigningKey()).start()
    try:
        attempt = client.get("/lti/register", query_string={
            "openid_configuration": f"{attacker.base_url}/.well-known/openid-configuration",
            "registration_token": attacker.registration_token})
        assert attempt.status_code == 403
        login = client.get("/lti/login", query_string={"iss": attacker.issuer, "login_hint": "x",
                                                      "client_id": CLIENT_ID})
        assert login.status_code == 400 and "Location" not in login.headers
        assert attacker.requests == []
    finally:
        attacker.stop()
