"""An exam's camera rules, as the test maker sets them: the policy without a camera, face checks, the
snapshot cadence and size, how long evidence is kept, and whether the student also shares their screen."""

from lti_tool import audit
from lti_tool.db import db
from lti_tool.errors import AppError
from lti_tool.exam import copies
from lti_tool.proctor.camera.models import CameraSettings

POLICIES = ("off", "required", "optional")
SWITCHES = ("face_checks", "screen_share")
LIMITS = {"snapshot_interval_seconds": (5, 300), "snapshot_width": (160, 640), "retention_days": (1, 3650)}


class InvalidCameraSettings(AppError):
    code = "invalid_camera_settings"
    title = "Those camera settings cannot be saved"


def of(exam_id):
    """The exam's settings, or the defaults (camera off) for an exam that has none."""
    settings = db.session.get(CameraSettings, exam_id)
    if settings is None:
        settings = CameraSettings(exam_id=exam_id, policy="off", face_checks=True, snapshot_interval_seconds=10,
                                  snapshot_width=320, retention_days=30, screen_share=False)
    return settings


@copies.copied.connect
def copy_with_exam(source, *, copy):
    """A copy of an exam (a duplicate, or into a new term's course) keeps its camera rules."""
    settings = db.session.get(CameraSettings, source.id)
    if settings is not None:
        db.session.add(CameraSettings(exam_id=copy.id, **as_dict(settings)))


def as_dict(settings):
    return {"policy": settings.policy, "face_checks": settings.face_checks,
            "snapshot_interval_seconds": settings.snapshot_interval_seconds,
            "snapshot_width": settings.snapshot_width, "retention_days": settings.retention_days,
            "screen_share": settings.screen_share}


def update(exam, changes, *, actor_user_id, origin):
    if not isinstance(changes, dict):
        raise InvalidCameraSettings("Send the settings as a JSON object.")
    unknown = set(changes) - {"policy", *SWITCHES, *LIMITS}
    if unknown:
        raise InvalidCameraSettings(f"Unknown camera settings: {', '.join(sorted(unknown))}.")
    settings = of(exam.id)
    if "policy" in changes:
        if changes["policy"] not in POLICIES:
            raise InvalidCameraSettings(f"The camera policy is one of: {', '.join(POLICIES)}.",
                                        fields={"policy": f"Choose one of: {', '.join(POLICIES)}."})
        settings.policy = changes["policy"]
    for name in SWITCHES:
        if name in changes:
            if not isinstance(changes[name], bool):
                raise InvalidCameraSettings(f"{name} is true or false.", fields={name: "Must be true or false."})
            setattr(settings, name, changes[name])
    for name, (low, high) in LIMITS.items():
        if name in changes:
            value = changes[name]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                problem = f"must be a whole number from {low} to {high}"
                raise InvalidCameraSettings(f"{name.replace('_', ' ')} {problem}.", fields={name: f"M{problem[1:]}."})
            setattr(settings, name, value)
    db.session.add(settings)
    audit.record("camera.settings_changed", "exam", exam.id, actor_user_id=actor_user_id, course_id=exam.course_id,
                 origin=origin, data=as_dict(settings))
    db.session.commit()
    return settings
