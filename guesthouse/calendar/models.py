"""The booking data's version: raised in the same transaction as every change a calendar feed or the
staff dashboard shows.

Built feeds and the dashboard's lists are kept under this version (guesthouse/cache.py), and the feeds'
Last-Modified comes from here rather than from the records: a deleted closure or a cancelled stay
leaves no row whose timestamp could say when the feed changed, and a maximum over the remaining rows
would move backwards.

The version is raised by the one session event of the app, `_raise_with_the_data` below: the feeds
show every column of four tables that a dozen views, commands and jobs change, and a call forgotten
in one of them would leave subscribed calendars stale for as long as nothing else changed (their polls
answered 304). Bulk statements and raw SQL bypass the flush: code that changes these tables that way
calls `bump_feed_version` itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..bookings.changes import ChangeRequest
from ..bookings.models import RoomAssignment, StayRequest
from ..bookings.notes import StaffNote
from ..bookings.travellers import Traveller
from ..database import utcnow
from ..extensions import db
from ..house.models import HouseSettings
from ..rooms.models import Closure, Room

FEED_STATE_ID = 1

# Everything a feed is built from, the change requests and staff notes the dashboard and the planning
# board show beside them, the travellers the daily sheet lists, and the house settings the request form
# states. A change to any column of these rows raises the version: a stay's updated_at is its events'
# DTSTAMP, so even a change the feeds do not display alters their bytes. (A change request, a note, a
# traveller's details or the settings alone leave the feeds' bytes, and so their ETags, as they were: a
# client that revalidates by ETag still gets its 304.)
WATCHED = (StayRequest, RoomAssignment, Closure, Room, ChangeRequest, StaffNote, Traveller, HouseSettings)


class FeedState(db.Model):
    """A single row (id 1), created by the migration."""

    __tablename__ = "feed_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    # Unix seconds, UTC. HTTP dates have a one-second resolution, so every change moves this forward
    # by at least one second: If-Modified-Since then never misses two changes made in the same second.
    modified_epoch: Mapped[int] = mapped_column(sa.BigInteger)


@dataclass(frozen=True)
class FeedVersion:
    version: int
    last_modified: datetime


def current_feed_version() -> FeedVersion:
    """The version and Last-Modified of the feeds' data: one small query (all a house feed's 304 needs)."""
    row = db.session.execute(
        sa.select(FeedState.version, FeedState.modified_epoch).where(FeedState.id == FEED_STATE_ID)
    ).one_or_none()
    if row is None:
        raise RuntimeError("the feed_state row is missing: run `flask --app wsgi db upgrade`")
    return FeedVersion(row.version, datetime.fromtimestamp(row.modified_epoch, UTC))


# The transaction (or savepoint) that has raised the version already: a transaction flushes several
# times, and one raise is enough for all of them. A savepoint rolled back takes its raise with it: the
# next flush, in the enclosing transaction, raises again.
_RAISED_IN = "calendar.feed_version_raised_in"


def bump_feed_version(session: Session) -> None:
    """Raise the version and move Last-Modified forward: to now, or one second past the previous one.

    One UPDATE computed by the database, not a read then a write: two concurrent transactions cannot
    both turn version 5 into 6 (PostgreSQL makes the second wait on the row lock and re-reads it).
    Code that changes watched tables through bulk statements or raw SQL must call this itself.
    """
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is not None and session.info.get(_RAISED_IN) is transaction:
        return
    session.info[_RAISED_IN] = transaction
    now = int(utcnow().timestamp())
    result = session.execute(
        sa.update(FeedState)
        .where(FeedState.id == FEED_STATE_ID)
        .values(
            version=FeedState.version + 1,
            modified_epoch=sa.case(
                (FeedState.modified_epoch >= now, FeedState.modified_epoch + 1), else_=now
            ),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        session.add(FeedState(id=FEED_STATE_ID, version=1, modified_epoch=now))


@sa.event.listens_for(Session, "before_flush")
def _raise_with_the_data(session: Session, _flush_context, _instances) -> None:
    # Registered on every session, at import: the mail worker's and the commands' too.
    if any(isinstance(obj, WATCHED) for obj in (*session.new, *session.deleted)) or any(
        isinstance(obj, WATCHED) and session.is_modified(obj, include_collections=False)
        for obj in session.dirty
    ):
        bump_feed_version(session)
