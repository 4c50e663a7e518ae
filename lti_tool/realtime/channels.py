"""Bus channel names, in one place: an exam's room (its proctors' dashboards) and one attempt (its page)."""


def exam(exam_id):
    return f"exam:{exam_id}"


def attempt(attempt_id):
    return f"attempt:{attempt_id}"


def exam_students(exam_id):
    """Every student page of an exam (announcements)."""
    return f"exam:{exam_id}:students"
