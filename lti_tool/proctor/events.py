"""The room's record: every violation and proctor action is written here (and to the audit log)
before anyone is told, so a dropped socket or a Redis gap hides nothing."""

from datetime import datetime, timezone

from sqlalchemy import func, select

from lti_tool import audit
from lti_tool.db import db
from lti_tool.proctor.models import ProctorEvent

VIOLATION = "violation"
WARNING = "warning"
WARNING_ACK = "warning_ack"
PAUSE = "pause"
RESUME = "resume"
EXTEND = "extend"
TERMINATE = "terminate"
NOTE = "note"
ANNOUNCE = "announce"
EXAM_CLOSED = "exam_closed"
EXAM_EXTENDED = "exam_extended"


def record(exam, kind, *, origin, attempt_id=None, actor_user_id=None, text=None, data=None):
    """Add the event and its audit row to the caller's transaction (the student pages' events are written in
    groups by page_writes.py)."""
    event = ProctorEvent(exam_id=exam.id, attempt_id=attempt_id, actor_user_id=actor_user_id, kind=kind, text=text,
                         data=data or {})
    db.session.add(event)
    db.session.flush()
    audit.record(f"proctor.{kind}", "attempt" if attempt_id else "exam", attempt_id or exam.id,
                 actor_user_id=actor_user_id, course_id=exam.course_id, origin=origin,
                 data={"event_id": event.id, "detail": None, "text": text, **(data or {})})
    return event


def from_epoch_ms(value):
    """The page's clock (milliseconds since the epoch) as a time, or None if it is absent or absurd."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(value / 1000, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def as_dict(event):
    return {
        "id": event.id, "attempt_id": event.attempt_id, "kind": event.kind, "detail": event.detail,
        "text": event.text, "data": event.data, "actor_user_id": event.actor_user_id,
        "at": event.at.isoformat(), "client_time": event.client_time and event.client_time.isoformat(),
    }


def timeline(attempt_id, kinds=None):
    """One attempt's events (only those of `kinds`, if given), oldest first."""
    query = select(ProctorEvent).where(ProctorEvent.attempt_id == attempt_id)
    if kinds is not None:
        query = query.where(ProctorEvent.kind.in_(kinds))
    return db.session.scalars(query.order_by(ProctorEvent.at, ProctorEvent.id)).all()


def for_exam(exam_id):
    """Every event of the exam, oldest first."""
    return db.session.scalars(
        select(ProctorEvent).where(ProctorEvent.exam_id == exam_id).order_by(ProctorEvent.at, ProctorEvent.id)
    ).all()


def violation_counts(exam_id, attempt_id=None):
    """{attempt id: {violation type: count}}."""
    query = (
        select(ProctorEvent.attempt_id, ProctorEvent.detail, func.count())
        .where(ProctorEvent.exam_id == exam_id, ProctorEvent.kind == VIOLATION)
        .group_by(ProctorEvent.attempt_id, ProctorEvent.detail)
    )
    if attempt_id is not None:
        query = query.where(ProctorEvent.attempt_id == attempt_id)
    counts = {}
    for row_attempt_id, detail, count in db.session.execute(query):
        counts.setdefault(row_attempt_id, {})[detail] = count
    return counts


def last_events(exam_id):
    """{attempt id: its latest event}."""
    latest = (
        select(func.max(ProctorEvent.id)).where(ProctorEvent.exam_id == exam_id, ProctorEvent.attempt_id.is_not(None))
        .group_by(ProctorEvent.attempt_id)
    )
    return {e.attempt_id: e for e in db.session.scalars(select(ProctorEvent).where(ProctorEvent.id.in_(latest)))}
