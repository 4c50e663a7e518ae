"""Proctoring: the two websockets, the dashboard and review pages, and the review API."""

import time

from flask import Blueprint, Response, current_app, g, render_template

from lti_tool import request_log
from lti_tool.errors import Forbidden
from lti_tool.exam import proctors
from lti_tool.exam import services as exam_services
from lti_tool.i18n import localised
from lti_tool.identity import access
from lti_tool.identity.roles import ToolRole
from lti_tool.proctor import access_changes, actions, events, prechecks, review
from lti_tool.proctor.camera import snapshots
from lti_tool.proctor.dashboard_socket import DashboardSocket
from lti_tool.proctor.student_socket import StudentSocket
from lti_tool.realtime import messages, sockets

bp = Blueprint("proctor", __name__)
# Any role: proctors.can_proctor decides per exam (a listed invigilator may be launched as Learner).
PROCTORS = tuple(ToolRole)


@bp.record_once
def _resync_after_bus_gaps(state):
    bus = state.app.extensions["bus"]
    bus.on_gap(lambda: StudentSocket.resync_all(state.app))
    bus.on_gap(lambda: DashboardSocket.resync_all(state.app))


def _run(ws, session, schema, queue_size=None):
    access_changes.watch(current_app._get_current_object())
    started = time.perf_counter()
    connection = None
    try:
        connection = sockets.serve(ws, schema, session.handle, queue_size)
    finally:
        session.close()
        if connection is not None:
            request_log.socket_closed(session.kind, session.context, started, connection, **session.log_ids())


@sockets.sock.route("/ws/student", bp=bp)
def student_socket(ws):
    _run(ws, StudentSocket(), messages.STUDENT)


@sockets.sock.route("/ws/proctor", bp=bp)
def proctor_socket(ws):
    # A dashboard hears the whole room: when 2,000 pages drop at once (a worker restart, a network blip), their
    # presence changes arrive together and must not overflow the queue that a student page's socket needs.
    _run(ws, DashboardSocket(), messages.PROCTOR, current_app.config["DASHBOARD_QUEUE_SIZE"])


@bp.get("/proctor/")
@localised
def home():
    """The live room of an exam (the proctor's landing page), and its review once the exam is over."""
    return render_template("proctor/dashboard.html")


def _proctored_exam(exam_id):
    exam = exam_services.get_exam(g.launch.course_id, exam_id)
    if not proctors.can_proctor(exam, g.launch):
        raise Forbidden("You are not a proctor of this exam.")
    return exam


@bp.get("/api/exams/<int:exam_id>/attempts/<int:attempt_id>/timeline")
@access.require_launch(*PROCTORS)
def attempt_timeline(exam_id, attempt_id):
    exam = _proctored_exam(exam_id)
    attempt = actions.attempt_of(exam, attempt_id)
    timeline = events.timeline(attempt.id)
    names = exam_services.user_names({e.actor_user_id for e in timeline if e.actor_user_id})
    # The camera's and the screen's stills (every flagged one, the others thinned out), by time with the events.
    return {"attempt_id": attempt.id, "status": attempt.status,
            "events": [{**events.as_dict(e), "actor_name": names.get(e.actor_user_id)} for e in timeline],
            "stills": snapshots.for_timeline(attempt.id),
            "pre_exam_check": prechecks.as_dict(prechecks.of(attempt.id))}


@bp.get("/api/exams/<int:exam_id>/check")
@access.require_launch(ToolRole.STUDENT)
def pre_exam_check(exam_id):
    """What the pre-exam check has the student do before the clock starts (proctor/prechecks.py)."""
    exam = exam_services.get_exam(g.launch.course_id, exam_id)
    exam_services.require_link_exam(exam, g.launch.resource_link_id)
    return prechecks.needs(exam, g.launch.user_id, current_app.config)


@bp.get("/api/exams/<int:exam_id>/violation-counts")
@access.require_launch(*PROCTORS)
def violation_counts(exam_id):
    """{attempt id: {violation type: count}}, for the marks table."""
    return {"attempts": events.violation_counts(_proctored_exam(exam_id).id)}


@bp.get("/api/exams/<int:exam_id>/irregularities.csv")
@access.require_launch(*PROCTORS)
def irregularities_csv(exam_id):
    exam = _proctored_exam(exam_id)
    names = exam_services.user_names({e.actor_user_id for e in events.for_exam(exam.id) if e.actor_user_id})
    return Response(review.irregularities_csv(exam, names), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="exam-{exam.id}-irregularities.csv"'})
