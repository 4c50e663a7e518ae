"""memberships can be set to proctor only

A course's test maker can let a person the LMS launches as Instructor (Moodle sends it to non-editing
teachers too) proctor without authoring: their launches then grant the Proctor role instead of Test Maker.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 03:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("memberships") as batch:
        batch.add_column(sa.Column("proctor_only", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("memberships") as batch:
        batch.drop_column("proctor_only")
