"""What a proctor (or the exam's test maker) does to one attempt or to the whole room. Each action is
written to the database first (the event, the audit row and any change to the attempt, in one
transaction); the pages hear of it after the commit."""

from lti_tool.db import db
from lti_tool.errors import AppError, NotFound
from lti_tool.exam import attempts
from lti_tool.exam.lifecycle import OPEN, Status
from lti_tool.exam.models import Attempt
from lti_tool.proctor import events
from lti_tool.realtime import channels, on_commit


class ActionRefused(AppError):
    code = "action_refused"
    title = "That cannot be done now"
    http_status = 409


def attempt_of(exam, attempt_id):
    """An attempt of this exam (anything else is 'not found', also for another exam's attempt)."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.exam_id != exam.id:
        raise NotFound("That attempt is not part of this exam.")
    return attempt


def warn(exam, attempt, text, *, actor_user_id, origin):
    """A warning the student must acknowledge; it reaches the page now, or when the page comes back."""
    require_open(attempt)
    warning = events.record(exam, events.WARNING, attempt_id=attempt.id, actor_user_id=actor_user_id,
                            text=_required(text, "A warning needs a text."), origin=origin)
    on_commit.publish(channels.attempt(attempt.id), student_warning(warning))
    _tell_room(exam, warning)
    db.session.commit()
    return warning


def student_warning(warning):
    return {"type": "warn", "warning_id": warning.id, "text": warning.text, "at": warning.at.isoformat()}


def pending_warnings(attempt_id):
    """Warnings the student has not acknowledged yet, oldest first."""
    # Only warnings and acknowledgements: every page (re)connecting asks, and violations can be many.
    timeline = events.timeline(attempt_id, kinds=(events.WARNING, events.WARNING_ACK))
    acknowledged = {e.data.get("warning_id") for e in timeline if e.kind == events.WARNING_ACK}
    return [e for e in timeline if e.kind == events.WARNING and e.id not in acknowledged]


def pause(exam, attempt, reason, *, actor_user_id, origin):
    return _with_event(exam, attempt, events.PAUSE, actor_user_id, origin, text=reason,
                       change=lambda: attempts.pause(attempt, actor_user_id=actor_user_id, origin=origin,
                                                     reason=reason))


def resume(exam, attempt, *, actor_user_id, origin):
    return _with_event(exam, attempt, events.RESUME, actor_user_id, origin,
                       change=lambda: attempts.resume(attempt, actor_user_id=actor_user_id, origin=origin))


def extend(exam, attempt, minutes, *, actor_user_id, origin):
    return _with_event(exam, attempt, events.EXTEND, actor_user_id, origin, data={"minutes": minutes},
                       change=lambda: attempts.extend(attempt, minutes, actor_user_id=actor_user_id, origin=origin))


def terminate(exam, attempt, reason, *, actor_user_id, origin):
    reason = _required(reason, "A reason is required to close an attempt.")
    return _with_event(exam, attempt, events.TERMINATE, actor_user_id, origin, text=reason,
                       change=lambda: attempts.force_close(attempt, actor_user_id=actor_user_id, origin=origin,
                                                           reason=reason))


def _with_event(exam, attempt, kind, actor_user_id, origin, *, change, text=None, data=None):
    """Record the event, then make the change, whose commit carries both; a refused change records nothing."""
    event = events.record(exam, kind, attempt_id=attempt.id, actor_user_id=actor_user_id, text=text, data=data,
                          origin=origin)
    _tell_room(exam, event)
    try:
        change()
    except AppError:
        db.session.rollback()
        raise
    return event


def note(exam, attempt, text, *, actor_user_id, origin):
    """A proctor's note on a student: for the record and the other proctors, never shown to the student."""
    event = events.record(exam, events.NOTE, attempt_id=attempt.id, actor_user_id=actor_user_id,
                          text=_required(text, "A note needs a text."), origin=origin)
    _tell_room(exam, event)
    db.session.commit()
    return event


def announce(exam, text, *, actor_user_id, origin):
    """A message to every student of the exam."""
    event = events.record(exam, events.ANNOUNCE, actor_user_id=actor_user_id,
                          text=_required(text, "An announcement needs a text."), origin=origin)
    on_commit.publish(channels.exam_students(exam.id), {"type": "announce", "text": event.text,
                                                        "at": event.at.isoformat()})
    _tell_room(exam, event)
    db.session.commit()
    return event


def close_exam(exam, *, actor_user_id, origin):
    """End the exam now: every open attempt is finalized."""
    _tell_room(exam, events.record(exam, events.EXAM_CLOSED, actor_user_id=actor_user_id, origin=origin))
    return attempts.close_exam(exam, actor_user_id=actor_user_id, origin=origin)


def extend_exam(exam, minutes, *, actor_user_id, origin):
    """More time for everyone still taking the exam (and a later close)."""
    _tell_room(exam, events.record(exam, events.EXAM_EXTENDED, actor_user_id=actor_user_id,
                                   data={"minutes": minutes}, origin=origin))
    try:
        return attempts.extend_exam(exam, minutes, actor_user_id=actor_user_id, origin=origin)
    except AppError:
        db.session.rollback()
        raise


def _tell_room(exam, event):
    on_commit.publish(channels.exam(exam.id), {"type": "event", "event": events.as_dict(event)})


def require_open(attempt):
    if Status(attempt.status) not in OPEN:
        raise ActionRefused("This attempt has already ended.")


def _required(text, message):
    if not isinstance(text, str) or not text.strip():
        raise ActionRefused(message)
    return text.strip()
