"""Checking JWTs the tool signed, against the tool's published keys (same process, so no HTTP)."""

import jwt

from lti_tool.launch import keys

ALGORITHMS = ["RS256"]
CLOCK_LEEWAY = 60


def decode(token, *, audience, issuer):
    """The claims of a tool-signed JWT; raises jwt.InvalidTokenError on any failed check."""
    public_key = _public_key(jwt.get_unverified_header(token).get("kid"))
    return jwt.decode(
        token, public_key, algorithms=ALGORITHMS, audience=audience, issuer=issuer, leeway=CLOCK_LEEWAY,
        options={"require": ["exp", "iat", "iss", "aud"]},
    )


def _public_key(kid):
    """The tool's published key with this kid."""
    for jwk in keys.jwks()["keys"]:
        if kid and jwk["kid"] == kid:
            return jwt.PyJWK(jwk).key
    raise jwt.InvalidTokenError(f"the tool publishes no key with kid {kid!r}")
