"""After the exam: each attempt's timeline and the exam's irregularity report (CSV)."""

import csv
import io

from lti_tool.exam import roster
from lti_tool.proctor import events
from lti_tool.proctor.violation_words import WORDS
from lti_tool.spreadsheet import safe_cell

CSV_COLUMNS = ("at", "name", "email", "attempt_id", "event", "type", "description", "text", "by", "client_time")
# What belongs in an irregularity report: what the student did and what the proctors did about it.
IRREGULAR = {events.VIOLATION, events.WARNING, events.WARNING_ACK, events.PAUSE, events.RESUME, events.EXTEND,
             events.TERMINATE, events.NOTE}


def irregularities_csv(exam, names):
    """One row per irregular event of the exam, oldest first. `names` maps user ids to display names."""
    students = {attempt.id: user for user, attempt in roster.students(exam) if attempt is not None}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for event in events.for_exam(exam.id):
        if event.kind not in IRREGULAR:
            continue
        student = students.get(event.attempt_id)
        description = WORDS.get(event.detail, event.detail) if event.kind == events.VIOLATION else None
        writer.writerow([safe_cell(v) for v in (
            event.at.isoformat(), student and student.display_name, student and student.email, event.attempt_id,
            event.kind, event.detail, description, event.text, names.get(event.actor_user_id),
            event.client_time and event.client_time.isoformat(),
        )])
    return out.getvalue()
