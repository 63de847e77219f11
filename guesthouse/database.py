"""Engine behaviour that the booking guarantees depend on, and column types shared by models."""

import fcntl
import os
import threading
import time
from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, SessionTransaction

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


# SQLite has one write lock for the whole file, and a connection that finds it taken sleeps and polls
# (1, 2, 5, 10 … 100 ms apart) until it is free. Under load, with the lock holder slowed by the other
# threads of its process, a writer loses that race again and again: bursts of writes stalled for up to a
# second. Writers therefore queue in order before they touch the file: the threads of a process on a
# lock, the processes (web workers, mail worker, commands) on an flock of `<database>-writer.lock`,
# which the kernel hands to the next waiter at once. SQLite's lock still guarantees the result alone.
_SQLITE_WRITER = threading.RLock()
_HOLDS_WRITER = "database.holds_writer"
# How many sessions of this thread hold the writer lock: a session opened while another of the same
# thread writes (a test, a command) must not wait for a file lock its own thread holds.
_writers_in_thread = threading.local()


def _lock_writers(database: str) -> int | None:
    """Wait for the database's writer lock file; its descriptor, closed (and unlocked) by the writer.

    Opened for each write transaction (a few microseconds): a descriptor shared across a fork, or kept
    for every database file a test suite makes, would cause more trouble than it saves.
    """
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    descriptor = os.open(f"{database}-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _queue_for_sqlite_write(session: Session) -> None:
    if _HOLDS_WRITER in session.info:
        return
    engine = session.get_bind()
    if engine.dialect.name != "sqlite":
        return
    # Waiting longer than SQLite itself would is never useful: past that, SQLite's own lock decides.
    timeout_ms = current_app.config["SQLITE_BUSY_TIMEOUT_MS"] if has_app_context() else 5000
    if not _SQLITE_WRITER.acquire(timeout=timeout_ms / 1000):
        return
    depth = getattr(_writers_in_thread, "depth", 0)
    try:
        lock_file = _lock_writers(engine.url.database or "") if depth == 0 else None
    except BaseException:
        _SQLITE_WRITER.release()
        raise
    _writers_in_thread.depth = depth + 1
    session.info[_HOLDS_WRITER] = lock_file


@sa.event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context, _instances) -> None:
    if session.new or session.dirty or session.deleted:
        _queue_for_sqlite_write(session)


@sa.event.listens_for(Session, "do_orm_execute")
def _before_bulk_write(state) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        _queue_for_sqlite_write(state.session)


@sa.event.listens_for(Session, "after_transaction_end")
def _leave_sqlite_write(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and _HOLDS_WRITER in session.info:
        lock_file = session.info.pop(_HOLDS_WRITER)
        _writers_in_thread.depth -= 1
        if lock_file is not None:
            os.close(lock_file)  # releases the flock
        _SQLITE_WRITER.release()


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
    _queue_for_sqlite_write(session)
    session.connection(execution_options={"sqlite_immediate": True})
