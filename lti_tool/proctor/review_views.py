"""The review after the exam: the queue page and the report page, and their API (decisions, CSV of statuses), and
a student's own review outcome."""

from flask import Blueprint, Response, current_app, g, render_template, request

from lti_tool.db import utcnow
from lti_tool.errors import AppError, Forbidden, NotFound
from lti_tool.exam import attempts, proctors
from lti_tool.exam import services as exam_services
from lti_tool.identity import access
from lti_tool.identity.roles import ToolRole
from lti_tool.proctor import review_decisions, review_queue, review_report
from lti_tool.proctor.actions import attempt_of

bp = Blueprint("review", __name__)
# Any role: proctors.can_proctor decides per exam (a listed invigilator may be launched as Learner).
PROCTORS = tuple(ToolRole)


def _origin():
    return request.remote_addr or "unknown"


def _body():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise AppError("The request body must be a JSON object.")
    return body


def _reviewed_exam(exam_id):
    exam = exam_services.get_exam(g.launch.course_id, exam_id)
    if not proctors.can_proctor(exam, g.launch):
        raise Forbidden("You are not a proctor of this exam.")
    return exam


@bp.get("/proctor/review")
def queue_page():
    return render_template("proctor/review.html")


@bp.get("/proctor/report")
def report_page():
    return render_template("proctor/report.html")


@bp.get("/api/exams/<int:exam_id>/review/queue")
@access.require_launch(*PROCTORS)
def queue(exam_id):
    exam = _reviewed_exam(exam_id)
    args = request.args
    return {"exam": {"id": exam.id, "title": exam.title},
            "attempts": review_queue.queue(exam, status=args.get("status") or None, kind=args.get("kind") or None,
                                           flagged=args.get("flagged") == "1")}


@bp.get("/api/exams/<int:exam_id>/review/flags-by-minute")
@access.require_launch(*PROCTORS)
def flags_by_minute(exam_id):
    return review_queue.flags_by_minute(_reviewed_exam(exam_id))


@bp.get("/api/exams/<int:exam_id>/review/attempts/<int:attempt_id>")
@access.require_launch(*PROCTORS)
def report(exam_id, attempt_id):
    exam = _reviewed_exam(exam_id)
    return review_report.report(exam, attempt_of(exam, attempt_id))


@bp.put("/api/exams/<int:exam_id>/review/attempts/<int:attempt_id>/status")
@access.require_launch(*PROCTORS)
def set_status(exam_id, attempt_id):
    exam = _reviewed_exam(exam_id)
    body = _body()
    row = review_decisions.set_status(exam, attempt_of(exam, attempt_id), body.get("status"), body.get("reason"),
                                      actor_user_id=g.launch.user_id, origin=_origin())
    return review_decisions.status_dict(row, exam_services.user_names({row.reviewer_user_id}))


@bp.put("/api/exams/<int:exam_id>/review/attempts/<int:attempt_id>/flags/<int:event_id>")
@access.require_launch(*PROCTORS)
def decide_flag(exam_id, attempt_id, event_id):
    exam = _reviewed_exam(exam_id)
    body = _body()
    row = review_decisions.decide_flag(exam, attempt_of(exam, attempt_id), event_id, body.get("decision"),
                                       body.get("reason"), actor_user_id=g.launch.user_id, origin=_origin())
    return review_decisions.decision_dict(row, exam_services.user_names({row.reviewer_user_id}))


@bp.get("/api/exams/<int:exam_id>/review/statuses.csv")
@access.require_launch(*PROCTORS)
def statuses_csv(exam_id):
    exam = _reviewed_exam(exam_id)
    return Response(review_report.statuses_csv(exam), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="exam-{exam.id}-review-statuses.csv"'})


@bp.get("/api/attempts/<int:attempt_id>/review-outcome")
@access.require_launch(ToolRole.STUDENT)
def student_outcome(attempt_id):
    attempt = attempts.attempt_for_student(attempt_id, g.launch.user_id, g.launch.course_id,
                                           grace_seconds=current_app.config["ANSWER_GRACE_SECONDS"])
    outcome = review_report.student_outcome(attempt, utcnow())
    if outcome is None:
        raise NotFound("Your school does not show the review of this attempt.")
    return outcome
