"""The course question bank's page and the JSON API it uses, for the course's test makers."""

from flask import Blueprint, g, render_template, request

from lti_tool import body_limits
from lti_tool.bank import services as bank
from lti_tool.exam import question_copies, services
from lti_tool.exam.views import IMPORT_MAX_BYTES, actor, export_response, import_json, json_body, uploaded_questions
from lti_tool.identity import access
from lti_tool.identity.roles import ToolRole

bp = Blueprint("bank", __name__)
MAKER = ToolRole.TEST_MAKER


def _course():
    return g.launch.course_id


@bp.get("/bank")
def page():
    return render_template("bank/bank.html", import_max_bytes=IMPORT_MAX_BYTES)


@bp.get("/api/bank")
@access.require_launch(MAKER)
def summary():
    return bank.summary(_course())


@bp.get("/api/bank/questions")
@access.require_launch(MAKER)
def list_questions():
    found = bank.questions(_course(), category=request.args.get("category"), tag=request.args.get("tag") or None)
    taken = bank.taken_categories(_course())
    return {"questions": [_question_json(question, taken) for question in found]}


@bp.post("/api/bank/questions")
@access.require_launch(MAKER)
def add_question():
    [question] = bank.add(_course(), [services.parse_question_body(json_body())], **actor())
    return _question_json(question, bank.taken_categories(_course())), 201


@bp.put("/api/bank/questions/<int:question_id>")
@access.require_launch(MAKER)
def update_question(question_id):
    question = bank.get(_course(), question_id)
    parsed = services.parse_question_body(json_body())
    return _question_json(bank.update(question, parsed, **actor()), bank.taken_categories(_course()))


@bp.delete("/api/bank/questions/<int:question_id>")
@access.require_launch(MAKER)
def delete_question(question_id):
    bank.delete(bank.get(_course(), question_id), **actor())
    return "", 204


@bp.get("/api/bank/question-sources")
@access.require_launch(MAKER)
def question_sources():
    return {"exams": question_copies.sources(_course(), g.launch.user_id)}


@bp.get("/api/bank/question-sources/<int:source_id>")
@access.require_launch(MAKER)
def source_questions(source_id):
    return {"questions": question_copies.source_questions(_course(), source_id, g.launch.user_id)}


@bp.post("/api/bank/questions/copy")
@access.require_launch(MAKER)
def copy_questions():
    body = json_body()
    copied = bank.copy_in(_course(), body.get("exam_id"), body.get("question_ids"), **actor())
    return {"copied": len(copied)}, 201


@bp.post("/api/bank/import")
@access.require_launch(MAKER)
@body_limits.allows_body(IMPORT_MAX_BYTES)
def import_questions():
    upload, dry_run = uploaded_questions()
    read = bank.import_file(_course(), upload.read(), upload.filename, dry_run=dry_run, **actor())
    return import_json(read, dry_run)


@bp.get("/api/bank/export")
@access.require_launch(MAKER)
def export_questions():
    return export_response(bank.questions(_course()), "question-bank")


def _question_json(question, taken_categories):
    """A bank question for its page; `drawn`: students may have been drawn it (its scoring is fixed)."""
    return {**services.question_json(question, with_answers=True),
            "drawn": bank.drawn_by_students(question, taken_categories)}
