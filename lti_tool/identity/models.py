"""Who and where: users, courses, their roles in each course, and the course's resource links."""

import hashlib

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.db import UTCDateTime, db, utcnow

SHORT_SUB = 12


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("platform_id", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    # The LMS login name (Moodle's ext.user_username): who a person is when the LMS withholds name and email.
    username: Mapped[str | None] = mapped_column(String(100))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    @property
    def display_name(self):
        return self.name or self.email or self.username or self.label

    @property
    def label(self):
        """A short name that stays the same for this person: the LMS's own id when it is short (Moodle's are
        numbers), else a digest of it (Canvas's are 40 characters)."""
        if len(self.sub) <= SHORT_SUB:
            return f"User {self.sub}"
        return f"User {hashlib.sha256(self.sub.encode()).hexdigest()[:8]}"


class Course(db.Model):
    __tablename__ = "courses"
    __table_args__ = (UniqueConstraint("platform_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(500))
    label: Mapped[str | None] = mapped_column(String(200))
    # The platform's NRPS roster of this course, when the launches offer one.
    memberships_url: Mapped[str | None] = mapped_column(String(1000))
    # The platform's earlier context ids of this course, comma-separated, most recent first (Canvas's
    # $Context.id.history: the courses copied into it); None when the platform does not say.
    context_history: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    @property
    def display_name(self):
        return self.title or self.label or f"Course {self.context_id}"


class Membership(db.Model):
    """A user's tool roles in one course, as mapped from the latest launch."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    roles: Mapped[list] = mapped_column(JSON)
    lti_roles: Mapped[list] = mapped_column(JSON)
    # Set by the course's test makers: an Instructor launch grants Proctor, not Test Maker (roles.staffed).
    proctor_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()


class ResourceLink(db.Model):
    """A placement of the tool in a course; bound to the exam it runs."""

    __tablename__ = "resource_links"
    __table_args__ = (UniqueConstraint("course_id", "lti_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    lti_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(500))
    exam_id: Mapped[int | None] = mapped_column(ForeignKey("exams.id", ondelete="SET NULL"))
    # The exam of another course the link's custom exam_id names (a course copied into a new term): offered to
    # the test maker as a copy while the link is unbound (exam/copies.py).
    copy_source_exam_id: Mapped[int | None] = mapped_column(ForeignKey("exams.id", ondelete="SET NULL"))
    # The AGS line item the platform created for this link, where grades go, and the
    # container to create one in when the platform made none.
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    lineitems_url: Mapped[str | None] = mapped_column(String(1000))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)

    course: Mapped[Course] = relationship()
