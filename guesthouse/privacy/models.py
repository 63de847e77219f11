"""What the privacy purge keeps of the requests it deletes: no personal data at all."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..bookings.choices import StayStatus
from ..database import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..bookings.models import StayRequest


class ArchivedRequest(db.Model):
    """What statistics keep of a request after the privacy purge deleted it: no personal data at all.

    Refused, withdrawn and cancelled requests are deleted some months after their end; one row here per
    deleted request keeps the activity figures (requests received, decisions, time to decide) right.
    """

    __tablename__ = "archived_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[StayStatus] = mapped_column(
        sa.Enum(StayStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    organisation_type: Mapped[str] = mapped_column(sa.String(40))
    cooperation_axis: Mapped[str] = mapped_column(sa.String(40))
    arrival: Mapped[date]
    departure: Mapped[date]
    guests: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @classmethod
    def of(cls, stay: StayRequest) -> ArchivedRequest:
        return cls(
            status=stay.status,
            organisation_type=stay.organisation_type,
            cooperation_axis=stay.cooperation_axis,
            arrival=stay.arrival,
            departure=stay.departure,
            guests=stay.guests,
            created_at=stay.created_at,
            decided_at=stay.decided_at,
        )
