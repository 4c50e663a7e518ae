"""The demo's OIDC authorization endpoint: check the tool's auth request, answer with a signed id_token."""

from dataclasses import dataclass

from lti_tool.demo import endpoints, hints, keys, launcher, links, messages, roster
from lti_tool.demo.errors import DemoRefused

# The fixed values LTI 1.3 requires in every authentication request.
FIXED_PARAMS = {"response_type": "id_token", "scope": "openid", "response_mode": "form_post", "prompt": "none"}
REQUIRED_PARAMS = ("state", "nonce", "login_hint", "lti_message_hint")


@dataclass(frozen=True)
class AuthResponse:
    """The form the auth page posts back to the tool."""

    redirect_uri: str
    id_token: str
    state: str
    storage_target: str


def authorize(params):
    """Check an OIDC authentication request; return the form to POST back to the tool."""
    _check_client(params)
    for name in REQUIRED_PARAMS:
        if not params.get(name):
            raise DemoRefused(name, f"The authentication request has no {name}.")
    sub, target, locale = hints.read_login_hint(params["login_hint"])
    if params["lti_message_hint"] != target:
        raise DemoRefused("lti_message_hint", "The lti_message_hint is not the one the login_hint was made for.")
    person = roster.find(sub)
    if person is None:
        raise DemoRefused("login_hint", "The login_hint names nobody in the demo course.")
    claims = _claims(person, target, params["nonce"])
    if locale:
        claims[messages.LTI + "launch_presentation"] = {"document_target": "iframe", "locale": locale}
    return AuthResponse(params["redirect_uri"], keys.sign(claims), params["state"], launcher.STORAGE_TARGET)


def _check_client(params):
    """The request must come from the demo's client, return to the tool's launch URL, and be LTI-shaped."""
    if params.get("client_id") != endpoints.CLIENT_ID:
        raise DemoRefused("client_id", f"The client_id must be {endpoints.CLIENT_ID!r}.")
    if params.get("redirect_uri") != endpoints.tool_url("launch"):
        raise DemoRefused("redirect_uri", f"The redirect_uri must be the tool's launch URL, "
                          f"{endpoints.tool_url('launch')}.")
    for name, expected in FIXED_PARAMS.items():
        if params.get(name) != expected:
            raise DemoRefused(name, f"{name} must be {expected!r}.")


def _claims(person, target, nonce):
    """The id_token claims for the target the hints name."""
    if target == launcher.DEEP_LINKING:
        return messages.deep_linking_request(person, nonce)
    is_link = target.startswith(launcher.LINK_TARGET_PREFIX)
    link = links.find(target.removeprefix(launcher.LINK_TARGET_PREFIX)) if is_link else None
    if link is None:
        raise DemoRefused("lti_message_hint", "The link to launch is no longer in the demo course.")
    return messages.resource_link_request(person, link, nonce)
