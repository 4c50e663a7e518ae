"""What the LMS gradebook holds for a student of an exam: the exam's grading method over the student's
finished attempts, queued in the outbox when it differs from the last score queued for that student and link.

Every link through which the student finished an attempt gets the exam's one grade (with one attempt, that is
the attempt's own link and score, as before grading methods). Both callers, a finalize and a change of method,
first lock the exam's row and then read the method and the attempts, so whichever commits second computes from
what the first committed: a method change racing an ending attempt cannot leave a stale grade as the last one
queued, and a grade that comes out the same is not queued twice. A finalize takes the lock shared: at the
deadline the whole class's attempts end at once and must not wait on each other, only on a change of method."""

from sqlalchemy import select

from lti_tool.db import db
from lti_tool.exam import grading_method, outbox
from lti_tool.exam.lifecycle import FINAL
from lti_tool.exam.models import Attempt, Exam


def attempts_ended(ended, now):
    """In the finalizing transaction: queue the grade of each student who has just finished an attempt, given
    when that attempt ended. Returns the outbox rows added."""
    given_at = {}
    for attempt in ended:
        key = (attempt.exam_id, attempt.user_id)
        given_at[key] = max(given_at.get(key, attempt.finished_at), attempt.finished_at)
    rows = []
    for exam_id in sorted({exam_id for exam_id, _ in given_at}):
        users = {user_id: stamp for (exam, user_id), stamp in given_at.items() if exam == exam_id}
        rows += _queue_grades(exam_id, users, now, shared=True)
    return rows


def method_changed(exam, now):
    """In the transaction that changes the exam's grading method: queue, given now, the new grade of every
    student whose grade it changes. Returns the outbox rows added."""
    return _queue_grades(exam.id, None, now, shared=False)


def grades(exam, attempts):
    """{user id: Grade} of these attempts of the exam (the finished ones count), for the marks."""
    return {user_id: grading_method.grade(exam.grading_method, finished)
            for user_id, finished in _by_user(a for a in attempts if a.status in FINAL).items()}


def _queue_grades(exam_id, given_at, now, *, shared):
    """Queue the grades of the students in `given_at` ({user id: when given}; None: every student, given now)."""
    method = _lock(exam_id, shared)
    query = select(Attempt.id, Attempt.user_id, Attempt.number, Attempt.score, Attempt.max_score,
                   Attempt.resource_link_id).where(Attempt.exam_id == exam_id, Attempt.is_preview.is_(False),
                                                   Attempt.status.in_([str(s) for s in FINAL]))
    if given_at is not None:
        query = query.where(Attempt.user_id.in_(given_at))
    scores = []
    for user_id, finished in _by_user(db.session.execute(query)).items():
        grade = grading_method.grade(method, finished)
        for link_id in sorted({a.resource_link_id for a in finished}, key=lambda link: link or 0):
            scores.append(outbox.Score(
                attempt_id=grade.counting[-1], user_id=user_id, resource_link_id=link_id,
                score_given=grade.score_given, score_maximum=grade.score_maximum,
                given_at=given_at[user_id] if given_at is not None else now,
            ))
    return outbox.queue(scores, now)


def _lock(exam_id, shared):
    """The exam's grading method, read under its row lock, shared or not (PostgreSQL: FOR SHARE / FOR UPDATE;
    SQLite has one writer at a time)."""
    return db.session.scalar(select(Exam.grading_method).where(Exam.id == exam_id).with_for_update(read=shared))


def _by_user(attempts):
    users = {}
    for attempt in attempts:
        users.setdefault(attempt.user_id, []).append(attempt)
    return users
