"""Evidence is deleted when its exam's retention period ends, or when the test maker asks; every deletion
is audited. Every worker runs the retention job; deleting twice deletes nothing the second time."""

from datetime import timedelta

from sqlalchemy import select

from lti_tool import audit
from lti_tool.db import db, utcnow
from lti_tool.exam.models import Exam
from lti_tool.proctor.camera import settings, snapshots
from lti_tool.proctor.camera.models import Snapshot
from lti_tool.proctor.camera.settings import LIMITS


def delete_expired(directory, now=None):
    """Delete every snapshot older than its exam's retention; returns how many."""
    now = now or utcnow()
    shortest = min(LIMITS["retention_days"])
    exam_ids = db.session.scalars(
        select(Snapshot.exam_id).where(Snapshot.taken_at < now - timedelta(days=shortest)).distinct()).all()
    deleted, paths = 0, []
    for exam_id in exam_ids:
        days = settings.of(exam_id).retention_days
        counts, exam_paths = snapshots.delete_where(
            (Snapshot.exam_id == exam_id) & (Snapshot.taken_at < now - timedelta(days=days)), directory)
        if counts:
            exam = db.session.get(Exam, exam_id)
            audit.record("camera.evidence_expired", "exam", exam_id, course_id=exam.course_id, origin="retention",
                         data={"snapshots": counts[exam_id], "retention_days": days})
            deleted += counts[exam_id]
            paths += exam_paths
    db.session.commit()
    snapshots.remove_files(paths)
    return deleted


def delete_for_attempt(exam, attempt_id, directory, *, actor_user_id, origin):
    """The test maker deletes one attempt's evidence on request."""
    counts, paths = snapshots.delete_where(Snapshot.attempt_id == attempt_id, directory)
    audit.record("camera.evidence_deleted", "attempt", attempt_id, actor_user_id=actor_user_id,
                 course_id=exam.course_id, origin=origin, data={"snapshots": counts.get(exam.id, 0)})
    db.session.commit()
    snapshots.remove_files(paths)
    return counts.get(exam.id, 0)
