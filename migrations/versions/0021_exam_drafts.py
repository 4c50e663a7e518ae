"""exam drafts and preview attempts: a new exam is a draft until its test maker publishes it, and a test maker's
preview of an exam is an attempt flagged as a preview (never graded to the LMS, never on the marks or live room)

Exams made before this revision were live from the moment they were made: the upgrade publishes them (at their
creation time), so no school's live exam disappears from its students.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("exams") as batch:
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(sa.text("UPDATE exams SET published_at = created_at"))
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("is_preview", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    op.execute(sa.text("DELETE FROM attempts WHERE is_preview = :preview").bindparams(preview=True))
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("is_preview")
    with op.batch_alter_table("exams") as batch:
        batch.drop_column("published_at")
