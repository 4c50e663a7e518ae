"""Where the demo platform and the tool live, as the demo sees them."""

from urllib.parse import urlsplit

from flask import current_app

from lti_tool.launch import tool_metadata

CLIENT_ID = "proctor-lti-demo"
DEPLOYMENT_ID = "demo-deployment"
PLATFORM_NAME = "Demo platform"


def platform_url(path=""):
    """The demo's issuer (DEMO_PLATFORM_URL), or one of its URLs when given a path."""
    return current_app.config["DEMO_PLATFORM_URL"].rstrip("/") + path


def tool_url(name):
    """One of the tool's LTI URLs by name: login, launch, jwks."""
    return tool_metadata.urls(current_app.config["TOOL_BASE_URL"])[name]


def tool_origin():
    """The tool's web origin: the only origin the demo page frames and talks to."""
    return origin(current_app.config["TOOL_BASE_URL"])


def origin(url):
    """The scheme://host[:port] of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def platform_host():
    """The host[:port] the demo must be served from, so it is cross-site from the tool."""
    return urlsplit(platform_url()).netloc
