"""Engine behaviour that the booking guarantees depend on, and column types shared by models."""

import time
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """Today in Bamako, which is UTC+0 all year."""
    return utcnow().date()


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC timestamp on every backend (SQLite drops the offset on its own)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given for a UTC column")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """Make SQLite serialise the decisions that must never double-book.

    pysqlite opens a transaction lazily, right before the first write, so a check followed by a
    write can act on data another connection changed in between. A session that is about to decide
    (see `begin_write`) therefore emits BEGIN IMMEDIATE itself, as in SQLAlchemy's documented pysqlite
    workaround: the write lock is taken before the check reads anything. Other transactions keep
    pysqlite's lazy BEGIN, so plain reads never hold a stale snapshot that would make a later write
    fail. WAL lets readers go on while a writer works; the busy timeout makes writers queue.
    """

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        if conn.get_execution_options().get("sqlite_immediate", False):
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    """Test a pooled connection before use when it has been idle for longer than `idle_seconds`.

    SQLAlchemy's pool_pre_ping does it before every use: one more round trip to PostgreSQL per request
    (and per connection a request checks out), about a tenth of a calendar poll's cost. A connection in
    steady use is alive; one left idle may have been dropped by a restart, a failover or a firewall.
    A failed test makes the pool open a new connection instead, so no request sees the error.
    """

    @sa.event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at <= idle_seconds:
            return
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            dbapi_connection.rollback()
        except Exception as error:
            raise sa.exc.DisconnectionError(f"idle connection lost: {error}") from error


def begin_write() -> None:
    """Start the session's transaction as a serialised write transaction.

    Call it before the reads that a booking decision depends on. Whatever the session read before
    (the logged-in user, say) is released first; nothing has been written yet at that point.
    """
    session = db.session()
    if session.in_transaction():
        if session.connection().get_execution_options().get("sqlite_immediate"):
            return
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() must come before any change in the session")
        session.rollback()
    session.connection(execution_options={"sqlite_immediate": True})
