"""The page session API: who am I, and a fresh launch token for an open page."""

from flask import Blueprint, g, url_for

from lti_tool.identity import access, services
from lti_tool.identity.roles import ToolRole

bp = Blueprint("session", __name__, url_prefix="/api/session")


@bp.get("")
@access.require_launch()
def whoami():
    user, course, link = services.load_people(g.launch)
    return {
        "user": {"id": user.id, "name": user.display_name, "email": user.email},
        "course": {"id": course.id, "title": course.display_name,
                   "names_withheld": ToolRole.TEST_MAKER in g.launch.roles and services.names_withheld(course.id)},
        "roles": list(g.launch.roles),
        "resource_link": link and {"id": link.id, "title": link.title, "exam_id": link.exam_id},
        "pages": {"refresh": url_for("session.refresh")},
    }


@bp.post("/refresh")
@access.require_launch()
def refresh():
    return {"token": access.refresh(g.launch)}
