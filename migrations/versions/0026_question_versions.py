"""question versions: a question's wording edited after students took it keeps its earlier wording as a version,
and an attempt keeps the versions it ended with

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("question_versions", sa.JSON(), nullable=True))
    op.create_table(
        "question_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("text_format", sa.String(length=5), nullable=False),
        sa.Column("option_texts", sa.JSON(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["questions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("question_id", "version"),
    )


def downgrade():
    op.drop_table("question_versions")
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("question_versions")
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("version")
