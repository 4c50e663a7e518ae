"""Exams, their questions and options, accommodations, attempts, answers and the grade outbox."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import false, true

from lti_tool.db import UTCDateTime, db, utcnow


class Exam(db.Model):
    __tablename__ = "exams"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    instructions: Mapped[str] = mapped_column(Text, default="")
    # The window in which attempts can be started and must end; None means unbounded on that side.
    opens_at = mapped_column(UTCDateTime)
    closes_at = mapped_column(UTCDateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=False)
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts_allowed: Mapped[int] = mapped_column(Integer, default=1)
    # Which finished attempts make the grade the LMS gets (exam/grading_method.py).
    grading_method: Mapped[str] = mapped_column(String(10), default="highest", server_default="highest")
    pass_mark: Mapped[float | None] = mapped_column(Float)  # percent
    # Review options (exam/review.py): when a student sees a finished attempt's review, and what it shows.
    review_when: Mapped[str] = mapped_column(String(12), default="never", server_default="never")
    review_score: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    review_answers: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    review_right_answers: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    review_explanations: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    partial_credit: Mapped[bool] = mapped_column(Boolean, default=False)
    # The student's page asks for full screen before showing questions and tells the proctor when it is left.
    require_fullscreen: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)
    # Set when a test maker closes the exam before its window ends.
    closed_at = mapped_column(UTCDateTime)
    # None while the exam is a draft: students neither see nor start it (exam/publishing.py).
    published_at = mapped_column(UTCDateTime)
    archived_at = mapped_column(UTCDateTime)
    # The exam of another course this one was copied from at a term rollover (exam/copies.py).
    copied_from_exam_id: Mapped[int | None] = mapped_column(ForeignKey("exams.id", ondelete="SET NULL"))

    questions: Mapped[list["Question"]] = relationship(
        back_populates="exam", cascade="all, delete-orphan", order_by="Question.position"
    )
    draws: Mapped[list["Draw"]] = relationship(cascade="all, delete-orphan", order_by="Draw.category")


class Question(db.Model):
    """A question of one exam, or of its course's question bank (lti_tool/bank/), which the course's exams draw
    from: exactly one of `exam_id` and `bank_course_id` is set."""

    __tablename__ = "questions"
    __table_args__ = (
        Index("ix_questions_exam_position", "exam_id", "position"),
        Index("ix_questions_bank_category", "bank_course_id", "category"),
        CheckConstraint("(exam_id IS NULL) <> (bank_course_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int | None] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"))
    bank_course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # "single" or "multi"
    text: Mapped[str] = mapped_column(Text)
    points: Mapped[float] = mapped_column(Float, default=1.0)
    explanation: Mapped[str | None] = mapped_column(Text)
    # Of the text, the options and the explanation together: "plain" or "html" (lti_tool/content/rich_text.py).
    text_format: Mapped[str] = mapped_column(String(5), default="plain", server_default="plain")
    # The test maker's grouping ("" for none); a category with a draw rule is a pool (exam/draws.py).
    category: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Raised by each change of wording once students have taken the exam (exam/versions.py).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The test maker's labels for finding questions in the bank (lti_tool/exam/tags.py); None or [] for none.
    tags: Mapped[list | None] = mapped_column(JSON)

    exam: Mapped[Exam | None] = relationship(back_populates="questions")
    # Read for all the questions loaded at once (one statement), not one statement per question: an exam's edit
    # page, its marks and the course bank list hundreds.
    options: Mapped[list["Option"]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="Option.position", lazy="selectin"
    )


class QuestionVersion(db.Model):
    """A question's wording as it was before an edit made after students took the exam (exam/versions.py)."""

    __tablename__ = "question_versions"
    __table_args__ = (UniqueConstraint("question_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str | None] = mapped_column(Text)
    text_format: Mapped[str] = mapped_column(String(5))
    option_texts: Mapped[dict] = mapped_column(JSON)  # {option id: its text then}
    replaced_at = mapped_column(UTCDateTime, nullable=False)


class Option(db.Model):
    __tablename__ = "options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    is_correct: Mapped[bool] = mapped_column(Boolean, default=False)
    # Partial-credit weight in percent (-100..100) for multi-answer questions; None = not weighted.
    weight: Mapped[float | None] = mapped_column(Float)

    question: Mapped[Question] = relationship(back_populates="options")


class Draw(db.Model):
    """A random slot: each attempt gets `count` questions drawn from the exam's questions of `category`."""

    __tablename__ = "exam_draws"
    __table_args__ = (UniqueConstraint("exam_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(200))
    count: Mapped[int] = mapped_column(Integer)


class Accommodation(db.Model):
    """Extra time for one student in one exam: minutes added, or the duration multiplied."""

    __tablename__ = "accommodations"
    __table_args__ = (UniqueConstraint("exam_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    extra_minutes: Mapped[int] = mapped_column(Integer, default=0)
    time_multiplier: Mapped[float] = mapped_column(Float, default=1.0)


class ExamProctor(db.Model):
    """A person of the course the test maker listed as a proctor of one exam (by user, never by email:
    two accounts can share an email)."""

    __tablename__ = "exam_proctors"
    __table_args__ = (UniqueConstraint("exam_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class Attempt(db.Model):
    """One student's attempt at an exam; its status moves only through exam/lifecycle.py."""

    __tablename__ = "attempts"
    __table_args__ = (UniqueConstraint("exam_id", "user_id", "number"),)
    # Not a column: {question id: question} on an attempt this request started, so showing it reads them not again.
    drawn = None

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    resource_link_id: Mapped[int | None] = mapped_column(ForeignKey("resource_links.id", ondelete="SET NULL"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    started_at = mapped_column(UTCDateTime, nullable=False)
    deadline = mapped_column(UTCDateTime, nullable=False)
    paused_at = mapped_column(UTCDateTime)
    finished_at = mapped_column(UTCDateTime)
    last_saved_at = mapped_column(UTCDateTime)
    # When the sweeper must look at this attempt (its deadline); None once final or while paused.
    check_at = mapped_column(UTCDateTime, index=True)
    question_order: Mapped[list] = mapped_column(JSON)
    option_order: Mapped[dict] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    breakdown: Mapped[list | None] = mapped_column(JSON)
    # {question id: the version it had when the attempt ended}, for the review (exam/versions.py).
    question_versions: Mapped[dict | None] = mapped_column(JSON)
    finish_reason: Mapped[str | None] = mapped_column(String(300))
    # A test maker's preview (exam/preview.py): graded for them alone, never queued to the gradebook, never a
    # student's attempt on the marks, the roster or the live room.
    is_preview: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    exam: Mapped[Exam] = relationship()


class Answer(db.Model):
    """The options a student picked for one question of an attempt; saved on every click."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    option_ids: Mapped[list] = mapped_column(JSON)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    saved_at = mapped_column(UTCDateTime, nullable=False)
    # The page's order number of the save that wrote this: an older save arriving late does not overwrite it.
    seq: Mapped[int] = mapped_column(BigInteger, default=0)


class GradeOutbox(db.Model):
    """A score waiting to reach the LMS gradebook; kept until the LMS accepts it."""

    __tablename__ = "grade_outbox"
    __table_args__ = (
        Index("ix_grade_outbox_due", "status", "next_try_at"),
        # The latest score per student and link, read at every finalize to keep timestamps increasing.
        Index("ix_grade_outbox_student_link", "user_id", "resource_link_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    resource_link_id: Mapped[int | None] = mapped_column(ForeignKey("resource_links.id", ondelete="SET NULL"))
    score_given: Mapped[float] = mapped_column(Float)
    score_maximum: Mapped[float] = mapped_column(Float)
    # The score's timestamp; strictly increasing per user and link, in whole seconds (Moodle compares so).
    timestamp = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending, sent, failed
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at = mapped_column(UTCDateTime, nullable=False)
    claimed_until = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    sent_at = mapped_column(UTCDateTime)
