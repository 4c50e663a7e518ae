"""The outbox's own rules: claims, settling only under a held claim, backoff bounds, resend."""

from datetime import timedelta

from lti_tool.db import db, utcnow
from lti_tool.exam import outbox
from lti_tool.exam.models import Attempt, GradeOutbox


def finished_attempt(course, sub="s1"):
    exam = course.exam(questions=1)
    student = course.student(sub)
    attempt = course.call("POST", f"/api/exams/{exam['id']}/attempts", student).json
    course.call("POST", f"/api/attempts/{attempt['id']}/submit", student)
    return db.session.get(Attempt, attempt["id"])


def test_a_sender_whose_claim_ran_out_cannot_overwrite_the_next_senders_outcome(course):
    finished_attempt(course)
    now = utcnow()
    [slow] = outbox.claim_due(now=now)
    later = now + timedelta(seconds=outbox.CLAIM_SECONDS + 1)
    [fast] = outbox.claim_due(now=later)
    assert fast.id == slow.id
    stale_claim = slow.claimed_until - timedelta(seconds=outbox.CLAIM_SECONDS + 1)
    slow.claimed_until = stale_claim  # what the slow sender still believes it holds
    db.session.expunge(slow)
    assert outbox.mark_failed(slow, "late answer from a slow run") is False
    fresh = db.session.get(GradeOutbox, fast.id)
    assert outbox.mark_sent(fresh, now=later) is True
    db.session.expire_all()
    row = db.session.get(GradeOutbox, fast.id)
    assert (row.status, row.tries, row.claimed_until) == ("sent", 1, None)


def test_backoff_never_exceeds_its_cap_even_with_jitter(course):
    finished_attempt(course)
    now = utcnow()
    for _ in range(15):
        [row] = outbox.claim_due(now=now + timedelta(days=1))
        outbox.retry_later(row, "503", base_seconds=5, now=now, rng=lambda: 0.999)
        db.session.expire_all()
        row = db.session.get(GradeOutbox, row.id)
        assert row.next_try_at - now <= timedelta(seconds=outbox.BACKOFF_MAX_SECONDS)
    assert row.tries == 15


def test_resend_gives_a_later_timestamp_than_any_sent_score(course):
    attempt = finished_attempt(course)
    [row] = outbox.claim_due()
    outbox.mark_sent(row)
    db.session.expire_all()
    row = db.session.get(GradeOutbox, row.id)
    first_stamp = row.timestamp
    outbox.resend(row)
    assert row.status == "pending" and row.timestamp > first_stamp
    assert attempt.id == row.attempt_id
