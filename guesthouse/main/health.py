"""What /healthz checks: that the database has room for new data and takes a committed write.

Rewriting one row reuses its page, so that write alone misses a full disk: on PostgreSQL it went through
on a full tablespace while every new request failed with "could not extend file" (SQLSTATE 53100), and on
SQLite it fails only once the write-ahead log must grow, never at SQLite's page limit. Hence the room,
probed or measured first.
"""

from __future__ import annotations

import os
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db

# Less room than this and a SQLite database is full: a request writes a few pages, and the write-ahead
# log grows by as much again until its next checkpoint.
FULL_BELOW_BYTES = 1024 * 1024
_POSTGRES_DISK_FULL = "53100"


class HealthCheck(db.Model):
    """A single row (id 1), created by the migration; nothing but the health check reads or writes it."""

    __tablename__ = "health_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def record_check() -> None:
    """Rewrite the health row, for the caller to commit: the write every change needs, without one."""
    updated = db.session.execute(
        sa.update(HealthCheck).where(HealthCheck.id == 1).values(checked_at=utcnow())
    )
    if updated.rowcount == 0:
        db.session.add(HealthCheck(id=1, checked_at=utcnow()))


def has_room() -> bool:
    """Whether the database can store new data; the session's transaction is rolled back."""
    try:
        if db.session.connection().dialect.name == "sqlite":
            return sqlite_room() >= FULL_BELOW_BYTES
        return postgres_has_room()
    finally:
        db.session.rollback()


def postgres_has_room() -> bool:
    """Whether a table can grow, found by growing one: PostgreSQL's disk is the server's, out of sight.

    TRUNCATE gives the table a new, empty file, which the row then extends by a page; on a full disk
    that fails at once. The caller's rollback puts the old file (and the row) back.
    """
    try:
        db.session.execute(sa.text("TRUNCATE health_check"))
        db.session.execute(sa.insert(HealthCheck).values(id=1, checked_at=utcnow()))
    except sa.exc.OperationalError as error:
        if getattr(error.orig, "sqlstate", None) == _POSTGRES_DISK_FULL:
            return False
        raise
    return True


def sqlite_room() -> int:
    """Bytes a SQLite database can still take: its free pages, plus what its file can grow by on its
    disk, up to SQLite's page limit."""
    connection = db.session.connection()
    page_size, pages, max_pages, free_pages = connection.exec_driver_sql(
        "SELECT * FROM pragma_page_size(), pragma_page_count(), pragma_max_page_count(),"
        " pragma_freelist_count()"
    ).one()
    growth = (max_pages - pages) * page_size
    database = connection.engine.url.database or ""
    if database not in ("", ":memory:") and not database.startswith("file:"):
        disk = os.statvfs(os.path.dirname(os.path.abspath(database)))
        growth = min(growth, disk.f_bavail * disk.f_frsize)
    return free_pages * page_size + growth
