"""one record per traveller: each line of a stay's travellers text becomes a row

Revision ID: travellers
Revises: 0015_staff_notes
Create Date: 2027-01-10 09:00:00

The request form still takes the names one a line; each name now has its own row, where the requester
and staff add a phone reachable in Mali, an emergency contact, the Ariane registration, the flights and
the airport pickup. Every non-blank line of today's text becomes a row, in its order (its blanks tidied
to single spaces); the downgrade joins the names back, one a line.

The column is dropped with ALTER TABLE … DROP COLUMN (SQLite 3.35 or later), not by the batch mode's
copy of the table: with foreign keys on, dropping the old copy of stay_requests would cascade to its
events and rooms.
"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

import guesthouse.database


# revision identifiers, used by Alembic.
revision = 'travellers'
down_revision = '0015_staff_notes'
branch_labels = None
depends_on = None

stays = sa.table('stay_requests', sa.column('id', sa.Integer), sa.column('travellers', sa.Text))
travellers = sa.table(
    'travellers',
    sa.column('stay_id', sa.Integer),
    sa.column('position', sa.Integer),
    sa.column('full_name', sa.Text),
    sa.column('phone', sa.String),
    sa.column('emergency_name', sa.String),
    sa.column('emergency_phone', sa.String),
    sa.column('ariane_registered', sa.Boolean),
    sa.column('arrival_flight', sa.String),
    sa.column('departure_flight', sa.String),
    sa.column('updated_at', guesthouse.database.UTCDateTime(timezone=True)),
)


def upgrade():
    op.create_table(
        'travellers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stay_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('full_name', sa.Text(), nullable=False),
        sa.Column('phone', sa.String(length=40), nullable=False),
        sa.Column('emergency_name', sa.String(length=200), nullable=False),
        sa.Column('emergency_phone', sa.String(length=40), nullable=False),
        sa.Column('ariane_registered', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('arrival_flight', sa.String(length=20), nullable=False),
        sa.Column('arrival_at', guesthouse.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column('departure_flight', sa.String(length=20), nullable=False),
        sa.Column('departure_at', guesthouse.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column('pickup_wanted', sa.Boolean(), nullable=True),
        sa.Column('updated_at', guesthouse.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['stay_id'], ['stay_requests.id'], name=op.f('fk_travellers_stay_id_stay_requests'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_travellers')),
    )
    op.create_index(op.f('ix_travellers_stay_id'), 'travellers', ['stay_id'], unique=False)

    connection = op.get_bind()
    now = datetime.now(UTC)
    rows = []
    for stay_id, text in connection.execute(sa.select(stays.c.id, stays.c.travellers).order_by(stays.c.id)):
        names = [' '.join(line.split()) for line in (text or '').splitlines()]
        for position, name in enumerate(name for name in names if name):
            rows.append(
                {
                    'stay_id': stay_id,
                    'position': position,
                    'full_name': name,
                    'phone': '',
                    'emergency_name': '',
                    'emergency_phone': '',
                    'ariane_registered': False,
                    'arrival_flight': '',
                    'departure_flight': '',
                    'updated_at': now,
                }
            )
        if len(rows) >= 5000:
            connection.execute(travellers.insert(), rows)
            rows = []
    if rows:
        connection.execute(travellers.insert(), rows)
    op.drop_column('stay_requests', 'travellers')


def downgrade():
    op.add_column('stay_requests', sa.Column('travellers', sa.Text(), server_default='', nullable=False))
    connection = op.get_bind()
    names: dict[int, list[str]] = {}
    query = sa.select(travellers.c.stay_id, travellers.c.full_name).order_by(
        travellers.c.stay_id, travellers.c.position
    )
    for stay_id, name in connection.execute(query):
        names.setdefault(stay_id, []).append(name)
    for stay_id, party in names.items():
        connection.execute(stays.update().where(stays.c.id == stay_id).values(travellers='\n'.join(party)))
    op.drop_index(op.f('ix_travellers_stay_id'), table_name='travellers')
    op.drop_table('travellers')
