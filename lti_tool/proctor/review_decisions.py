"""What a reviewer decides after the exam: each attempt's review status and each flag's decision. Every act is
audited with its reason. Nothing here touches a grade: changing one stays a separate, audited act of its own."""

from sqlalchemy import select

from lti_tool import audit
from lti_tool.db import db, utcnow
from lti_tool.errors import AppError, NotFound
from lti_tool.proctor import events
from lti_tool.proctor.models import AttemptReview, FlagDecision, ProctorEvent

NOT_REVIEWED, NO_CONCERN, CONCERN_NOTED, REFERRED = "not_reviewed", "no_concern", "concern_noted", "referred"
STATUSES = (NOT_REVIEWED, NO_CONCERN, CONCERN_NOTED, REFERRED)
DISMISSED, CONFIRMED = "dismissed", "confirmed"
DECISIONS = (DISMISSED, CONFIRMED)
STATUS_WORDS = {NOT_REVIEWED: "Not reviewed", NO_CONCERN: "No concern", CONCERN_NOTED: "Concern noted",
                REFERRED: "Referred to the school's misconduct process"}
DECISION_WORDS = {DISMISSED: "Dismissed", CONFIRMED: "Confirmed"}
REASON_MAX = 2000


class ReviewDecisionRefused(AppError):
    http_status = 422
    code = "review_decision_refused"
    title = "The decision was not saved"


def _reason(reason, needed, why):
    if reason is not None and not isinstance(reason, str):
        raise ReviewDecisionRefused("The reason must be text.", fields={"reason": "Write the reason as text."})
    reason = (reason or "").strip()
    if needed and not reason:
        raise ReviewDecisionRefused(why, fields={"reason": why})
    if len(reason) > REASON_MAX:
        raise ReviewDecisionRefused(f"A reason may be at most {REASON_MAX} characters.",
                                    fields={"reason": f"Shorten it to {REASON_MAX} characters."})
    return reason or None


def set_status(exam, attempt, status, reason, *, actor_user_id, origin, now=None):
    """Give the attempt a review status; every status but "no concern" needs a reason."""
    if status not in STATUSES:
        raise ReviewDecisionRefused(f"The status is one of: {', '.join(STATUSES)}.")
    reason = _reason(reason, status != NO_CONCERN,
                     f"Say why the attempt is “{STATUS_WORDS[status].lower()}”: a reason is needed for every "
                     "status but “no concern”.")
    now = now or utcnow()
    row = db.session.get(AttemptReview, attempt.id)
    before = row.status if row else NOT_REVIEWED
    if row is None:
        row = AttemptReview(attempt_id=attempt.id, exam_id=exam.id)
        db.session.add(row)
    row.status, row.reason, row.reviewer_user_id, row.reviewed_at = status, reason, actor_user_id, now
    audit.record("review.status", "attempt", attempt.id, actor_user_id=actor_user_id, course_id=exam.course_id,
                 origin=origin, data={"from": before, "to": status, "reason": reason})
    db.session.commit()
    return row


def decide_flag(exam, attempt, event_id, decision, reason, *, actor_user_id, origin, now=None):
    """Dismiss one flag of the attempt (saying why) or confirm it."""
    if decision not in DECISIONS:
        raise ReviewDecisionRefused(f"The decision is one of: {', '.join(DECISIONS)}.")
    event = db.session.get(ProctorEvent, event_id)
    if event is None or event.attempt_id != attempt.id or event.kind != events.VIOLATION:
        raise NotFound("That flag is not part of this attempt.")
    reason = _reason(reason, decision == DISMISSED,
                     "Say why the flag is dismissed (for example: keyboard focus, a known camera fault).")
    now = now or utcnow()
    row = db.session.get(FlagDecision, event.id)
    before = row.decision if row else None
    if row is None:
        row = FlagDecision(event_id=event.id, attempt_id=attempt.id)
        db.session.add(row)
    row.decision, row.reason, row.reviewer_user_id, row.decided_at = decision, reason, actor_user_id, now
    audit.record("review.flag", "attempt", attempt.id, actor_user_id=actor_user_id, course_id=exam.course_id,
                 origin=origin, data={"event_id": event.id, "flag": event.detail, "from": before, "to": decision,
                                      "reason": reason})
    db.session.commit()
    return row


def reviews_of(exam_id):
    """{attempt id: its AttemptReview} for the exam's reviewed attempts."""
    return {r.attempt_id: r for r in db.session.scalars(select(AttemptReview).filter_by(exam_id=exam_id))}


def review_of(attempt_id):
    return db.session.get(AttemptReview, attempt_id)


def flag_decisions(attempt_id):
    """{event id: its FlagDecision} for the attempt's decided flags."""
    return {d.event_id: d for d in db.session.scalars(select(FlagDecision).filter_by(attempt_id=attempt_id))}


def status_dict(row, names):
    if row is None:
        return {"status": NOT_REVIEWED, "words": STATUS_WORDS[NOT_REVIEWED], "reason": None, "reviewer": None,
                "reviewed_at": None}
    return {"status": row.status, "words": STATUS_WORDS[row.status], "reason": row.reason,
            "reviewer": names.get(row.reviewer_user_id), "reviewed_at": row.reviewed_at.isoformat()}


def decision_dict(row, names):
    if row is None:
        return None
    return {"decision": row.decision, "words": DECISION_WORDS[row.decision], "reason": row.reason,
            "reviewer": names.get(row.reviewer_user_id), "decided_at": row.decided_at.isoformat()}
