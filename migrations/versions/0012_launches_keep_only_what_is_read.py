"""launches keep only the claims the tool reads later

Every launch used to store its whole claim set (names, emails, custom fields of any size). Since issue 19 a
launch keeps only a deep linking request's settings; this trims the rows stored before, in batches.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 11:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
BATCH = 500


def upgrade():
    connection = op.get_bind()
    launches = sa.table('launches', sa.column('id', sa.String), sa.column('message_type', sa.String),
                        sa.column('claims', sa.JSON))
    connection.execute(launches.update().where(launches.c.message_type != 'LtiDeepLinkingRequest').values(claims={}))
    last = ''
    while True:
        rows = connection.execute(
            sa.select(launches.c.id, launches.c.claims)
            .where(launches.c.message_type == 'LtiDeepLinkingRequest', launches.c.id > last)
            .order_by(launches.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        for launch_id, claims in rows:
            settings = (claims or {}).get(DEEP_LINKING_SETTINGS)
            kept = {DEEP_LINKING_SETTINGS: settings} if isinstance(settings, dict) else {}
            connection.execute(launches.update().where(launches.c.id == launch_id).values(claims=kept))
        last = rows[-1][0]


def downgrade():
    # What was dropped is gone; the trimmed rows are what the older code reads anyway.
    pass
