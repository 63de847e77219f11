"""Queries and decisions about change requests."""

from __future__ import annotations

import sqlalchemy as sa

from ..bookings.choices import StayStatus
from ..bookings.models import RoomAssignment, StayRequest
from ..bookings.operations import change_stay
from ..extensions import db
from ..staff.models import StaffUser
from .models import ChangeRequest, ChangeStatus


def pending_change(stay: StayRequest) -> ChangeRequest | None:
    """The change request waiting for staff, if any (a newer one replaces an older one)."""
    return db.session.scalar(
        sa.select(ChangeRequest)
        .where(ChangeRequest.stay_id == stay.id, ChangeRequest.status == ChangeStatus.PENDING)
        .order_by(ChangeRequest.id.desc())
        .limit(1)
    )


def pending_changes(limit: int) -> tuple[int, list[ChangeRequest]]:
    """Change requests waiting for staff, oldest first, with their stays."""
    where = (ChangeRequest.status == ChangeStatus.PENDING) & (StayRequest.status == StayStatus.APPROVED)
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(ChangeRequest).join(StayRequest).where(where)
    )
    changes = db.session.scalars(
        sa.select(ChangeRequest)
        .join(StayRequest)
        .where(where)
        .order_by(ChangeRequest.created_at, ChangeRequest.id)
        .limit(limit)
        # The stays with their rooms: the dashboard shows them beside what is asked.
        .options(
            sa.orm.joinedload(ChangeRequest.stay)
            .selectinload(StayRequest.assignments)
            .selectinload(RoomAssignment.room)
        )
    )
    return count, list(changes)


def accept_change(change: ChangeRequest, *, by: StaffUser, room_ids: list[int], message: str) -> None:
    """Apply the requested dates and travellers with these rooms, or raise BookingConflict; the caller commits."""
    stay = change.stay
    change_stay(
        stay,
        by=by,
        arrival=change.arrival,
        departure=change.departure,
        room_ids=room_ids,
        guests=change.guests,
        travellers=change.travellers,
        message=message,
    )
    change.accept(by=by)
