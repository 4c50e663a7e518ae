"""an exam's proctors listed by user, not by email

An exam's proctor list named email addresses, and anyone whose LMS account had that address could proctor
(two accounts can share one): rows now name the user. Each existing address becomes the one person of the
exam's course who has it; an address that matches nobody or several people is dropped, and the audit log
says which (the test maker lists them again by person).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 09:30:00.000000

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exam_proctors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
    _proctor_emails_to_users()
    with op.batch_alter_table('exam_proctors', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('uq_exam_proctors_exam_id_email', type_='unique')
        batch_op.drop_column('email')
        batch_op.create_unique_constraint(batch_op.f('uq_exam_proctors_exam_id_user_id'), ['exam_id', 'user_id'])
        batch_op.create_foreign_key(batch_op.f('fk_exam_proctors_user_id_users'), 'users', ['user_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_index(batch_op.f('ix_exam_proctors_user_id'), ['user_id'], unique=False)


def _proctor_emails_to_users():
    connection = op.get_bind()
    audit_log = sa.table(
        'audit_log', sa.column('at', sa.DateTime(timezone=True)), sa.column('action', sa.String),
        sa.column('target_type', sa.String), sa.column('target_id', sa.String), sa.column('course_id', sa.Integer),
        sa.column('data', sa.JSON), sa.column('origin', sa.String),
    )
    rows = connection.execute(sa.text(
        "SELECT p.id, p.exam_id, p.email, e.course_id FROM exam_proctors p JOIN exams e ON e.id = p.exam_id"
    )).all()
    for row_id, exam_id, email, course_id in rows:
        people = connection.execute(sa.text(
            "SELECT DISTINCT u.id FROM users u JOIN memberships m ON m.user_id = u.id"
            " WHERE m.course_id = :course AND lower(u.email) = :email"
        ), {"course": course_id, "email": email.lower()}).scalars().all()
        if len(people) == 1:
            connection.execute(sa.text("UPDATE exam_proctors SET user_id = :user WHERE id = :id"),
                               {"user": people[0], "id": row_id})
            continue
        connection.execute(sa.text("DELETE FROM exam_proctors WHERE id = :id"), {"id": row_id})
        connection.execute(audit_log.insert().values(
            at=datetime.now(timezone.utc), action='proctors.unresolved', target_type='exam',
            target_id=str(exam_id), course_id=course_id, origin='migration 0010',
            data={"email": email, "people_with_this_email": len(people)},
        ))


def downgrade():
    with op.batch_alter_table('exam_proctors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=320), nullable=True))
    op.execute("UPDATE exam_proctors SET email = (SELECT lower(email) FROM users WHERE users.id = exam_proctors.user_id)")
    op.execute("DELETE FROM exam_proctors WHERE email IS NULL")
    # Two listed people with one address were one row before.
    op.execute("DELETE FROM exam_proctors WHERE id NOT IN (SELECT min(id) FROM exam_proctors GROUP BY exam_id, email)")
    with op.batch_alter_table('exam_proctors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_proctors_user_id'))
        batch_op.drop_constraint(batch_op.f('fk_exam_proctors_user_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_exam_proctors_exam_id_user_id'), type_='unique')
        batch_op.drop_column('user_id')
        batch_op.alter_column('email', existing_type=sa.String(length=320), nullable=False)
        batch_op.create_unique_constraint('uq_exam_proctors_exam_id_email', ['exam_id', 'email'])
