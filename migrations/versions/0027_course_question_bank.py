"""course question bank: a question belongs to an exam or to its course's bank, which the course's exams draw
from; questions get tags

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("questions") as batch:
        batch.alter_column("exam_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("bank_course_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("tags", sa.JSON(), nullable=True))
        batch.create_foreign_key(batch.f("fk_questions_bank_course_id_courses"), "courses", ["bank_course_id"],
                                 ["id"], ondelete="CASCADE")
        batch.create_check_constraint("one_owner", "(exam_id IS NULL) <> (bank_course_id IS NULL)")
        batch.create_index("ix_questions_bank_category", ["bank_course_id", "category"])


def downgrade():
    op.execute("DELETE FROM questions WHERE exam_id IS NULL")
    with op.batch_alter_table("questions") as batch:
        batch.drop_index("ix_questions_bank_category")
        batch.drop_constraint(batch.f("ck_questions_one_owner"), type_="check")
        batch.drop_constraint(batch.f("fk_questions_bank_course_id_courses"), type_="foreignkey")
        batch.drop_column("tags")
        batch.drop_column("bank_course_id")
        batch.alter_column("exam_id", existing_type=sa.Integer(), nullable=False)
