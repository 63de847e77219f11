"""house notice: the service's word at the top of every page

Revision ID: 0020_house_notice
Revises: 0019_suspensions
Create Date: 2027-02-01 09:10:00

"""
from alembic import op
import sqlalchemy as sa

import guesthouse.database


# revision identifiers, used by Alembic.
revision = '0020_house_notice'
down_revision = '0019_suspensions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'house_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('text_fr', sa.String(length=1000), nullable=False),
        sa.Column('text_en', sa.String(length=1000), nullable=False),
        sa.Column('level', sa.String(length=10), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=True),
        sa.Column('in_mails', sa.Boolean(), nullable=False),
        sa.Column('updated_at', guesthouse.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['staff_users.id'], name=op.f('fk_house_notices_updated_by_id_staff_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_house_notices')),
    )


def downgrade():
    op.drop_table('house_notices')
