"""LTI Dynamic Registration 1.0, opened only by a one-time link the tool's admin made (registration_links.py):
read the platform's configuration, register, store the result as a new platform.

Whoever holds a link makes the tool fetch a URL of their choosing, so what comes back is not trusted: no
redirect is followed, nothing is fetched over plain http outside development, and why something failed is
written to the log under a reference, while the caller sees only the reference (an error that quoted the
answer would tell a caller what the tool's network can reach)."""

import logging
import secrets
from urllib.parse import urlsplit

import requests

from lti_tool.launch import platforms, registration_links, tool_metadata
from lti_tool.launch.errors import RegistrationFailed

log = logging.getLogger(__name__)
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
REQUIRED_OPENID_FIELDS = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
ENDPOINT_FIELDS = {"issuer": "issuer", "authorization_endpoint": "auth login URL", "token_endpoint": "token URL",
                   "jwks_uri": "JWKS URL", "registration_endpoint": "registration endpoint"}


class _Unusable(Exception):
    """What the platform's side answered cannot be used; the message is for the log only."""


def register(link, openid_configuration_url, registration_token, *, http, base_url, tool_name, allow_http, origin):
    """Run the whole registration; spend the link; return the new Platform and the deployment id (if any)."""
    if not openid_configuration_url:
        raise RegistrationFailed(
            "The registration request is missing its openid_configuration parameter.",
            hint="Paste the registration link into your LMS's tool administration page and start from there.",
        )
    platforms.check_url("The openid_configuration parameter", openid_configuration_url, allow_http=allow_http)
    headers = {"Authorization": f"Bearer {registration_token}"} if registration_token else {}
    try:
        config = _platform_configuration(http, openid_configuration_url, headers, allow_http)
        answer = _json(http.post(config["registration_endpoint"], allow_redirects=False,
                                 json=tool_metadata.client_metadata(base_url, tool_name),
                                 headers={**headers, "Content-Type": "application/json"}),
                       "the registration endpoint")
    except requests.RequestException as exc:
        raise _refused(openid_configuration_url, f"{exc.__class__.__name__}: {exc}") from None
    except _Unusable as exc:
        raise _refused(openid_configuration_url, str(exc)) from None
    client_id = answer.get("client_id")
    if not client_id or not isinstance(client_id, str | int):
        raise _refused(openid_configuration_url, f"the registration answer has no usable client_id: {client_id!r}")
    deployment_id = _object(answer.get(TOOL_CONFIGURATION)).get("deployment_id")
    if deployment_id is not None and not (isinstance(deployment_id, str | int) and 0 < len(str(deployment_id)) <= 255):
        raise _refused(openid_configuration_url, f"the registration answer's deployment_id is unusable: "
                                                 f"{str(deployment_id)[:100]!r}")
    platform_config = _object(config.get(PLATFORM_CONFIGURATION))
    platform = platforms.save(
        issuer=config["issuer"],
        client_id=str(client_id),
        name=str(platform_config.get("product_family_code") or urlsplit(config["issuer"]).netloc)[:200],
        auth_login_url=config["authorization_endpoint"],
        token_url=config["token_endpoint"],
        jwks_url=config["jwks_uri"],
        deployment_ids=[deployment_id] if deployment_id else [],
        via="dynamic",
        allow_http=allow_http,
        origin=origin,
    )
    registration_links.use(link, platform, origin=origin)
    return platform, deployment_id


def _platform_configuration(http, url, headers, allow_http):
    config = _json(http.get(url, headers=headers, allow_redirects=False), "the OpenID configuration")
    missing = [f for f in REQUIRED_OPENID_FIELDS if not isinstance(config.get(f), str) or not config[f]]
    if missing:
        raise _Unusable(f"the OpenID configuration lacks {', '.join(missing)}")
    if _origin(config["issuer"]) != _origin(url):
        raise _Unusable(f"the issuer {config['issuer']!r} is not on the host of the configuration URL {url!r}")
    for field, label in ENDPOINT_FIELDS.items():
        try:
            platforms.check_url(label, config[field], allow_http=allow_http)
        except platforms.InvalidPlatform as exc:
            raise _Unusable(exc.message) from None
    return config


def _object(value):
    return value if isinstance(value, dict) else {}


def _origin(url):
    parts = urlsplit(url)
    return (parts.scheme, parts.hostname, parts.port)


def _json(response, what):
    if not 200 <= response.status_code < 300:
        raise _Unusable(f"{what} answered HTTP {response.status_code} "
                        f"(redirects are not followed): {response.text[:300]!r}")
    try:
        body = response.json()
    except ValueError:
        raise _Unusable(f"{what} did not answer with JSON") from None
    if not isinstance(body, dict):
        raise _Unusable(f"{what} answered with JSON that is not an object")
    return body


def _refused(url, detail):
    reference = secrets.token_hex(4)
    log.warning("dynamic registration %s from %s refused: %s", reference, url, detail)
    return RegistrationFailed(
        f"The registration could not be completed (reference {reference}).",
        hint="Check that your LMS can be reached from the tool's server and that you started from its tool "
             "administration page, then try again with the same link. The tool's administrator finds the reason "
             "in the tool's log under this reference.",
    )
