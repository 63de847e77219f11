"""The feeds' version: raised in the same transaction as every change a calendar feed shows.

Feeds are cached by version (see `responses.py`), and their Last-Modified comes from here rather than
from the records: a deleted closure or a cancelled stay leaves no row whose timestamp could say when
the feed changed, and a maximum over the remaining rows would move backwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from ..bookings.changes import ChangeRequest
from ..bookings.models import RoomAssignment, StayRequest
from ..closing.models import HouseNotice
from ..database import utcnow
from ..extensions import db
from ..house.models import HouseSettings
from ..rooms.models import Closure, Room

FEED_STATE_ID = 1

# Everything a feed is built from. A change to any column of these rows raises the version: a stay's
# updated_at is its events' DTSTAMP, so even a change the feeds do not display alters their bytes.
WATCHED = (StayRequest, RoomAssignment, Closure, Room)
WATCHED_TABLES = frozenset(model.__tablename__ for model in WATCHED)
# What cached pages show besides (home, availability calendar, staff dashboard, the notice atop each):
# these raise only the page version, so that a calendar client is not told its feed changed when it did not.
PAGE_WATCHED = (ChangeRequest, HouseSettings, HouseNotice)
PAGE_WATCHED_TABLES = frozenset(model.__tablename__ for model in PAGE_WATCHED)

# Changes that reschedule an event: its SEQUENCE must rise (RFC 5545 §3.8.7.4) unless the code that
# made them already raised it, as StayRequest.approve() and cancel() do.
RESCHEDULING = {
    StayRequest: ("arrival", "departure"),
    Closure: ("start_date", "end_date", "room_id", "reason"),
}


class FeedState(db.Model):
    """A single row (id 1), created by the migration."""

    __tablename__ = "feed_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    # Unix seconds, UTC. HTTP dates have a one-second resolution, so every change moves this forward
    # by at least one second: If-Modified-Since then never misses two changes made in the same second.
    modified_epoch: Mapped[int] = mapped_column(sa.BigInteger)
    # Raised with `version` and by the changes only pages show (see pagecache.py).
    page_version: Mapped[int] = mapped_column(default=1, server_default="1")


@dataclass(frozen=True)
class FeedVersion:
    version: int
    last_modified: datetime


# The single row's id is FEED_STATE_ID (1).
_READ_VERSION = "SELECT version, modified_epoch FROM feed_state WHERE id = 1"
_READ_PAGE_VERSION = "SELECT page_version FROM feed_state WHERE id = 1"


def _read_state(query: str) -> tuple | None:
    # Every calendar poll and every kept page starts here, so this one read skips SQLAlchemy's statement
    # machinery, and the ORM session unless the request has one going: half of a feed's 304 (the SQL is
    # fixed, without parameters, and the same on SQLite and PostgreSQL).
    # Outside the request's transaction is safe for a cache key: no read there holds a snapshot taken
    # before this one (SQLite reads outside a write, and PostgreSQL's READ COMMITTED, see the latest
    # commit), so the data read next is at least as new as the version it is kept under.
    session = db.session.registry() if db.session.registry.has() else None
    if session is not None and session.in_transaction():
        # The request holds a connection already (a staff page): read on it rather than check out a
        # second one, which PostgreSQL would also have to reset, one more round trip.
        return session.connection().exec_driver_sql(query).fetchone()
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(query)
        return cursor.fetchone()
    finally:
        connection.close()


def current_feed_version() -> FeedVersion:
    """The version and Last-Modified of the feeds' data: one small query (all a house feed's 304 needs)."""
    row = _read_state(_READ_VERSION)
    if row is None:
        raise RuntimeError("the feed_state row is missing: run `flask --app wsgi db upgrade`")
    return FeedVersion(row[0], datetime.fromtimestamp(row[1], UTC))


# What the session's current transaction has raised already ("feed" covers the page version too): a
# transaction flushes several times, and one raise is enough for all of them.
_RAISED = "calendar.raised"


def current_page_version() -> int:
    """The version of everything a cached page shows: one small query."""
    row = _read_state(_READ_PAGE_VERSION)
    version = row[0] if row is not None else None
    if version is None:
        raise RuntimeError("the feed_state row is missing: run `flask --app wsgi db upgrade`")
    return version


def bump_page_version(session: Session) -> None:
    """Raise the page version alone: a change the pages show and the feeds do not."""
    if session.info.get(_RAISED):
        return
    session.info[_RAISED] = "page"
    result = session.execute(
        sa.update(FeedState)
        .where(FeedState.id == FEED_STATE_ID)
        .values(page_version=FeedState.page_version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        session.add(FeedState(id=FEED_STATE_ID, version=1, modified_epoch=int(utcnow().timestamp())))


def bump_feed_version(session: Session) -> None:
    """Raise the version and move Last-Modified forward: to now, or one second past the previous one.

    One UPDATE computed by the database, not a read then a write: two concurrent transactions cannot
    both turn version 5 into 6 (PostgreSQL makes the second wait on the row lock and re-reads it).
    Code that changes watched tables through raw SQL must call this itself.
    """
    if session.info.get(_RAISED) == "feed":
        return
    session.info[_RAISED] = "feed"
    now = int(utcnow().timestamp())
    result = session.execute(
        sa.update(FeedState)
        .where(FeedState.id == FEED_STATE_ID)
        .values(
            version=FeedState.version + 1,
            page_version=FeedState.page_version + 1,  # every page that shows stays shows the feeds' data
            modified_epoch=sa.case(
                (FeedState.modified_epoch >= now, FeedState.modified_epoch + 1), else_=now
            ),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        session.add(FeedState(id=FEED_STATE_ID, version=1, modified_epoch=now))


def _changed(session: Session, obj: object) -> bool:
    return session.is_modified(obj, include_collections=False)


def _raise_sequences(obj: object) -> None:
    fields = RESCHEDULING.get(type(obj))
    if not fields:
        return
    attrs = sa.inspect(obj).attrs
    if attrs.sequence.history.has_changes():
        return
    if any(getattr(attrs, name).history.has_changes() for name in fields):
        obj.sequence = (obj.sequence or 0) + 1


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_raised(session: Session, transaction: SessionTransaction) -> None:
    # The transaction's end, or a savepoint's (a raise rolled back with it is then made again); not the
    # end of the inner transaction each flush opens.
    if transaction.parent is None or transaction.nested:
        session.info.pop(_RAISED, None)


# Registered once, at import, on every session: no view, command or job can forget to bump the version.
@sa.event.listens_for(Session, "before_flush")
def _track_feed_changes(session: Session, _flush_context, _instances) -> None:
    added_or_deleted = [*session.new, *session.deleted]
    changed = any(isinstance(obj, WATCHED) for obj in added_or_deleted)
    page_changed = any(isinstance(obj, PAGE_WATCHED) for obj in added_or_deleted)
    for obj in session.dirty:
        if isinstance(obj, WATCHED) and _changed(session, obj):
            _raise_sequences(obj)
            changed = True
        elif isinstance(obj, PAGE_WATCHED) and _changed(session, obj):
            page_changed = True
    if changed:
        bump_feed_version(session)
    elif page_changed:
        bump_page_version(session)


@sa.event.listens_for(Session, "do_orm_execute")
def _track_bulk_changes(state) -> None:
    # `session.execute(sa.delete(StayRequest)...)` bypasses the flush: catch bulk statements too (raw SQL
    # text cannot be recognised: see bump_feed_version).
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name in WATCHED_TABLES:
        bump_feed_version(state.session)
    elif name in PAGE_WATCHED_TABLES:
        bump_page_version(state.session)
