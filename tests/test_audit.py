"""The audit log is append-only, in the ORM and in the database itself."""

import pytest
import sqlalchemy as sa

from lti_tool import audit
from lti_tool.audit import AuditEntry, AuditLogIsAppendOnly
from lti_tool.db import db


def test_rows_are_written_with_the_change(app):
    audit.record("exam.created", "exam", 7, actor_user_id=3, course_id=2, data={"title": "T"}, origin="1.2.3.4")
    db.session.commit()
    entry = db.session.scalar(sa.select(AuditEntry))
    assert (entry.action, entry.target_id, entry.data, entry.origin) == ("exam.created", "7", {"title": "T"}, "1.2.3.4")
    assert entry.at.tzinfo is not None


def test_the_orm_refuses_updates_and_deletes(app):
    entry = audit.record("a", "t", 1, origin="x")
    db.session.commit()
    entry.action = "changed"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"])
def test_the_database_refuses_updates_and_deletes(app, statement):
    audit.record("a", "t", 1, origin="x")
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text(statement))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 1
