"""page version: a counter raised with every change a cached page shows

Revision ID: i7_page_version
Revises: i7_date_indexes
Create Date: 2026-11-22 14:00:00

The feeds' version covers stays, assignments, rooms and closures; the home page, the availability
calendar and the staff dashboard also show the house settings and change requests. A second counter on
the same single row keeps the feeds' Last-Modified untouched by changes no feed shows.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'i7_page_version'
down_revision = 'i7_date_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('feed_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('page_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('feed_state', schema=None) as batch_op:
        batch_op.drop_column('page_version')
