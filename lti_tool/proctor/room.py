"""The exam room as a dashboard shows it: every student of the course (also those who have not started),
with attempt status, deadline, presence, violation counts by type and the latest event. Built from the
database, so a dashboard that (re)connects misses nothing."""

from lti_tool.db import utcnow
from lti_tool.exam import roster, timer
from lti_tool.exam.lifecycle import Status
from lti_tool.proctor import events, presence


def snapshot(exam, now=None):
    """The `roster` message: the exam, the server's time and a row per student."""
    now = now or utcnow()
    pairs = roster.students(exam)
    attempt_ids = [attempt.id for _, attempt in pairs if attempt is not None]
    present = presence.for_attempts(attempt_ids, now)
    counts = events.violation_counts(exam.id)
    latest = events.last_events(exam.id)
    return {
        "type": "roster", "now": now.isoformat(),
        "exam": {"id": exam.id, "title": exam.title, "closes_at": exam.closes_at and exam.closes_at.isoformat(),
                 "closed": exam.closed_at is not None},
        "students": [student_row(user, attempt, present, counts, latest, now) for user, attempt in pairs],
    }


def student_row(user, attempt, present, counts, latest, now):
    row = {"user_id": user.id, "name": user.display_name, "email": user.email, "attempt_id": None,
           "status": "not_started", "deadline": None, "paused": False, "seconds_left": None,
           "presence": presence.OFFLINE, "last_seen_at": None, "violations": {}, "last_event": None}
    if attempt is None:
        return row
    seen = present.get(attempt.id, {})
    last = latest.get(attempt.id)
    row.update(
        attempt_id=attempt.id, status=attempt.status, deadline=attempt.deadline.isoformat(),
        paused=Status(attempt.status) is Status.PAUSED,
        seconds_left=timer.seconds_left(attempt, now) if attempt.finished_at is None else 0,
        presence=seen.get("state", presence.OFFLINE), last_seen_at=seen.get("last_seen_at"),
        violations=counts.get(attempt.id, {}), last_event=last and events.as_dict(last),
    )
    return row
