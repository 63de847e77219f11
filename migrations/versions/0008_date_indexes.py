"""indexes that find the stays of a window of dates without reading the whole history

Revision ID: i7_date_indexes
Revises: i7_no_double_booking
Create Date: 2026-11-22 10:30:00

Every window query of the app asks for `arrival < end AND departure > start` with a window in the
present or the future (availability, an approval's conflict check, the dashboard). An index led by
the arrival date answers `arrival < end` by reading every older row, the whole history; one led by
the departure date reads only the rows that end after the window starts. With 100,000 stays the
conflict check went from reading ~9,400 index entries per room to a handful. Closures likewise keep
only their end-date index.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'i7_date_indexes'
down_revision = 'i7_no_double_booking'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('room_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_room_assignments_room_dates')
        batch_op.create_index('ix_room_assignments_room_departure', ['room_id', 'departure', 'arrival'], unique=False)

    with op.batch_alter_table('stay_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_stay_requests_status_arrival')
        batch_op.create_index('ix_stay_requests_status_departure', ['status', 'departure', 'arrival'], unique=False)

    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.drop_index('ix_closures_start_date')


def downgrade():
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.create_index('ix_closures_start_date', ['start_date'], unique=False)

    with op.batch_alter_table('stay_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_stay_requests_status_departure')
        batch_op.create_index('ix_stay_requests_status_arrival', ['status', 'arrival'], unique=False)

    with op.batch_alter_table('room_assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_room_assignments_room_departure')
        batch_op.create_index('ix_room_assignments_room_dates', ['room_id', 'arrival', 'departure'], unique=False)
