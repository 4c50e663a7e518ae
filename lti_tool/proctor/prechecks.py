"""The pre-exam check (issue 13): before an attempt's clock starts, the student's page checks what the exam needs
(the LMS frame's permissions, the camera's consent, the camera, faces, the shared screen, full screen) and says
what to do about each. The attempt starts only when the student presses Start after it, so nothing of the check
counts against time; what the check saw is kept with the attempt for the proctors. The server's own rule is the
consent: an exam whose camera is required does not start without it. A face count is advice to the student and
evidence for a person, never a reason to refuse a start (DESIGN §6)."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from lti_tool import audit
from lti_tool.db import db, utcnow
from lti_tool.errors import AppError
from lti_tool.exam import attempts
from lti_tool.proctor.camera import consent, providers
from lti_tool.proctor.camera import settings as camera_settings
from lti_tool.proctor.models import PreExamCheck

STEPS = ("frame", "consent", "camera", "faces", "screen", "fullscreen")
OUTCOMES = ("passed", "failed", "declined", "skipped")
SURFACES = ("monitor", "window", "browser")
STEP_KEYS = {"name", "outcome", "detail", "seconds", "faces", "surface"}
MAX_DETAIL = 200
MAX_SECONDS = 24 * 3600
# A check begun longer ago than this is not the one that led to this start (a page left open overnight).
MAX_AGE = timedelta(hours=12)
CLOCK_SKEW = timedelta(seconds=5)

# step -> (passed, not passed)
WORDS = {"frame": ("LMS frame allows it", "LMS frame blocks it"), "consent": ("consent given", "consent declined"),
         "camera": ("camera working", "camera not working"), "screen": ("entire screen shared", "screen not shared"),
         "fullscreen": ("full screen", "no full screen")}


class InvalidCheck(AppError):
    http_status = 422
    code = "invalid_pre_exam_check"
    title = "The pre-exam check's record was refused"


class ConsentMissing(AppError):
    http_status = 409
    code = "camera_consent_missing"
    title = "The camera notice comes first"


def needs(exam, user_id, config, now=None):
    """What this exam's check has the student do, in order, with the consent text and whether it was given, and
    the server's time the check begins at (sent back with the start)."""
    settings = camera_settings.of(exam.id)
    mode = providers.mode(config) if settings.policy != "off" else "off"
    camera = mode != "off"
    steps = [name for name, wanted in (
        ("frame", camera or exam.require_fullscreen), ("consent", camera), ("camera", camera),
        ("faces", camera and settings.face_checks), ("screen", camera and settings.screen_share),
        ("fullscreen", exam.require_fullscreen)) if wanted]
    return {
        "exam_id": exam.id, "began_at": (now or utcnow()).isoformat(), "steps": steps,
        "camera": {"mode": mode, "policy": settings.policy, "face_checks": camera and settings.face_checks,
                   "screen_share": camera and settings.screen_share},
        "fullscreen": exam.require_fullscreen,
        "consent": camera and {"text": consent.text(exam, settings, mode), "given": consent.given(exam.id, user_id)},
    }


def accept_consent(exam, user_id, config, *, origin):
    """The student agreed to the camera notice during the check, before any attempt exists."""
    page = needs(exam, user_id, config)
    if not page["consent"]:
        raise AppError("This exam does not use the camera.")
    consent.accept(exam, user_id, page["consent"]["text"], origin=origin)
    return needs(exam, user_id, config)


def parse(record, wanted, now):
    """The posted record, checked strictly: known steps this exam has, known outcomes, bounded sizes."""
    if not isinstance(record, dict) or set(record) - {"began_at", "steps"}:
        raise InvalidCheck("The check's record is an object with “began_at” and “steps”.")
    began = _moment(record.get("began_at"))
    if began is None or not now - MAX_AGE <= began <= now + CLOCK_SKEW:
        raise InvalidCheck("“began_at” must be the time the server gave when the check began, within 12 hours.")
    steps = record.get("steps")
    if not isinstance(steps, list) or len(steps) > len(STEPS):
        raise InvalidCheck(f"“steps” is a list of at most {len(STEPS)} steps.")
    kept = []
    for step in steps:
        kept.append(_step(step, wanted))
    names = [step["name"] for step in kept]
    if len(set(names)) != len(names):
        raise InvalidCheck("Each step is recorded once.")
    return min(began, now), kept


def _step(step, wanted):
    if not isinstance(step, dict) or set(step) - STEP_KEYS:
        raise InvalidCheck(f"A step is an object with some of: {', '.join(sorted(STEP_KEYS))}.")
    name = step.get("name")
    if name not in STEPS:
        raise InvalidCheck(f"Unknown step {str(name)[:40]!r}; the steps are: {', '.join(STEPS)}.")
    if name not in wanted:
        raise InvalidCheck(f"This exam's check has no “{name}” step.")
    if step.get("outcome") not in OUTCOMES:
        raise InvalidCheck(f"A step's outcome is one of: {', '.join(OUTCOMES)}.")
    detail = step.get("detail", "")
    if not isinstance(detail, str) or len(detail) > MAX_DETAIL:
        raise InvalidCheck(f"A step's detail is text of at most {MAX_DETAIL} characters.")
    seconds = step.get("seconds", 0)
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 0 <= seconds <= MAX_SECONDS:
        raise InvalidCheck("A step's seconds are a number from 0 to 86400.")
    kept = {"name": name, "outcome": step["outcome"], "detail": detail, "seconds": round(seconds, 1)}
    if "faces" in step:
        if name != "faces" or not isinstance(step["faces"], int) or isinstance(step["faces"], bool) \
                or not 0 <= step["faces"] <= 20:
            raise InvalidCheck("“faces” is a count from 0 to 20, on the faces step.")
        kept["faces"] = step["faces"]
    if "surface" in step:
        if name != "screen" or step["surface"] not in SURFACES:
            raise InvalidCheck(f"“surface” is one of {', '.join(SURFACES)}, on the screen step.")
        kept["surface"] = step["surface"]
    return kept


def _moment(value):
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) and len(value) <= 40 else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _wanted(exam, user_id):
    return needs(exam, user_id, current_app.config)


@attempts.starting.connect
def refuse_unready_start(exam, *, user_id, check, now):
    page = _wanted(exam, user_id)
    if page["camera"]["policy"] == "required" and page["consent"] and not page["consent"]["given"]:
        raise ConsentMissing("This exam cannot start before you agree to the camera notice.",
                             hint="Press “Start the exam” in the lobby: the pre-exam check shows the notice.")
    if check is not None:
        parse(check, page["steps"], now)


@attempts.started.connect
def keep_with_attempt(attempt, *, check, origin, now):
    if check is None:
        return
    began, steps = parse(check, _wanted(attempt.exam, attempt.user_id)["steps"], now)
    db.session.add(PreExamCheck(attempt_id=attempt.id, steps=steps, began_at=began, ended_at=now))
    audit.record("attempt.pre_exam_check", "attempt", attempt.id, actor_user_id=attempt.user_id,
                 course_id=attempt.exam.course_id, origin=origin,
                 data={"steps": steps, "began_at": began.isoformat(), "seconds": round((now - began).total_seconds())})


def of(attempt_id):
    return db.session.scalar(select(PreExamCheck).filter_by(attempt_id=attempt_id))


def as_dict(check):
    """For the proctors: each step, when it began and ended, and one line that says it."""
    if check is None:
        return None
    return {"steps": check.steps, "began_at": check.began_at.isoformat(), "ended_at": check.ended_at.isoformat(),
            "summary": summary(check)}


def summary(check):
    """“Pre-exam check: camera working, 1 face, full screen; took 1 min 12 s”."""
    parts = []
    for step in check.steps:
        if step["name"] == "faces":
            seen = step.get("faces")
            said = "face count unknown" if seen is None else f"{seen} face{'' if seen == 1 else 's'}"
        else:
            said = WORDS[step["name"]][step["outcome"] != "passed"]
        parts.append(said)
    minutes, seconds = divmod(round((check.ended_at - check.began_at).total_seconds()), 60)
    took = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
    return f"Pre-exam check: {', '.join(parts) or 'nothing to check'}; took {took}"
