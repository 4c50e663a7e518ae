"""term rollover: course context history, a link's pending copy offer, a copy's provenance

A course copied into a new term (Moodle's backup and restore, Canvas's course copy) keeps each link's custom
exam_id; the tool offers the test maker a copy of that exam into the new course.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("courses") as batch:
        batch.add_column(sa.Column("context_history", sa.Text(), nullable=True))
    with op.batch_alter_table("resource_links") as batch:
        batch.add_column(sa.Column("copy_source_exam_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_resource_links_copy_source_exam_id_exams"), "exams",
                                 ["copy_source_exam_id"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("exams") as batch:
        batch.add_column(sa.Column("copied_from_exam_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_exams_copied_from_exam_id_exams"), "exams",
                                 ["copied_from_exam_id"], ["id"], ondelete="SET NULL")


def downgrade():
    with op.batch_alter_table("exams") as batch:
        batch.drop_constraint("fk_exams_copied_from_exam_id_exams", type_="foreignkey")
        batch.drop_column("copied_from_exam_id")
    with op.batch_alter_table("resource_links") as batch:
        batch.drop_constraint("fk_resource_links_copy_source_exam_id_exams", type_="foreignkey")
        batch.drop_column("copy_source_exam_id")
    with op.batch_alter_table("courses") as batch:
        batch.drop_column("context_history")
