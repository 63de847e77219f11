"""angers based: the requester says whether their organisation is based in Angers or Angers Loire Métropole

Revision ID: 0022_angers_based
Revises: 0021_waitlist
Create Date: 2027-02-01 09:00:00

The dashboard and the statistics inferred an "Angers actor" from the organisation type alone, so an
association from Paris counted as one. The form now asks; the requests already stored get the answer the
old rule gave (every type but "other French cooperation actor"), the best that is known about them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_angers_based'
down_revision = '0021_waitlist'
branch_labels = None
depends_on = None


def upgrade():
    # A server default lets SQLite add a NOT NULL column in place: recreating the table would delete,
    # through ON DELETE CASCADE, the history and rooms of every stay.
    with op.batch_alter_table('stay_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('angers_based', sa.Boolean(), server_default=sa.true(), nullable=False))
    stay_requests = sa.table(
        'stay_requests', sa.column('angers_based', sa.Boolean()), sa.column('organisation_type', sa.String())
    )
    op.execute(
        stay_requests.update()
        .where(stay_requests.c.organisation_type == 'other_french_actor')
        .values(angers_based=False)
    )


def downgrade():
    with op.batch_alter_table('stay_requests', schema=None) as batch_op:
        batch_op.drop_column('angers_based')
