"""question content: questions keep the format of their texts ("plain" as written, or "html": formatted text with
formulas), and the pictures formatted text shows, kept per course

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("text_format", sa.String(length=5), nullable=False, server_default="plain"))
    op.create_table(
        "question_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=20), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["courses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("course_id", "sha256"),
    )
    op.create_index("ix_question_images_course_id", "question_images", ["course_id"])


def downgrade():
    op.drop_index("ix_question_images_course_id", table_name="question_images")
    op.drop_table("question_images")
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("text_format")
