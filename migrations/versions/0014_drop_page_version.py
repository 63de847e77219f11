"""page version dropped: no page is kept by data version any more

Revision ID: drop_page_version
Revises: 0011_link_requests
Create Date: 2026-12-03 09:00:00

The home page, the availability calendar and the dashboard are rendered at each request; only the
calendar feeds are kept, by the feeds' own version on the same row.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'drop_page_version'
down_revision = '0011_link_requests'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feed_state', schema=None) as batch_op:
        batch_op.drop_column('page_version')


def downgrade():
    with op.batch_alter_table('feed_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('page_version', sa.Integer(), server_default='1', nullable=False))
