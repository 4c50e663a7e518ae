"""exam review options: when a student sees a finished attempt's review, and what it shows

One flag (show results and explanations after the exam closes) becomes Moodle quiz's review options: a timing
(never, immediately after the attempt, after the exam closes) and what is shown (the score; the student's answers
and whether each is right; the right answers; the explanations). Exams that showed results after close keep
showing all of it then; the others show nothing, as before.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

SHOWN = ("review_score", "review_answers", "review_right_answers", "review_explanations")


def upgrade():
    with op.batch_alter_table("exams") as batch:
        batch.add_column(sa.Column("review_when", sa.String(length=12), nullable=False, server_default="never"))
        for name in SHOWN:
            batch.add_column(sa.Column(name, sa.Boolean(), nullable=False, server_default=sa.true()))
    op.execute(sa.text("UPDATE exams SET review_when = 'after_close' WHERE show_results_after_close = :shown")
               .bindparams(shown=True))
    with op.batch_alter_table("exams") as batch:
        batch.drop_column("show_results_after_close")


def downgrade():
    with op.batch_alter_table("exams") as batch:
        batch.add_column(sa.Column("show_results_after_close", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.execute(sa.text("UPDATE exams SET show_results_after_close = :shown WHERE review_when <> 'never'")
               .bindparams(shown=True))
    with op.batch_alter_table("exams") as batch:
        for name in ("review_when", *SHOWN):
            batch.drop_column(name)
