"""feed state: the calendar feeds' version and Last-Modified

Revision ID: i4_feed_state
Revises: i5_change_requests
Create Date: 2026-11-23 09:00:00

"""
import time

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'i4_feed_state'
down_revision = 'i5_change_requests'
branch_labels = None
depends_on = None


def upgrade():
    feed_state = op.create_table('feed_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('modified_epoch', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_state'))
    )
    # The single row every change bumps; the app never creates it on a read.
    op.bulk_insert(feed_state, [{'id': 1, 'version': 1, 'modified_epoch': int(time.time())}])


def downgrade():
    op.drop_table('feed_state')
