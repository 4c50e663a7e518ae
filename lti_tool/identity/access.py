"""Authenticating requests by launch token, and checking the role they need."""

import functools
import time
from dataclasses import replace

from flask import current_app, g, request

from lti_tool.errors import Forbidden, NotAuthenticated
from lti_tool.identity import services, tokens
from lti_tool.identity.roles import ToolRole


def issue_token(context):
    config = current_app.config
    return tokens.issue(
        context,
        secret_key=config["SECRET_KEY"],
        issuer=config["TOOL_BASE_URL"],
        ttl=config["LAUNCH_TOKEN_TTL"],
    )


def verify_token(token):
    config = current_app.config
    return tokens.verify(token, secret_key=config["SECRET_KEY"], issuer=config["TOOL_BASE_URL"])


def token_from_request():
    """The launch token from `Authorization: Bearer` (pages never send it any other way)."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    raise NotAuthenticated(
        "This page needs a launch from your course.",
        hint="Open the tool from your course page in the LMS.",
    )


def require_launch(*roles):
    """Decorator: the request must carry a valid launch token holding one of these roles."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            context = verify_token(token_from_request())
            if ToolRole.TEST_MAKER in roles and context.has_any(ToolRole.TEST_MAKER):
                # Authoring rights end the moment they are lost (proctor only), not when the token runs out; a token
                # without them (a student on a route a test maker may also use) has none to lose.
                context = still_held(context)
            if roles and not context.has_any(*roles):
                raise Forbidden(
                    "Your role in this course does not allow this.",
                    hint=f"This needs the role: {' or '.join(r.replace('_', ' ') for r in roles)}.",
                )
            g.launch = context
            return view(*args, **kwargs)

        return wrapped

    return decorator


def refresh(context, now=None):
    """A fresh token for an open page, with the roles of its launch; refused past the session's end, and once
    the person has lost any of those roles (a newer launch with fewer, or the roster showing them gone): the
    page opens again from the course, as what they are now. A role gained also comes with a new launch."""
    now = now if now is not None else time.time()
    if now - context.launched_at > current_app.config["LAUNCH_SESSION_MAX"]:
        raise NotAuthenticated(
            "Your session has reached its time limit.", hint="Open the tool again from your course page."
        )
    if still_held(context).roles != context.roles:
        raise Forbidden("Your role in this course has changed since this page was opened.",
                        hint="Open the tool again from your course page.")
    return issue_token(context)


def still_held(context):
    """The context with only those of its roles the person still holds in the course (refused if none is left)."""
    held = services.current_roles(context.user_id, context.course_id)
    return replace(context, roles=tuple(role for role in context.roles if role in held))


def require_same_course(context, course_id):
    """A token for one course opens nothing in another."""
    if context.course_id != course_id:
        raise Forbidden("That belongs to another course.")
