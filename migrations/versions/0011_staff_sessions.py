"""staff sessions kept on the server; session_version dropped

Revision ID: staff_sessions
Revises: i7_event_mail_pending
Create Date: 2026-12-01 10:00:00

A staff login now opens a row in staff_sessions, and the session cookie holds the account id and a
random secret whose SHA-256 the row keeps; logout deletes that row only. Ending every session of an
account (password change, deactivation) deletes its rows, which replaces the session_version counter.
Cookies issued before this revision hold "<id>:<session_version>", which finds no row: those browsers
are sent to the login page once.
"""
from alembic import op
import sqlalchemy as sa

import guesthouse.database


# revision identifiers, used by Alembic.
revision = 'staff_sessions'
down_revision = 'i7_event_mail_pending'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', guesthouse.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', guesthouse.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('browser', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=50), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], name=op.f('fk_staff_sessions_user_id_staff_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_sessions')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_staff_sessions_secret_hash'))
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_last_seen_at'), ['last_seen_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_sessions_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_column('session_version')


def downgrade():
    # Every session opened since is lost: the browsers are sent to the login page.
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_sessions_user_id'))
        batch_op.drop_index(batch_op.f('ix_staff_sessions_last_seen_at'))

    op.drop_table('staff_sessions')
