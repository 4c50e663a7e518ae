"""What a school files about one attempt after its review (the report page prints it to PDF), the exam's CSV of
review statuses, and the outcome a student may read of their own attempt."""

import csv
import io

from sqlalchemy import select

from lti_tool.audit import AuditEntry
from lti_tool.db import db
from lti_tool.exam import review as exam_review
from lti_tool.exam.models import Answer
from lti_tool.identity.models import User
from lti_tool.proctor import events, presence, review_decisions, review_queue
from lti_tool.proctor.camera import settings as camera_settings
from lti_tool.proctor.camera import snapshots
from lti_tool.proctor.camera.models import Consent
from lti_tool.proctor.violation_words import WORDS
from lti_tool.spreadsheet import safe_cell

CSV_COLUMNS = ("attempt_id", "name", "email", "attempt", "attempt_status", "flags", "undecided_flags",
               "review_status", "reason", "reviewer", "reviewed_at")
# What the proctors did in the room, for the report beside the flags.
PROCTOR_ACTS = (events.WARNING, events.PAUSE, events.RESUME, events.EXTEND, events.TERMINATE, events.NOTE)


def _names(user_ids):
    ids = {i for i in user_ids if i}
    return {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def statuses_csv(exam):
    """One row per student attempt of the exam, in the queue's order, with its review status."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in review_queue.queue(exam):
        review = row["review"]
        writer.writerow([safe_cell(v) for v in (
            row["attempt_id"], row["name"], row["email"], row["number"], row["status"], row["flag_count"],
            row["undecided_flags"], review["status"], review["reason"], review["reviewer"], review["reviewed_at"])])
    return out.getvalue()


def flags_with_decisions(attempt_id, names=None):
    """The attempt's flags, oldest first, each with its decision (None while undecided)."""
    flags = events.timeline(attempt_id, kinds=(events.VIOLATION,))
    decisions = review_decisions.flag_decisions(attempt_id)
    names = names if names is not None else _names(d.reviewer_user_id for d in decisions.values())
    return [{"event_id": e.id, "at": e.at.isoformat(), "type": e.detail, "words": WORDS.get(e.detail, e.detail),
             "decision": review_decisions.decision_dict(decisions.get(e.id), names)} for e in flags]


def _deletions(exam, attempt_id):
    """When the attempt's pictures were deleted: on schedule (the whole exam's, when retention ended) or on
    request (this attempt's), from the audit log."""
    rows = db.session.scalars(select(AuditEntry).where(
        ((AuditEntry.action == "camera.evidence_expired") & (AuditEntry.target_type == "exam")
         & (AuditEntry.target_id == str(exam.id)))
        | ((AuditEntry.action == "camera.evidence_deleted") & (AuditEntry.target_type == "attempt")
           & (AuditEntry.target_id == str(attempt_id)))).order_by(AuditEntry.at)).all()
    return [{"at": r.at.isoformat(), "on_schedule": r.action == "camera.evidence_expired",
             "retention_days": r.data.get("retention_days")} for r in rows]


def report(exam, attempt):
    """Everything a school files about the attempt: student, exam, times, answers saved, flags with decisions,
    the page's presence changes, the proctors' acts and notes, the consent the student agreed to, and the stills
    still kept (or when they were deleted)."""
    student = db.session.get(User, attempt.user_id)
    acts = events.timeline(attempt.id, kinds=PROCTOR_ACTS)
    review_row = review_decisions.review_of(attempt.id)
    decisions = review_decisions.flag_decisions(attempt.id)
    names = _names([*(e.actor_user_id for e in acts), review_row and review_row.reviewer_user_id,
                    *(d.reviewer_user_id for d in decisions.values())])
    answers = db.session.scalars(select(Answer).where(Answer.attempt_id == attempt.id)
                                 .order_by(Answer.saved_at)).all()
    consent = db.session.scalar(select(Consent).filter_by(exam_id=exam.id, user_id=attempt.user_id))
    position = {qid: n for n, qid in enumerate(attempt.question_order, start=1)}
    return {
        "exam": {"id": exam.id, "title": exam.title},
        "student": {"name": student.display_name, "email": student.email},
        "attempt": {"id": attempt.id, "number": attempt.number, "status": attempt.status,
                    "started_at": attempt.started_at.isoformat(), "deadline": attempt.deadline.isoformat(),
                    "finished_at": attempt.finished_at and attempt.finished_at.isoformat(),
                    "finish_reason": attempt.finish_reason, "score": attempt.score, "max_score": attempt.max_score},
        "answers": [{"question": position.get(a.question_id), "saved_at": a.saved_at.isoformat(),
                     "answered": bool(a.option_ids)} for a in answers],
        "flags": flags_with_decisions(attempt.id, names),
        "presence": presence.history(attempt.id),
        "proctor_acts": [{"at": e.at.isoformat(), "kind": e.kind, "text": e.text, "data": e.data,
                          "by": names.get(e.actor_user_id)} for e in acts],
        "review": review_decisions.status_dict(review_row, names),
        "consent": consent and {"text": consent.text, "accepted_at": consent.accepted_at.isoformat()},
        "retention_days": camera_settings.of(exam.id).retention_days,
        "stills": snapshots.for_timeline(attempt.id),
        "stills_deleted": _deletions(exam, attempt.id),
    }


def student_outcome(attempt, now):
    """A student's own review outcome, when the exam's review options show them their attempt's review now;
    None otherwise. The reviewer's name stays with the school."""
    if not exam_review.shown(attempt.exam, attempt, now):
        return None
    row = review_decisions.review_of(attempt.id)
    outcome = review_decisions.status_dict(row, {})
    flags = flags_with_decisions(attempt.id, {})
    return {"attempt_id": attempt.id, "status": outcome["status"], "words": outcome["words"],
            "reason": outcome["reason"], "reviewed_at": outcome["reviewed_at"],
            "flags": [{**f, "decision": f["decision"] and {k: v for k, v in f["decision"].items() if k != "reviewer"}}
                      for f in flags]}
