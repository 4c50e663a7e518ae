"""The camera's API: settings for the test maker, consent and the camera's credentials for the student's
page, snapshots in and out, Agora tokens for proctors, and deleting evidence on request."""

from flask import Blueprint, Response, current_app, g, request

from lti_tool.errors import AppError, Forbidden, NotFound
from lti_tool.exam import attempts, proctors
from lti_tool.exam import services as exam_services
from lti_tool.exam.lifecycle import Status
from lti_tool.identity import access
from lti_tool.identity.roles import ToolRole
from lti_tool.proctor import prechecks
from lti_tool.proctor.actions import attempt_of
from lti_tool.proctor.camera import consent, providers, retention, snapshots
from lti_tool.proctor.camera import settings as camera_settings

bp = Blueprint("camera", __name__)
# Any role: proctors.can_proctor decides per exam (a listed invigilator may be launched as Learner).
PROCTORS = tuple(ToolRole)


def _origin():
    return request.remote_addr or "unknown"


def _my_attempt(attempt_id):
    return attempts.attempt_for_student(attempt_id, g.launch.user_id, g.launch.course_id,
                                        grace_seconds=current_app.config["ANSWER_GRACE_SECONDS"])


def _proctored_exam(exam_id):
    exam = exam_services.get_exam(g.launch.course_id, exam_id)
    if not proctors.can_proctor(exam, g.launch):
        raise Forbidden("You are not a proctor of this exam.")
    return exam


def _require_camera_allowed(attempt):
    if Status(attempt.status) is not Status.IN_PROGRESS:
        raise AppError("The camera is only used while the attempt is in progress.")
    if not consent.given(attempt.exam_id, attempt.user_id):
        raise Forbidden("The camera needs your consent first.", hint="Read the camera notice and agree to it.")


# --- the test maker --------------------------------------------------------------------------------

@bp.get("/api/exams/<int:exam_id>/camera/settings")
@access.require_launch(*PROCTORS)
def get_settings(exam_id):
    return camera_settings.as_dict(camera_settings.of(_proctored_exam(exam_id).id))


@bp.put("/api/exams/<int:exam_id>/camera/settings")
@access.require_launch(ToolRole.TEST_MAKER)
def put_settings(exam_id):
    exam = exam_services.get_exam(g.launch.course_id, exam_id)
    updated = camera_settings.update(exam, request.get_json(silent=True), actor_user_id=g.launch.user_id,
                                     origin=_origin())
    return camera_settings.as_dict(updated)


@bp.delete("/api/exams/<int:exam_id>/attempts/<int:attempt_id>/evidence")
@access.require_launch(ToolRole.TEST_MAKER)
def delete_evidence(exam_id, attempt_id):
    exam = exam_services.get_exam(g.launch.course_id, exam_id)
    attempt = attempt_of(exam, attempt_id)
    deleted = retention.delete_for_attempt(exam, attempt.id, current_app.config["SNAPSHOT_DIR"],
                                           actor_user_id=g.launch.user_id, origin=_origin())
    return {"snapshots_deleted": deleted}


# --- the student's page ----------------------------------------------------------------------------

@bp.get("/api/attempts/<int:attempt_id>/camera")
@access.require_launch(ToolRole.STUDENT)
def student_camera(attempt_id):
    attempt = _my_attempt(attempt_id)
    return providers.for_student(attempt.exam, attempt, current_app.config,
                                 may_publish=Status(attempt.status) is Status.IN_PROGRESS)


@bp.post("/api/attempts/<int:attempt_id>/camera/consent")
@access.require_launch(ToolRole.STUDENT)
def give_consent(attempt_id):
    attempt = _my_attempt(attempt_id)
    page = providers.for_student(attempt.exam, attempt, current_app.config, may_publish=False)
    if page["mode"] == "off":
        raise AppError("This exam does not use the camera.")
    consent.accept(attempt.exam, attempt.user_id, page["consent"]["text"], origin=_origin())
    return providers.for_student(attempt.exam, attempt, current_app.config,
                                 may_publish=Status(attempt.status) is Status.IN_PROGRESS)


@bp.post("/api/exams/<int:exam_id>/camera/consent")
@access.require_launch(ToolRole.STUDENT)
def give_consent_before_start(exam_id):
    """Consent given in the pre-exam check, before any attempt (and its clock) exists."""
    exam = exam_services.get_exam(g.launch.course_id, exam_id)
    exam_services.require_link_exam(exam, g.launch.resource_link_id)
    return prechecks.accept_consent(exam, g.launch.user_id, current_app.config, origin=_origin())


@bp.post("/api/attempts/<int:attempt_id>/camera/token")
@access.require_launch(ToolRole.STUDENT)
def renew_student_token(attempt_id):
    attempt = _my_attempt(attempt_id)
    _require_camera_allowed(attempt)
    if providers.mode(current_app.config) != "agora":
        raise NotFound("This tool runs the camera without Agora.")
    return providers.student_token(attempt.exam, attempt, current_app.config)


@bp.post("/api/attempts/<int:attempt_id>/snapshots")
@access.require_launch(ToolRole.STUDENT)
def post_snapshot(attempt_id):
    attempt = _my_attempt(attempt_id)
    _require_camera_allowed(attempt)
    settings = camera_settings.of(attempt.exam_id)
    if settings.policy == "off":
        raise AppError("This exam does not use the camera.")
    config = current_app.config
    snapshot = snapshots.store(attempt, request.get_data(cache=False), settings=settings,
                               max_bytes=config["SNAPSHOT_MAX_BYTES"], directory=config["SNAPSHOT_DIR"],
                               flag=request.args.get("flag"), kind=request.args.get("kind", "camera"))
    return snapshots.as_dict(snapshot), 201


# --- proctors ---------------------------------------------------------------------------------------

@bp.get("/api/exams/<int:exam_id>/camera")
@access.require_launch(*PROCTORS)
def proctor_camera(exam_id):
    exam = _proctored_exam(exam_id)
    page = providers.for_proctor(exam, g.launch.user_id, current_app.config)
    page["latest"] = {attempt_id: snapshots.as_dict(s)
                      for attempt_id, s in snapshots.latest_by_attempt(exam.id).items()}
    return page


@bp.get("/api/exams/<int:exam_id>/attempts/<int:attempt_id>/snapshots")
@access.require_launch(*PROCTORS)
def attempt_snapshots(exam_id, attempt_id):
    attempt = attempt_of(_proctored_exam(exam_id), attempt_id)
    return {"snapshots": [snapshots.as_dict(s) for s in snapshots.of_attempt(attempt.id)]}


@bp.get("/api/exams/<int:exam_id>/snapshots/<int:snapshot_id>.jpg")
@access.require_launch(*PROCTORS)
def snapshot_image(exam_id, snapshot_id):
    jpeg = snapshots.image(_proctored_exam(exam_id).id, snapshot_id, current_app.config["SNAPSHOT_DIR"])
    if jpeg is None:
        raise NotFound("That picture does not exist (it may have been deleted).")
    return Response(jpeg, mimetype="image/jpeg", headers={"Cache-Control": "private, no-store"})
