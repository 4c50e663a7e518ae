"""Camera proctoring's rows: each exam's camera settings, each student's consent, and the snapshots kept
as evidence until their retention ends."""

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import UTCDateTime, db, utcnow

SnapshotId = BigInteger().with_variant(Integer(), "sqlite")


class CameraSettings(db.Model):
    """An exam's camera rules; an exam without a row has the defaults (camera off)."""

    __tablename__ = "camera_settings"

    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True)
    # off: no camera; required: no camera, no exam; optional: the exam goes on and the missing camera is flagged.
    policy: Mapped[str] = mapped_column(String(10), default="off")
    face_checks: Mapped[bool] = mapped_column(Boolean, default=True)
    snapshot_interval_seconds: Mapped[int] = mapped_column(Integer, default=10)
    snapshot_width: Mapped[int] = mapped_column(Integer, default=320)
    retention_days: Mapped[int] = mapped_column(Integer, default=30)
    # The student also shares their entire screen: stills of it (snapshot mode) next to the camera's.
    screen_share: Mapped[bool] = mapped_column(Boolean, default=False)


class Consent(db.Model):
    """A student agreed to the camera for one exam, having read `text` (kept as it was shown)."""

    __tablename__ = "camera_consents"
    __table_args__ = (UniqueConstraint("exam_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(4000))
    accepted_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class Snapshot(db.Model):
    """One still of an attempt, from the camera or the shared screen (`kind`): the JPEG re-encoded by the server
    (no metadata), kept in the database or, with SNAPSHOT_DIR set, as a file named after the row."""

    __tablename__ = "camera_snapshots"

    id: Mapped[int] = mapped_column(SnapshotId, primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    taken_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10), default="camera")
    # Set when the face check flagged this still (no_face, multiple_faces): evidence for the reviewer.
    flag: Mapped[str | None] = mapped_column(String(20))
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
