"""Registering the demo platform with the tool, exactly as an admin registers a real LMS."""

from lti_tool.db import db
from lti_tool.demo import endpoints
from lti_tool.launch import platforms


def register(origin):
    """Create or update the demo platform's registration and deployment; the caller commits."""
    return platforms.save(
        issuer=endpoints.platform_url(),
        client_id=endpoints.CLIENT_ID,
        name=endpoints.PLATFORM_NAME,
        auth_login_url=endpoints.platform_url("/auth"),
        token_url=endpoints.platform_url("/token"),
        jwks_url=endpoints.platform_url("/jwks"),
        deployment_ids=[endpoints.DEPLOYMENT_ID],
        via="demo",
        allow_http=True,
        origin=origin,
        replace=True,
    )


def ensure_registered(origin):
    """Register the demo platform and commit, unless it is already registered with its deployment."""
    platform = platforms.find(endpoints.platform_url(), endpoints.CLIENT_ID)
    if platform is None or platforms.find_deployment(platform, endpoints.DEPLOYMENT_ID) is None:
        register(origin)
        db.session.commit()
