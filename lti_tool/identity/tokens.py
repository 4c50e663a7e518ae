"""The launch token: short-lived proof of one launch, carried by pages instead of cookies."""

import hashlib
import hmac
import time
from dataclasses import dataclass

import jwt

from lti_tool.errors import NotAuthenticated

AUDIENCE = "proctor-lti:launch-token"
ALGORITHM = "HS256"


@dataclass(frozen=True)
class LaunchContext:
    """What a launch token proves: this user, in this course, at this link, with these roles."""

    user_id: int
    course_id: int
    resource_link_id: int | None
    roles: tuple
    launch_id: str
    launched_at: int
    # When the token proving this runs out (set by verify); a socket closes then unless sent a new one.
    expires_at: int | None = None
    # The shipped locale the launch asked for ("fr", "pt_BR"), or None: its pages' and messages' language.
    locale: str | None = None
    # The person's time zone in the LMS ("Europe/Paris"), or None: the browser's is used then.
    time_zone: str | None = None

    def has_any(self, *roles):
        return any(r in self.roles for r in roles)


def _signing_key(secret_key):
    # Derived, so a token can never double as anything else signed with SECRET_KEY.
    return hmac.new(secret_key.encode(), b"launch-token", hashlib.sha256).digest()


def issue(context, *, secret_key, issuer, ttl, now=None):
    now = int(now if now is not None else time.time())
    claims = {
        "iss": issuer,
        "aud": AUDIENCE,
        "sub": str(context.user_id),
        "crs": context.course_id,
        "rl": context.resource_link_id,
        "roles": list(context.roles),
        "lid": context.launch_id,
        "lat": context.launched_at,
        "loc": context.locale,
        "tz": context.time_zone,
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, _signing_key(secret_key), algorithm=ALGORITHM)


def verify(token, *, secret_key, issuer):
    """Return the LaunchContext a token proves, or raise NotAuthenticated saying why."""
    try:
        claims = jwt.decode(
            token,
            _signing_key(secret_key),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=issuer,
            options={"require": ["exp", "iat", "sub", "crs", "roles", "lid", "lat"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise NotAuthenticated(
            "Your session has expired.", hint="Open the exam again from your course page."
        ) from exc
    except jwt.InvalidTokenError as exc:
        raise NotAuthenticated(
            "Your session could not be verified.", hint="Open the tool again from your course page."
        ) from exc
    return LaunchContext(
        user_id=int(claims["sub"]),
        course_id=int(claims["crs"]),
        resource_link_id=claims.get("rl"),
        roles=tuple(claims["roles"]),
        launch_id=claims["lid"],
        launched_at=int(claims["lat"]),
        expires_at=int(claims["exp"]),
        locale=claims.get("loc") if isinstance(claims.get("loc"), str) else None,
        time_zone=claims.get("tz") if isinstance(claims.get("tz"), str) else None,
    )
