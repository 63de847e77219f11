"""access records: which staff member opened which person's details, and when

Revision ID: 0026_access_records
Revises: 0025_recovery_codes
Create Date: 2027-02-01 09:20:00

One row per page; `flask privacy purge` deletes them after ACCESS_LOG_MONTHS.
"""
from alembic import op
import sqlalchemy as sa

import guesthouse.database


# revision identifiers, used by Alembic.
revision = '0026_access_records'
down_revision = '0025_recovery_codes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('access_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('accessed_at', guesthouse.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('request', 'privacy_lookup', 'privacy_export', name='accesskind', native_enum=False, length=40), nullable=False),
    sa.Column('stay_references', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], name=op.f('fk_access_records_user_id_staff_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_records'))
    )
    with op.batch_alter_table('access_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_records_accessed_at'), ['accessed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_records_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('access_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_records_user_id'))
        batch_op.drop_index(batch_op.f('ix_access_records_accessed_at'))
    op.drop_table('access_records')
