"""suspensions: a whole-house closure may carry the wording visitors are told, in French and English

Revision ID: 0019_suspensions
Revises: presence
Create Date: 2027-02-01 09:00:00

A suspension of the house is a closure of the whole house with a public wording; one "until further
notice" ends on 9999-12-31 (rooms.models.FURTHER_NOTICE), so that nothing else about closures changes.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_suspensions'
down_revision = 'presence'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_reason_fr', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('public_reason_en', sa.String(length=500), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.drop_column('public_reason_en')
        batch_op.drop_column('public_reason_fr')
