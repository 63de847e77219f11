"""lost-link requests: the form stores the address, the mail worker answers it

Revision ID: 0011_link_requests
Revises: replaced_tokens
Create Date: 2026-12-03 08:00:00

The lost-link form stores one row whatever the address, so that its answer costs the same whether or
not the address has requests; the mail worker looks them up, writes the mail (or none) and deletes the
row.
"""
from alembic import op
import sqlalchemy as sa

import guesthouse.database


# revision identifiers, used by Alembic.
revision = '0011_link_requests'
down_revision = 'replaced_tokens'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'link_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('created_at', guesthouse.database.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_link_requests')),
    )
    with op.batch_alter_table('link_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_link_requests_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('link_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_link_requests_created_at'))
    op.drop_table('link_requests')
