"""no double booking on PostgreSQL: an exclusion constraint on room assignments

Revision ID: i7_no_double_booking
Revises: i4_feed_state
Create Date: 2026-11-22 10:00:00

Written by hand: autogenerate neither sees nor renders exclusion constraints over expressions, and
SQLite has no equivalent (there, approvals are serialised by BEGIN IMMEDIATE instead). The constraint
is the database's own guarantee behind the application's check: whatever code path writes an
assignment, two assignments of one room can never share a night. migrations/env.py tells autogenerate
to leave it alone.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'i7_no_double_booking'
down_revision = 'i4_feed_state'
branch_labels = None
depends_on = None

CONSTRAINT = "ex_room_assignments_no_overlap"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # btree_gist provides the GiST operator class for `room_id WITH =` next to the range overlap.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    # Nights are [arrival, departure): leaving on day D and arriving on day D do not overlap.
    op.execute(
        f"ALTER TABLE room_assignments ADD CONSTRAINT {CONSTRAINT} "
        "EXCLUDE USING gist (room_id WITH =, daterange(arrival, departure, '[)') WITH &&)"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # The extension stays: other objects may use it, and it holds no data.
    op.execute(f"ALTER TABLE room_assignments DROP CONSTRAINT IF EXISTS {CONSTRAINT}")
