"""events waiting for their mails: with MAIL_DELIVERY=worker, the mail worker writes them

Revision ID: i7_event_mail_pending
Revises: i7_page_version
Create Date: 2026-11-22 12:40:00

A request that changes a stay stores the change and its event; `flask mail worker` then writes the
event's mails (rendering them is most of a submission's cost) and clears the flag in the transaction
that stores them. Existing events had their mails written with them: the flag starts false.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'i7_event_mail_pending'
down_revision = 'i7_page_version'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('booking_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_pending', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_booking_events_mail_pending', ['mail_pending'], unique=False)


def downgrade():
    with op.batch_alter_table('booking_events', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_events_mail_pending')
        batch_op.drop_column('mail_pending')
