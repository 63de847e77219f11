"""health check: a single row that /healthz rewrites to prove the database takes writes

Revision ID: 0011_health_check
Revises: 0011_link_requests
Create Date: 2027-01-11 09:00:00

A database that answers a read may still refuse a write (read-only after a failover, a full disk):
the health check commits a change to this row, and nothing else ever reads it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_health_check'
down_revision = '0011_link_requests'
branch_labels = None
depends_on = None


def upgrade():
    health_check = op.create_table('health_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_health_check'))
    )
    op.bulk_insert(health_check, [{'id': 1, 'checked_at': None}])


def downgrade():
    op.drop_table('health_check')
