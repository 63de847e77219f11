"""A requester's request to change an approved stay, which staff accept or refuse.

A change request is part of a stay's life: `StayRequest.change_requests` (models.py) is the other
side of `ChangeRequest.stay`, and a cancelled stay closes the requests still waiting.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db
from .choices import StayStatus
from .models import StayRequest, TransitionError

if TYPE_CHECKING:
    from ..staff.models import StaffUser


class ChangeStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    SUPERSEDED = "superseded"  # replaced by a newer change request of the same stay
    CLOSED = "closed"  # the stay was cancelled before staff decided
    WITHDRAWN = "withdrawn"  # the requester took it back before staff decided


class ChangeRequest(db.Model):
    """New dates or travellers asked for an approved stay; the stay keeps its rooms until staff decide."""

    __tablename__ = "change_requests"
    __table_args__ = (sa.CheckConstraint("departure > arrival", name="dates_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(sa.ForeignKey("stay_requests.id", ondelete="CASCADE"), index=True)
    status: Mapped[ChangeStatus] = mapped_column(
        sa.Enum(ChangeStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=ChangeStatus.PENDING,
    )
    arrival: Mapped[date]
    departure: Mapped[date]
    guests: Mapped[int]
    travellers: Mapped[str] = mapped_column(sa.Text, default="")
    message: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="SET NULL"))
    response: Mapped[str] = mapped_column(sa.Text, default="")

    stay: Mapped[StayRequest] = relationship(back_populates="change_requests")

    @property
    def nights(self) -> int:
        return (self.departure - self.arrival).days

    def differences(self) -> list[tuple[str, str, str]]:
        """(what, before, after) for each thing this request changes, for a before/after view."""
        stay = self.stay
        rows = []
        for key, before, after in (
            ("arrival", stay.arrival, self.arrival),
            ("departure", stay.departure, self.departure),
            ("guests", stay.guests, self.guests),
            ("travellers", stay.travellers.strip(), self.travellers.strip()),
        ):
            if before != after:
                rows.append((key, before, after))
        return rows

    @classmethod
    def open(
        cls,
        stay: StayRequest,
        *,
        arrival: date,
        departure: date,
        guests: int,
        travellers: str,
        message: str,
        pending: ChangeRequest | None,
    ) -> ChangeRequest:
        """Ask for a change of an approved stay; a pending earlier request is replaced by this one."""
        if stay.status != StayStatus.APPROVED:
            raise TransitionError(f"change of a {stay.status} stay")
        if pending is not None:
            pending.status = ChangeStatus.SUPERSEDED
            pending.decided_at = utcnow()
        change = cls(
            arrival=arrival,
            departure=departure,
            guests=guests,
            travellers=travellers,
            message=message,
        )
        stay.change_requests.append(change)  # through the collection, so the session takes it in
        stay.record_event(
            "change_requested",
            actor=None,
            actor_kind="requester",
            message=message,
            details={
                "before": {
                    "arrival": stay.arrival.isoformat(),
                    "departure": stay.departure.isoformat(),
                    "guests": stay.guests,
                },
                "after": {
                    "arrival": arrival.isoformat(),
                    "departure": departure.isoformat(),
                    "guests": guests,
                },
            },
        )
        return change

    def accept(self, *, by: StaffUser) -> None:
        """Mark accepted; the caller has applied the change to the stay (`change_stay`)."""
        self._require_pending()
        self.status = ChangeStatus.ACCEPTED
        self.decided_at = utcnow()
        self.decided_by_id = by.id

    def refuse(self, *, by: StaffUser, message: str) -> None:
        """The stay stays as it was; the requester is told why."""
        self._require_pending()
        self.status = ChangeStatus.REFUSED
        self.decided_at = utcnow()
        self.decided_by_id = by.id
        self.response = message
        self.stay.record_event("change_refused", actor=by, message=message)

    def withdraw(self) -> None:
        """The requester takes back the change; the stay stays as it was approved."""
        self._require_pending()
        self.status = ChangeStatus.WITHDRAWN
        self.decided_at = utcnow()
        self.stay.record_event("change_withdrawn", actor=None, actor_kind="requester")

    def close(self) -> None:
        """The stay is cancelled: a change still waiting for staff has nothing left to change."""
        if self.status == ChangeStatus.PENDING:
            self.status = ChangeStatus.CLOSED
            self.decided_at = utcnow()

    def _require_pending(self) -> None:
        if self.status != ChangeStatus.PENDING:
            raise TransitionError(f"change request is {self.status}")
        if self.stay.status != StayStatus.APPROVED:
            raise TransitionError(f"change of a {self.stay.status} stay")
