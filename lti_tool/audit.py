"""The append-only audit log: who did what to which thing, when, and from where."""

from sqlalchemy import JSON, BigInteger, Integer, String, event, insert
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import UTCDateTime, db, utcnow

# SQLite only auto-increments INTEGER PRIMARY KEY, so BigInteger becomes Integer there.
AuditId = BigInteger().with_variant(Integer(), "sqlite")


class AuditEntry(db.Model):
    """One row per action. Never updated or deleted (the migration adds triggers that refuse it)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(AuditId, primary_key=True)
    at = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    # Plain ids, not foreign keys: the record outlives the rows it names, and is never rewritten.
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(80))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(80))
    course_id: Mapped[int | None] = mapped_column(Integer, index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    origin: Mapped[str] = mapped_column(String(100))


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(mapper, connection, target):
    raise AuditLogIsAppendOnly("audit log rows are never changed or deleted")


def record(action, target_type, target_id, *, actor_user_id=None, course_id=None, data=None, origin):
    """Add an audit row to the current transaction; it commits with the change it describes."""
    entry = AuditEntry(
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        actor_user_id=actor_user_id,
        course_id=course_id,
        data=data or {},
        origin=origin,
    )
    db.session.add(entry)
    return entry


def record_all(entries):
    """Add many audit rows in one statement (each a dict of record's arguments, and `at`)."""
    if entries:
        # As parameters, not .values(entries): one multi-row INSERT either way, but compiled once.
        db.session.execute(insert(AuditEntry.__table__), [
            {**entry, "target_id": str(entry["target_id"]), "data": entry.get("data") or {}} for entry in entries])
