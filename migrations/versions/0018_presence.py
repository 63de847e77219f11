"""arrival, departure and no-show of a stay, as recorded at the house

Revision ID: presence
Revises: travellers
Create Date: 2027-01-10 09:30:00

Three timestamps on the stay, each written with an event in its history (who and when). The caretaker
role needs no schema change: the role column is a plain string (a non-native enum without a CHECK).
"""
from alembic import op
import sqlalchemy as sa

import guesthouse.database


# revision identifiers, used by Alembic.
revision = 'presence'
down_revision = 'travellers'
branch_labels = None
depends_on = None

COLUMNS = ('checked_in_at', 'checked_out_at', 'no_show_at')


def upgrade():
    for name in COLUMNS:
        op.add_column(
            'stay_requests', sa.Column(name, guesthouse.database.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade():
    for name in reversed(COLUMNS):
        op.drop_column('stay_requests', name)
