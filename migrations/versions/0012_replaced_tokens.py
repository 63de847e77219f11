"""replaced private links: the SHA-256 of each token staff replaced

Revision ID: replaced_tokens
Revises: staff_sessions
Create Date: 2026-12-01 10:00:00

A calendar subscribed to a requester's stay under a link that staff then replaced is answered with
an empty calendar, so it drops the event quietly. Only the hash is kept, and only until the request is
anonymised or deleted.
"""
from alembic import op
import sqlalchemy as sa

import guesthouse.database


# revision identifiers, used by Alembic.
revision = 'replaced_tokens'
down_revision = 'staff_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'replaced_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stay_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('replaced_at', guesthouse.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['stay_id'], ['stay_requests.id'],
            name=op.f('fk_replaced_tokens_stay_id_stay_requests'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_replaced_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_replaced_tokens_token_hash')),
    )
    with op.batch_alter_table('replaced_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_replaced_tokens_stay_id'), ['stay_id'], unique=False)


def downgrade():
    with op.batch_alter_table('replaced_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_replaced_tokens_stay_id'))
    op.drop_table('replaced_tokens')
