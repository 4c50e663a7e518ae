"""The page at /: what the tool is, where exams open from, and what an LMS administrator needs to install it."""

from flask import Blueprint, current_app, render_template

from lti_tool.launch import tool_metadata

bp = Blueprint("landing", __name__)


@bp.get("/")
def landing():
    config = current_app.config
    return render_template(
        "landing.html", description=tool_metadata.DESCRIPTION, urls=tool_metadata.urls(config["TOOL_BASE_URL"]),
        demo_url=config["DEMO_PLATFORM_URL"] if config["DEMO_ENABLED"] else None,
    )
