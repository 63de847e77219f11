"""page version dropped: what is kept for speed is kept under the data version alone

Revision ID: drop_page_version
Revises: 0011_health_check
Create Date: 2026-12-03 09:00:00

The feeds, the home page's table, the availability month and the dashboard's lists are kept
(guesthouse/cache.py) under `feed_state.version`, which every change they show raises; the page
version, raised by changes the feeds do not show, has no reader left.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'drop_page_version'
down_revision = '0011_health_check'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feed_state', schema=None) as batch_op:
        batch_op.drop_column('page_version')


def downgrade():
    with op.batch_alter_table('feed_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('page_version', sa.Integer(), server_default='1', nullable=False))
