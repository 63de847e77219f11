"""The outbox: every email, stored in the transaction that causes it, then sent and marked."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..bookings.models import StayRequest


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """One email to send: what it says, who gets it, and how its delivery went."""

    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_messages_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Fixed when queued, so that a retry after an uncertain failure is recognised downstream.
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    locale: Mapped[str] = mapped_column(sa.String(8), default="fr")
    sender: Mapped[str] = mapped_column(sa.String(320))
    # Lists of [display name, address] pairs.
    to: Mapped[list[list[str]]] = mapped_column(sa.JSON)
    cc: Mapped[list[list[str]]] = mapped_column(sa.JSON, default=list)
    reply_to: Mapped[list[str] | None] = mapped_column(sa.JSON)
    subject: Mapped[str] = mapped_column(sa.String(400))
    text_body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str] = mapped_column(sa.Text)
    ics: Mapped[str | None] = mapped_column(sa.Text)
    ics_method: Mapped[str | None] = mapped_column(sa.String(10))

    status: Mapped[OutboxStatus] = mapped_column(
        sa.Enum(OutboxStatus, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e]),
        default=OutboxStatus.QUEUED,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Kept when the stay is deleted by the privacy purge: a failed message must stay visible.
    stay_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("stay_requests.id", ondelete="SET NULL"), index=True
    )

    stay: Mapped[StayRequest | None] = relationship()

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"

    @property
    def recipients(self) -> str:
        return ", ".join(address for _name, address in self.to)

    @property
    def can_be_resent(self) -> bool:
        """A message that was never written (see messages.unwritten_mail) has nothing to send."""
        return bool(self.to)

    def requeue(self) -> None:
        """Give a failed message a fresh set of attempts, starting now."""
        self.status = OutboxStatus.QUEUED
        self.attempts = 0
        self.next_attempt_at = utcnow()


class LinkRequest(db.Model):
    """An address typed in the lost-link form, until the mail worker has mailed it its requests' links.

    The form stores this row whatever the address, and nothing else: its answer then costs the same
    whether or not the address has requests, and tells nobody which addresses do. The worker deletes
    the row in the transaction that stores the mail (or finds there is none to write); the privacy
    purge deletes any left behind.
    """

    __tablename__ = "link_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
