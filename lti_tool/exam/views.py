"""Exam pages. The pages are shells; their scripts load data from the API with the launch token."""

from flask import Blueprint, g, render_template

from lti_tool.exam import services
from lti_tool.identity import access
from lti_tool.identity.roles import ToolRole

bp = Blueprint("exam", __name__)


@bp.get("/exam/lobby")
def lobby():
    return render_template("exam/lobby.html")


@bp.get("/exam/manage")
def manage():
    return render_template("exam/manage.html")


@bp.get("/api/exams")
@access.require_launch(ToolRole.TEST_MAKER, ToolRole.PROCTOR)
def list_exams():
    return {"exams": [_exam_json(e) for e in services.list_exams(g.launch.course_id)]}


@bp.get("/api/exams/current")
@access.require_launch()
def current_exam():
    """The exam bound to the resource link this launch came from, if any."""
    exam = services.bound_exam(g.launch.course_id, g.launch.resource_link_id)
    return {"exam": exam and _exam_json(exam)}


def _exam_json(exam):
    return {"id": exam.id, "title": exam.title}
