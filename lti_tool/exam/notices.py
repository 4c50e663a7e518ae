"""What the exam tells the real-time side, after commit: an attempt started, changed or ended (one message
on the exam's channel and the attempt's), or the exam's proctors changed. The proctoring package turns it
into what each page needs; the exam never imports proctoring."""

from lti_tool.realtime import channels, on_commit


def attempt_changed(attempt):
    """Nothing is said of a test maker's preview (exam/preview.py): it is no student's attempt."""
    if attempt.is_preview:
        return
    message = {
        "type": "attempt", "attempt_id": attempt.id, "exam_id": attempt.exam_id, "user_id": attempt.user_id,
        "status": attempt.status, "deadline": attempt.deadline.isoformat(),
        "paused_at": attempt.paused_at and attempt.paused_at.isoformat(),
        "finish_reason": attempt.finish_reason,
    }
    on_commit.publish(channels.exam(attempt.exam_id), message)
    on_commit.publish(channels.attempt(attempt.id), message)


def proctors_changed(exam):
    """The exam's proctor list has changed: every worker re-checks the dashboards open on it, after commit."""
    on_commit.publish(channels.access(), {"type": "proctors_changed", "exam_id": exam.id})
