"""feed state: the calendar feeds' version and Last-Modified

Revision ID: i4_feed_state
Revises: 0002
Create Date: 2026-11-23 09:00:00

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

import guesthouse.database


# revision identifiers, used by Alembic.
revision = 'i4_feed_state'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    feed_state = op.create_table('feed_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('last_modified', guesthouse.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_state'))
    )
    # The single row every change bumps; the app never creates it on a read.
    op.bulk_insert(feed_state, [{'id': 1, 'version': 1, 'last_modified': datetime.now(UTC)}])


def downgrade():
    op.drop_table('feed_state')
