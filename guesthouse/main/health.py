"""What /healthz checks: that the database takes a committed write and has room for the next ones."""

from __future__ import annotations

import os
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db

# Less room than this and the database is full for the health check: a request writes a few pages, and
# SQLite's write-ahead log grows by as much again until its next checkpoint.
FULL_BELOW_BYTES = 1024 * 1024


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


def room_to_grow() -> int | None:
    """Bytes a SQLite database can still take; None on PostgreSQL, whose disk is the server's to watch.

    Rewriting the health row reuses its page, so it succeeds on a full disk: SQLite's room is what its
    free pages hold, plus what the file can grow by on its disk, up to SQLite's page limit.
    """
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return None
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
