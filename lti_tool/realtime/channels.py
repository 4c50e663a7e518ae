"""Bus channel names, in one place: an exam's room (its proctors' dashboards), one attempt (its page), and
changes of who may do what."""


def exam(exam_id):
    return f"exam:{exam_id}"


def attempt(attempt_id):
    return f"attempt:{attempt_id}"


def exam_students(exam_id):
    """Every student page of an exam (announcements)."""
    return f"exam:{exam_id}:students"


def access():
    """Rights lost (a role in a course, a place on an exam's proctor list): every worker hears it once and
    re-checks the open sockets concerned, so no socket needs a subscription of its own."""
    return "access"
