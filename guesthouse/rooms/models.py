"""Rooms of the house and the closures that make them unbookable."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

# The end of a closure "until further notice": the last date the database and Python both hold. A real
# date rather than NULL, so that every query of closures (`end_date > start`), availability, conflicts
# and feeds treats an open-ended suspension as the closure it is, with nothing to remember.
FURTHER_NOTICE = date(9999, 12, 31)


class Room(db.Model):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    beds: Mapped[int]
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Room {self.name}>"


class Closure(db.Model):
    """A period `[start, end)` of nights when one room, or the whole house (room is None), is closed."""

    __tablename__ = "closures"
    __table_args__ = (sa.CheckConstraint("end_date > start_date", name="dates_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(64), unique=True, default=lambda: uuid.uuid4().hex)
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rooms.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date]
    # Window queries (`start_date < end AND end_date > start`) read only the closures that end after the
    # window starts; an index on start_date would make them read every past closure.
    end_date: Mapped[date] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(sa.String(500))
    # What visitors are told of a whole-house closure (the request form quotes it); a closure with a
    # public wording is a suspension of the house (guesthouse/closing/).
    public_reason_fr: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    public_reason_en: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    sequence: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    room: Mapped[Room | None] = relationship()

    @property
    def nights(self) -> int:
        return (self.end_date - self.start_date).days

    @property
    def last_night(self) -> date:
        return date.fromordinal(self.end_date.toordinal() - 1)

    @property
    def open_ended(self) -> bool:
        return self.end_date == FURTHER_NOTICE

    @property
    def is_suspension(self) -> bool:
        return self.room_id is None and bool(self.public_reason_fr)

    def public_reason(self, locale: str) -> str:
        return (
            self.public_reason_en
            if str(locale).startswith("en") and self.public_reason_en
            else self.public_reason_fr
        )
