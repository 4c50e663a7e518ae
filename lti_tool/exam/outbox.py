"""The grade outbox: scores queued by exam/gradebook.py in the transaction that changes a grade, claimed
one row at a time by the sender, retried with backoff until the LMS accepts them, in order per student and link."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import aliased

from lti_tool.db import db, utcnow
from lti_tool.exam.models import Attempt, GradeOutbox
from lti_tool.identity.models import Course, ResourceLink

PENDING, SENT, FAILED = "pending", "sent", "failed"
CLAIM_SECONDS = 60
BACKOFF_MAX_SECONDS = 30 * 60


@dataclass(frozen=True)
class Score:
    """A grade for one student and link, from the attempt that makes it (the latest that counts)."""

    attempt_id: int
    user_id: int
    resource_link_id: int | None
    score_given: float
    score_maximum: float
    given_at: datetime  # the timestamp wanted; moved later if an earlier score of this student and link has it


def queue(scores, now=None):
    """Add each score that differs from the last one queued for its student and link (in the caller's
    transaction). Timestamps are whole seconds and later than any earlier score for the same student and
    link, as Moodle requires. Returns the rows added."""
    now = now or utcnow()
    latest = _latest_rows({(s.user_id, s.resource_link_id) for s in scores})
    rows = []
    for score in scores:
        key = (score.user_id, score.resource_link_id)
        previous = latest.get(key)
        if previous is not None and (previous.score_given, previous.score_maximum) == (
                score.score_given, score.score_maximum):
            continue
        latest[key] = GradeOutbox(
            attempt_id=score.attempt_id, user_id=score.user_id, resource_link_id=score.resource_link_id,
            score_given=score.score_given, score_maximum=score.score_maximum,
            timestamp=_later_than(previous.timestamp if previous else None, score.given_at),
            status=PENDING, tries=0, next_try_at=now,
        )
        rows.append(latest[key])
    db.session.add_all(rows)
    return rows


def _later_than(previous, wanted):
    """`wanted` in whole seconds, moved past `previous` (the latest score queued for that student and link)."""
    stamp = wanted.replace(microsecond=0)
    return previous + timedelta(seconds=1) if previous is not None and stamp <= previous else stamp


def _latest_rows(keys):
    """{(user id, resource link id): the latest row queued} for these keys (timestamps increase per key)."""
    if not keys:
        return {}
    rows = db.session.scalars(
        select(GradeOutbox).where(GradeOutbox.user_id.in_({user_id for user_id, _ in keys}))
        .order_by(GradeOutbox.timestamp, GradeOutbox.id)
    )
    return {(row.user_id, row.resource_link_id): row for row in rows if (row.user_id, row.resource_link_id) in keys}


def claim_due(now=None, limit=20):
    """Claim rows that are due, skipping any with an older unsent row for the same student and link
    (never a newer score before an older one). A claim lasts CLAIM_SECONDS, so a crashed sender's rows
    come back. Returns the claimed rows, committed."""
    now = now or utcnow()
    earlier = aliased(GradeOutbox)
    older_pending = exists().where(
        earlier.user_id == GradeOutbox.user_id,
        earlier.resource_link_id.is_not_distinct_from(GradeOutbox.resource_link_id),
        earlier.status == PENDING,
        earlier.id < GradeOutbox.id,
    )
    candidates = (
        select(GradeOutbox.id)
        .where(
            GradeOutbox.status == PENDING,
            GradeOutbox.next_try_at <= now,
            or_(GradeOutbox.claimed_until.is_(None), GradeOutbox.claimed_until < now),
            ~older_pending,
        )
        .order_by(GradeOutbox.next_try_at, GradeOutbox.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(candidates))
    claimed = []
    for row_id in ids:
        # The conditional update is the claim: two senders never both win one row.
        won = db.session.execute(
            update(GradeOutbox)
            .where(GradeOutbox.id == row_id, GradeOutbox.status == PENDING,
                   or_(GradeOutbox.claimed_until.is_(None), GradeOutbox.claimed_until < now))
            .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
            .execution_options(synchronize_session=False)
        ).rowcount
        if won:
            claimed.append(row_id)
    db.session.commit()
    return [db.session.get(GradeOutbox, row_id) for row_id in claimed]


def mark_sent(row, now=None):
    return _settle(row, status=SENT, sent_at=now or utcnow(), last_error=None)


def mark_failed(row, error):
    """The LMS refused the score for good (a 4xx): keep it visible with the LMS's message."""
    return _settle(row, status=FAILED, last_error=error[:2000])


def retry_later(row, error, *, base_seconds, now=None, rng=random.random):
    """The LMS was down or slow: try again after an exponential backoff from `base_seconds`, with jitter."""
    now = now or utcnow()
    delay = base_seconds * 2 ** min(row.tries, 20) * (0.5 + rng())
    return _settle(row, next_try_at=now + timedelta(seconds=min(BACKOFF_MAX_SECONDS, delay)),
                   last_error=error[:2000])


def bring_forward(platform_id, now=None):
    """The platform has just taken a score, so it is up: its scores still backing off from an outage are due
    now rather than when their backoff ends (up to BACKOFF_MAX_SECONDS later). Returns how many. The order per
    student and link still holds: claim_due never takes a row before an older one."""
    now = now or utcnow()
    links = (select(ResourceLink.id).join(Course, Course.id == ResourceLink.course_id)
             .where(Course.platform_id == platform_id))
    moved = db.session.execute(
        update(GradeOutbox)
        .where(GradeOutbox.status == PENDING, GradeOutbox.next_try_at > now, GradeOutbox.resource_link_id.in_(links))
        .values(next_try_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return moved


def _settle(row, **values):
    """Record a send's outcome and release the claim, only while this sender still holds the claim (a
    run that outlived it lost the row to another sender, whose outcome stands). Returns whether it did."""
    held = db.session.execute(
        update(GradeOutbox)
        .where(GradeOutbox.id == row.id, GradeOutbox.status == PENDING,
               GradeOutbox.claimed_until == row.claimed_until)
        .values(claimed_until=None, tries=GradeOutbox.tries + 1, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return bool(held)


def resend(row, now=None):
    """A test maker asks to send a score again. It gets a new timestamp, later than any score sent for
    this student and link, so the LMS takes it as the newest rather than refusing or misordering it."""
    now = now or utcnow()
    key = (row.user_id, row.resource_link_id)
    row.timestamp = _later_than(_latest_rows({key})[key].timestamp, now)
    row.status, row.next_try_at, row.claimed_until = PENDING, now, None
    db.session.commit()


def for_exam(exam_id):
    """Every queued score of an exam, oldest first, for the test maker's passback view."""
    return db.session.scalars(
        select(GradeOutbox).join(Attempt, Attempt.id == GradeOutbox.attempt_id)
        .where(Attempt.exam_id == exam_id).order_by(GradeOutbox.id)
    ).all()
