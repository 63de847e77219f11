"""waiting lists: people to tell when beds free up on their nights, or when the house reopens

Revision ID: 0021_waitlist
Revises: 0020_house_notice
Create Date: 2027-02-01 09:20:00

"""
from alembic import op
import sqlalchemy as sa

import guesthouse.database


# revision identifiers, used by Alembic.
revision = '0021_waitlist'
down_revision = '0020_house_notice'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'waitlist_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('contact_name', sa.String(length=200), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('locale', sa.String(length=8), nullable=False),
        sa.Column('arrival', sa.Date(), nullable=True),
        sa.Column('departure', sa.Date(), nullable=True),
        sa.Column('guests', sa.Integer(), nullable=False),
        sa.Column('created_at', guesthouse.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('told_at', guesthouse.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column('mail_pending', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_entries')),
        sa.UniqueConstraint('token', name=op.f('uq_waitlist_entries_token')),
    )
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.create_index('ix_waitlist_entries_kind_told', ['kind', 'told_at', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlist_entries_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlist_entries_mail_pending'), ['mail_pending'], unique=False)


def downgrade():
    op.drop_table('waitlist_entries')
