"""Proctoring's record: every event of an exam room (violations, warnings and their acknowledgements,
pauses, extra time, closes, notes, announcements) and each attempt's presence."""

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import UTCDateTime, db, utcnow

# SQLite only auto-increments INTEGER PRIMARY KEY, so BigInteger becomes Integer there.
EventId = BigInteger().with_variant(Integer(), "sqlite")


class ProctorEvent(db.Model):
    """One thing that happened in the room, written before anyone is told about it. `attempt_id` is
    None for what concerns the whole exam (an announcement, closing or extending it)."""

    __tablename__ = "proctor_events"
    __table_args__ = (
        Index("ix_proctor_events_exam_id_at", "exam_id", "at"),
        Index("ix_proctor_events_attempt_id_at", "attempt_id", "at"),
        # A page resending an event after a reconnect names it with the same id: recorded once.
        UniqueConstraint("attempt_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    # The violation's type (tab_hidden, copy, ...), when kind is "violation".
    detail: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    # What the student's browser said the time was: evidence, never trusted for anything else.
    client_time = mapped_column(UTCDateTime)
    client_id: Mapped[str | None] = mapped_column(String(64))
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Presence(db.Model):
    """Whether a student's exam page is there, from its socket and heartbeats. Shared by every worker,
    so a dashboard on another worker (or reconnecting) sees the same."""

    __tablename__ = "presences"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(10))
    last_seen_at = mapped_column(UTCDateTime, nullable=False)
    changed_at = mapped_column(UTCDateTime, nullable=False)


class PresenceChange(db.Model):
    """The page's presence each time its socket saw it change (online, away, offline): the review's timeline
    draws the attempt's presence from these."""

    __tablename__ = "presence_changes"

    id: Mapped[int] = mapped_column(EventId, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(10))
    at = mapped_column(UTCDateTime, nullable=False)


class PreExamCheck(db.Model):
    """What the pre-exam check saw before the attempt's clock started (proctor/prechecks.py): each step's
    outcome and detail, and when the check began and ended (the attempt's start) in server time."""

    __tablename__ = "pre_exam_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), unique=True)
    steps: Mapped[list] = mapped_column(JSON, default=list)
    began_at = mapped_column(UTCDateTime, nullable=False)
    ended_at = mapped_column(UTCDateTime, nullable=False)


class AttemptReview(db.Model):
    """A person's decision on an attempt after the exam (proctor/review_decisions.py). Kept when the camera's
    stills are deleted on schedule: the decision stays, the pictures go. No row: not reviewed yet."""

    __tablename__ = "attempt_reviews"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    reviewer_user_id: Mapped[int] = mapped_column(Integer)
    reviewed_at = mapped_column(UTCDateTime, nullable=False)


class FlagDecision(db.Model):
    """A person's decision on one flag (a violation event): dismissed, with why, or confirmed."""

    __tablename__ = "flag_decisions"

    event_id: Mapped[int] = mapped_column(EventId, ForeignKey("proctor_events.id", ondelete="CASCADE"),
                                          primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    decision: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    reviewer_user_id: Mapped[int] = mapped_column(Integer)
    decided_at = mapped_column(UTCDateTime, nullable=False)
