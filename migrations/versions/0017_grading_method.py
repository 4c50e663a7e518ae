"""exam setting: grading method

Which finished attempts make the grade the LMS gets: the highest (Moodle's default, and what existing exams get),
the average, the first or the last.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("exams") as batch:
        batch.add_column(sa.Column("grading_method", sa.String(length=10), nullable=False, server_default="highest"))


def downgrade():
    with op.batch_alter_table("exams") as batch:
        batch.drop_column("grading_method")
