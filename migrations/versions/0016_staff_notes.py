"""staff notes: what staff members write each other about a request

Revision ID: 0015_staff_notes
Revises: drop_page_version
Create Date: 2026-12-03 09:00:00

Staff-only notes (who, when, text) on a stay request. They are personal data: deleted with the request
(ON DELETE CASCADE) and by its anonymisation.
"""
from alembic import op
import sqlalchemy as sa

import guesthouse.database


# revision identifiers, used by Alembic.
revision = '0015_staff_notes'
down_revision = 'drop_page_version'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'staff_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stay_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', guesthouse.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ['stay_id'], ['stay_requests.id'],
            name=op.f('fk_staff_notes_stay_id_stay_requests'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['author_id'], ['staff_users.id'],
            name=op.f('fk_staff_notes_author_id_staff_users'), ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_notes')),
    )
    with op.batch_alter_table('staff_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_notes_stay_id'), ['stay_id'], unique=False)


def downgrade():
    with op.batch_alter_table('staff_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_notes_stay_id'))
    op.drop_table('staff_notes')
