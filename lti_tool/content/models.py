"""Pictures in question text."""

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import UTCDateTime, db, utcnow


class QuestionImage(db.Model):
    """A picture a test maker put into a question of the course (uploaded or imported), re-encoded by the server
    (no metadata); the same picture twice in a course is one row."""

    __tablename__ = "question_images"
    __table_args__ = (UniqueConstraint("course_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    media_type: Mapped[str] = mapped_column(String(20))  # image/png or image/jpeg
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))  # of the stored bytes
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
