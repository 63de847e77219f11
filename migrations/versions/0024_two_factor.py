"""two-factor sign-in on staff accounts: TOTP secret, last accepted step, and who reset it

Revision ID: 0024_two_factor
Revises: 0023_requester_edits
Create Date: 2027-02-01 09:00:00

Every account starts without two-factor; members of TWO_FACTOR_REQUIRED_ROLES are asked to set it up at
their next page.
"""
from alembic import op
import sqlalchemy as sa

import guesthouse.database


# revision identifiers, used by Alembic.
revision = '0024_two_factor'
down_revision = '0023_requester_edits'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('two_factor_since', guesthouse.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('two_factor_reset_at', guesthouse.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('two_factor_reset_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_staff_users_two_factor_reset_by_id_staff_users'),
            'staff_users', ['two_factor_reset_by_id'], ['id'], ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_staff_users_two_factor_reset_by_id_staff_users'), type_='foreignkey')
        batch_op.drop_column('two_factor_reset_by_id')
        batch_op.drop_column('two_factor_reset_at')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('two_factor_since')
        batch_op.drop_column('totp_secret')
