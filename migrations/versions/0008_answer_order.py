"""answers remember the page's order number of the save that wrote them

A save that arrives after a later one of the same question (the page gave up waiting for it and sent it
again, then the student changed their answer) no longer overwrites it. Existing answers get 0.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 20:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_column('seq')
