"""random draws: questions get a category, and an exam's draw rules take a number of questions of a category at
random for each attempt

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("category", sa.String(length=200), nullable=False, server_default=""))
    op.create_table(
        "exam_draws",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exam_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["exam_id"], ["exams.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("exam_id", "category"),
    )


def downgrade():
    op.drop_table("exam_draws")
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("category")
