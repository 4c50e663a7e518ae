"""the tool's private keys are encrypted at rest with KEY_ENCRYPTION_KEYS

tool_keys.private_key_pem (the PEM in clear) becomes private_key_encrypted: a Fernet token of the PEM made with
the first key of KEY_ENCRYPTION_KEYS, read from the app's configuration (flask-migrate runs this inside the app).
Downgrading decrypts them again with any key of the setting.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 09:00:00.000000

"""
from alembic import op
from cryptography.fernet import Fernet, MultiFernet
from flask import current_app
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _fernet():
    return MultiFernet([Fernet(key) for key in current_app.config['KEY_ENCRYPTION_KEYS']])


def _rewrite(column, change):
    table = sa.table('tool_keys', sa.column('id', sa.Integer()), sa.column(column, sa.Text()))
    connection = op.get_bind()
    for row_id, value in connection.execute(sa.select(table.c.id, table.c[column])).all():
        connection.execute(table.update().where(table.c.id == row_id).values({column: change(value)}))


def upgrade():
    with op.batch_alter_table('tool_keys', schema=None) as batch_op:
        batch_op.alter_column('private_key_pem', new_column_name='private_key_encrypted')
    fernet = _fernet()
    _rewrite('private_key_encrypted', lambda pem: fernet.encrypt(pem.encode()).decode())


def downgrade():
    fernet = _fernet()
    _rewrite('private_key_encrypted', lambda token: fernet.decrypt(token.encode()).decode())
    with op.batch_alter_table('tool_keys', schema=None) as batch_op:
        batch_op.alter_column('private_key_encrypted', new_column_name='private_key_pem')
