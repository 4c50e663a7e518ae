"""LTI Dynamic Registration 1.0: read the platform's configuration, register, store the result."""

import logging
from urllib.parse import urlsplit

import requests

from lti_tool.launch import platforms, tool_metadata
from lti_tool.launch.errors import RegistrationFailed

log = logging.getLogger(__name__)
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
REQUIRED_OPENID_FIELDS = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")


def register(openid_configuration_url, registration_token, *, http, base_url, tool_name, allow_http, origin):
    """Run the whole registration; return the stored Platform and the deployment id (if any)."""
    if not openid_configuration_url:
        raise RegistrationFailed(
            "The registration link is missing its openid_configuration parameter.",
            hint="Start the registration from your LMS's tool administration page.",
        )
    headers = {"Authorization": f"Bearer {registration_token}"} if registration_token else {}
    config = _get_json(http, openid_configuration_url, headers, "the platform's OpenID configuration")
    missing = [f for f in REQUIRED_OPENID_FIELDS if not config.get(f)]
    if missing:
        raise RegistrationFailed(f"The platform's configuration lacks {', '.join(missing)}.")
    if _origin(config["issuer"]) != _origin(openid_configuration_url):
        raise RegistrationFailed(
            f"The platform's issuer {config['issuer']!r} is not on the same host as its "
            f"configuration URL {openid_configuration_url!r}."
        )
    metadata = tool_metadata.client_metadata(base_url, tool_name)
    answer = _post_json(http, config["registration_endpoint"], metadata,
                        {**headers, "Content-Type": "application/json"})
    client_id = answer.get("client_id")
    if not client_id:
        raise RegistrationFailed("The platform accepted the registration but returned no client_id.")
    deployment_id = (answer.get(TOOL_CONFIGURATION) or {}).get("deployment_id")
    platform_config = config.get(PLATFORM_CONFIGURATION) or {}
    platform = platforms.save(
        issuer=config["issuer"],
        client_id=str(client_id),
        name=platform_config.get("product_family_code") or urlsplit(config["issuer"]).netloc,
        auth_login_url=config["authorization_endpoint"],
        token_url=config["token_endpoint"],
        jwks_url=config["jwks_uri"],
        deployment_ids=[deployment_id] if deployment_id else [],
        via="dynamic",
        allow_http=allow_http,
        origin=origin,
    )
    return platform, deployment_id


def _origin(url):
    parts = urlsplit(url)
    return (parts.scheme, parts.hostname, parts.port)


def _get_json(http, url, headers, what):
    try:
        response = http.get(url, headers=headers)
    except requests.RequestException as exc:
        raise _unreachable(what, exc) from exc
    return _json_body(response, what)


def _post_json(http, url, body, headers):
    try:
        response = http.post(url, json=body, headers=headers)
    except requests.RequestException as exc:
        raise _unreachable("the platform's registration endpoint", exc) from exc
    return _json_body(response, "the platform's registration endpoint")


def _unreachable(what, exc):
    log.warning("dynamic registration: %s unreachable: %s", what, exc)
    return RegistrationFailed(f"Could not reach {what}: {exc.__class__.__name__}.",
                              hint="Check that the LMS can be reached from the tool's server, then retry.")


def _json_body(response, what):
    if not response.ok:
        log.warning("dynamic registration: %s answered %s: %s", what, response.status_code, response.text[:500])
        raise RegistrationFailed(f"{what[0].upper()}{what[1:]} answered HTTP {response.status_code}.",
                                 hint="The registration link may have expired: start again from the LMS.")
    try:
        body = response.json()
    except ValueError as exc:
        raise RegistrationFailed(f"{what[0].upper()}{what[1:]} did not answer with JSON.") from exc
    if not isinstance(body, dict):
        raise RegistrationFailed(f"{what[0].upper()}{what[1:]} answered with unexpected JSON.")
    return body
