"""Drafts and publishing: a new exam (created, added from the LMS, or copied) is a draft its students neither see
nor start; its test maker publishes it once it can be taken, and may take it back to a draft while nobody has an
attempt. A test maker's preview (exam/preview.py) works on a draft and is no attempt here."""

from lti_tool import audit
from lti_tool.db import db, utcnow
from lti_tool.exam import draws, services, timer
from lti_tool.exam.errors import EditRefused

NOT_OPEN = "This exam is not open yet."


class PublishRefused(EditRefused):
    code = "publish_refused"
    title = "The exam cannot be published yet"

    def __init__(self, found):
        super().__init__(" ".join(found), hint="Fix these, then publish again.")
        self.problems = found

    def details(self):
        return {"problems": self.problems}


def is_published(exam):
    return exam.published_at is not None


def problems(exam, now=None):
    """Why students could not take the exam as it stands, every reason at once ([] when it can be published)."""
    now = now or utcnow()
    found = []
    if not draws.has_questions(exam):
        found.append("Add at least one question, or draw some from the course's question bank.")
    unanswerable = [q.position for q in exam.questions
                    if not any(o.is_correct or (o.weight or 0) > 0 for o in q.options)]
    if unanswerable:
        found.append(f"Mark a right answer in question {', '.join(map(str, unanswerable))}.")
    if exam.opens_at is not None and exam.closes_at is not None and exam.closes_at <= exam.opens_at:
        found.append("The exam must close after it opens.")
    end = timer.window_end(exam)
    if end is not None and end <= now:
        found.append("The exam has already closed: set a closing time in the future.")
    if not exam.duration_minutes or exam.duration_minutes <= 0:
        found.append("The duration must be at least one minute.")
    return found + draws.problems(exam)


def publish(exam, *, actor_user_id, origin, now=None):
    """Let students see and start the exam; refused, listing every problem, while it cannot be taken."""
    now = now or utcnow()
    found = problems(exam, now)
    if found:
        raise PublishRefused(found)
    if exam.published_at is None:
        exam.published_at = now
        audit.record("exam.published", "exam", exam.id, actor_user_id=actor_user_id, course_id=exam.course_id,
                     origin=origin)
    db.session.commit()
    return exam


def unpublish(exam, *, actor_user_id, origin):
    """Back to a draft, only while no student has an attempt (theirs would vanish from their lobby)."""
    if services.has_attempts(exam.id):
        raise EditRefused("Students have already started this exam, so it stays published.",
                          hint="Close the exam instead to stop new attempts.")
    if exam.published_at is not None:
        exam.published_at = None
        audit.record("exam.unpublished", "exam", exam.id, actor_user_id=actor_user_id, course_id=exam.course_id,
                     origin=origin)
    db.session.commit()
    return exam
