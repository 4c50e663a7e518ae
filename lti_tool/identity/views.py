"""The page session API (who am I, and a fresh launch token for an open page) and the course team page."""

from flask import Blueprint, current_app, g, render_template, request, url_for

from lti_tool.errors import AppError
from lti_tool.identity import access, services, team
from lti_tool.identity.roles import ToolRole, load_map

bp = Blueprint("session", __name__, url_prefix="/api/session")
team_bp = Blueprint("team", __name__)


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


@team_bp.get("/course/team")
def team_page():
    return render_template("identity/team.html")


@team_bp.get("/api/course/team")
@access.require_launch(ToolRole.TEST_MAKER)
def team_members():
    return {"members": [member_json(user, membership) for user, membership in team.members(g.launch.course_id)],
            "me": g.launch.user_id}


@team_bp.put("/api/course/team/<int:user_id>")
@access.require_launch(ToolRole.TEST_MAKER)
def set_member(user_id):
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "proctor_only" not in body:
        raise AppError('The request body must be a JSON object such as {"proctor_only": true}.')
    membership = team.set_proctor_only(g.launch.course_id, user_id, body["proctor_only"],
                                       load_map(current_app.config["ROLE_MAP_PATH"]),
                                       actor_user_id=g.launch.user_id, origin=request.remote_addr or "unknown")
    return member_json(membership.user, membership)


def member_json(user, membership):
    return {"user_id": user.id, "name": user.display_name, "email": user.email, "lti_roles": membership.lti_roles,
            "roles": membership.roles, "proctor_only": membership.proctor_only}
