"""The notice shown on every page, and the people waiting for free beds or for the house to reopen."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

import sqlalchemy as sa
from flask import g
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, today, utcnow
from ..extensions import db


class NoticeLevel(enum.StrEnum):
    INFO = "info"
    ALERT = "alert"


class HouseNotice(db.Model):
    """The service's word at the top of every page (and, if chosen, of mails to requesters); one row."""

    __tablename__ = "house_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    text_fr: Mapped[str] = mapped_column(sa.String(1000), default="")
    text_en: Mapped[str] = mapped_column(sa.String(1000), default="")
    level: Mapped[str] = mapped_column(sa.String(10), default=NoticeLevel.INFO.value)
    # The last day it is shown; none: until an admin removes it.
    ends_on: Mapped[date | None]
    in_mails: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="SET NULL"))

    @property
    def shown(self) -> bool:
        return bool(self.text_fr) and (self.ends_on is None or self.ends_on >= today())

    @property
    def is_alert(self) -> bool:
        return self.level == NoticeLevel.ALERT.value

    def text(self, locale: str) -> str:
        return self.text_en if str(locale).startswith("en") and self.text_en else self.text_fr


def notice_row() -> HouseNotice | None:
    return db.session.scalar(sa.select(HouseNotice).order_by(HouseNotice.id).limit(1))


def current_notice() -> HouseNotice | None:
    """The notice to show now, if any; read once per request (every page asks)."""
    if "house_notice" not in g:
        row = notice_row()
        g.house_notice = row if row is not None and row.shown else None
    return g.house_notice


class WaitKind(enum.StrEnum):
    DATES = "dates"  # nights that were full
    REOPENING = "reopening"  # the house suspended


def new_leave_token() -> str:
    return secrets.token_urlsafe(32)


class WaitlistEntry(db.Model):
    """Someone to tell when beds free up on their nights, or when the house reopens.

    Told once (`told_at`): the mail is promised in the transaction that freed the beds or lifted the
    suspension (`mail_pending`), and written by the mail worker, like the mails of a stay.
    """

    __tablename__ = "waitlist_entries"
    __table_args__ = (sa.Index("ix_waitlist_entries_kind_told", "kind", "told_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The link to leave the list, in every mail: unguessable, as a request's private link.
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_leave_token)
    kind: Mapped[str] = mapped_column(sa.String(20))
    contact_name: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    locale: Mapped[str] = mapped_column(sa.String(8), default="fr")
    arrival: Mapped[date | None]
    departure: Mapped[date | None]
    guests: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mail_pending: Mapped[bool] = mapped_column(default=False, server_default=sa.false(), index=True)

    @property
    def for_dates(self) -> bool:
        return self.kind == WaitKind.DATES.value

    @property
    def nights(self) -> int:
        return (self.departure - self.arrival).days if self.arrival and self.departure else 0

    def tell(self) -> None:
        """Promise the mail that says beds are free (or the house reopens); never twice."""
        if self.told_at is None:
            self.told_at = utcnow()
            self.mail_pending = True
