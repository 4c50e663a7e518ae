"""A test maker's preview: they take the exam as its students see it (questions, timer, saving, submit, the
result), on a draft too. A preview is an attempt flagged `is_preview`, numbered 0 (students' attempts count from
1), so it saves, times out and is graded by the one finalize path of exam/attempts.py; that path never queues a
preview to the gradebook, notices.py never tells the live room of one, and the roster, the marks and the
gradebook read students' attempts only. Starting again after a finished preview replaces it; two starts at once
(a double click, two tabs) get the same preview."""

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from lti_tool import audit
from lti_tool.db import commit_keeping_loaded, db, utcnow
from lti_tool.exam import attempts, draws
from lti_tool.exam.lifecycle import OPEN, Status
from lti_tool.exam.models import Answer, Attempt

NUMBER = 0


def start_or_resume(exam, user_id, *, origin, grace_seconds, now=None):
    """The test maker's open preview of the exam, or a new one (their finished one is replaced). Its deadline is
    the exam's duration from now: a preview is not held to the window, which may not have opened yet."""
    now = now or utcnow()
    current = attempts.latest(exam.id, user_id, preview=True)
    if current is not None:
        current = attempts.finalize_if_overdue(current, grace_seconds=grace_seconds, now=now)
        if Status(current.status) in OPEN:
            return current
    if not draws.has_questions(exam):
        raise attempts.AttemptRefused("Add a question before previewing the exam.")
    attempt = attempts.new_attempt(exam, user_id, NUMBER, None, now,
                                   now + timedelta(minutes=exam.duration_minutes), is_preview=True)
    try:
        with db.session.begin_nested():
            if current is not None:
                # Statements, not session.delete(): another start may have replaced it first (0 rows deleted).
                db.session.execute(delete(Answer).where(Answer.attempt_id == current.id))
                db.session.execute(delete(Attempt).where(Attempt.id == current.id))
            db.session.add(attempt)
    except IntegrityError:
        # Another start of the same test maker stored its preview first: that one is theirs.
        return attempts.latest(exam.id, user_id, preview=True)
    audit.record("attempt.preview_started", "attempt", attempt.id, actor_user_id=user_id, course_id=exam.course_id,
                 data={"exam_id": exam.id}, origin=origin)
    commit_keeping_loaded()  # shown as written, with the questions it drew (attempts.questions_in_order)
    return attempt
