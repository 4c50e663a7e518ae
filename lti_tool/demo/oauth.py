"""The demo's OAuth2 token endpoint (client_credentials with a signed JWT) and its access tokens."""

import time
import uuid

import jwt

from lti_tool.demo import ags, endpoints, keys, nrps, tool_keys
from lti_tool.demo.errors import ServiceError

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SUPPORTED_SCOPES = (*ags.SCOPES, nrps.SCOPE)
ACCESS_TOKEN_TTL = 3600


def issue_token(form):
    """Answer a client_credentials token request with a demo-signed access token for the granted scopes."""
    if form.get("grant_type") != "client_credentials":
        raise ServiceError("unsupported_grant_type", "grant_type must be client_credentials")
    if form.get("client_assertion_type") != CLIENT_ASSERTION_TYPE:
        raise ServiceError("invalid_request", f"client_assertion_type must be {CLIENT_ASSERTION_TYPE}")
    if not form.get("client_assertion"):
        raise ServiceError("invalid_request", "client_assertion is required")
    _check_client_assertion(form["client_assertion"])
    requested = (form.get("scope") or "").split()
    granted = [scope for scope in requested if scope in SUPPORTED_SCOPES]
    if not granted:
        raise ServiceError("invalid_scope", f"none of the requested scopes is supported: {' '.join(requested)}")
    scope = " ".join(granted)
    now = int(time.time())
    access_token = keys.sign({
        "iss": endpoints.platform_url(), "aud": endpoints.platform_url(), "sub": endpoints.CLIENT_ID,
        "scope": scope, "iat": now, "exp": now + ACCESS_TOKEN_TTL, "jti": str(uuid.uuid4()),
    })
    return {"access_token": access_token, "token_type": "Bearer", "expires_in": ACCESS_TOKEN_TTL, "scope": scope}


def _check_client_assertion(assertion):
    """Refuse a client assertion not signed by the tool for this token URL, or about another client."""
    try:
        claims = tool_keys.decode(assertion, audience=endpoints.platform_url("/token"),
                                  issuer=endpoints.CLIENT_ID)
    except jwt.InvalidTokenError as exc:
        raise ServiceError("invalid_client", f"the client assertion was refused: {exc}") from exc
    if claims.get("sub") != endpoints.CLIENT_ID:
        raise ServiceError("invalid_client", "the client assertion's sub must be the client_id")


def check_bearer(authorization, *allowed_scopes):
    """Refuse a request whose Bearer access token is missing, invalid, or holds none of the scopes."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ServiceError("invalid_token", "an access token is required (Authorization: Bearer)", status=401)
    try:
        claims = keys.verify(token.strip(), audience=endpoints.platform_url(), issuer=endpoints.platform_url())
    except jwt.InvalidTokenError as exc:
        raise ServiceError("invalid_token", f"the access token was refused: {exc}", status=401) from exc
    if not set(claims.get("scope", "").split()) & set(allowed_scopes):
        raise ServiceError("insufficient_scope", f"this needs the scope: {' or '.join(allowed_scopes)}",
                           status=403)
