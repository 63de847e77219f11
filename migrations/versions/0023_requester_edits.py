"""requester edits: when the requester last corrected a pending request

Revision ID: 0023_requester_edits
Revises: 0022_angers_based
Create Date: 2027-02-01 09:10:00

The dashboard marks a pending request the requester corrected, without reading every request's history.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023_requester_edits'
down_revision = '0022_angers_based'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stay_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requester_edited_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('stay_requests', schema=None) as batch_op:
        batch_op.drop_column('requester_edited_at')
