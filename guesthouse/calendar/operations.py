"""What the feeds show: approved stays, closures and pending requests within the feed window."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from ..bookings.choices import StayStatus
from ..bookings.models import ReplacedToken, RoomAssignment, StayRequest
from ..database import today
from ..extensions import db
from ..rooms.models import Closure
from ..staff.models import StaffUser, hash_token

# What secrets.token_urlsafe(32) produces; anything else is refused before touching the database.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,100}")


@dataclass(frozen=True)
class Window:
    """The days `[start, end)` a feed covers; events overlapping it are shown whole."""

    start: date
    end: date


def feed_window(day: date | None = None) -> Window:
    """From FEED_DAYS_BEFORE days ago to FEED_DAYS_AFTER days ahead of `day` (today by default)."""
    day = day or today()
    config = current_app.config
    return Window(
        day - timedelta(days=config["FEED_DAYS_BEFORE"]), day + timedelta(days=config["FEED_DAYS_AFTER"])
    )


def approved_assignments(window: Window, room_id: int | None = None) -> list[RoomAssignment]:
    """Rooms held by approved stays overlapping the window, with their stay and room; three queries."""
    query = (
        sa.select(RoomAssignment)
        .join(RoomAssignment.stay)
        .where(
            StayRequest.status == StayStatus.APPROVED,
            RoomAssignment.arrival < window.end,
            RoomAssignment.departure > window.start,
        )
        .order_by(RoomAssignment.arrival, RoomAssignment.id)
        .options(selectinload(RoomAssignment.stay), selectinload(RoomAssignment.room))
    )
    if room_id is not None:
        query = query.where(RoomAssignment.room_id == room_id)
    return list(db.session.scalars(query))


def closures_in(window: Window, room_id: int | None = None) -> list[Closure]:
    """Closures overlapping the window; for one room, its own and the whole house's; two queries."""
    query = (
        sa.select(Closure)
        .where(Closure.start_date < window.end, Closure.end_date > window.start)
        .order_by(Closure.start_date, Closure.id)
        .options(selectinload(Closure.room))
    )
    if room_id is not None:
        query = query.where(sa.or_(Closure.room_id.is_(None), Closure.room_id == room_id))
    return list(db.session.scalars(query))


def staff_stays(window: Window, *, include_pending: bool, max_pending: int) -> list[StayRequest]:
    """Approved stays overlapping the window and, if asked, the pending requests not yet over.

    Pending requests come from a public form, so they are capped (soonest first); approved stays are
    bounded by the rooms themselves. At most six queries, whatever the number of stays.
    """
    options = (selectinload(StayRequest.assignments).selectinload(RoomAssignment.room),)
    stays = list(
        db.session.scalars(
            sa.select(StayRequest)
            .where(
                StayRequest.status == StayStatus.APPROVED,
                StayRequest.arrival < window.end,
                StayRequest.departure > window.start,
            )
            .order_by(StayRequest.arrival, StayRequest.id)
            .options(*options)
        )
    )
    if include_pending and max_pending > 0:
        stays += db.session.scalars(
            sa.select(StayRequest)
            .where(
                StayRequest.status == StayStatus.PENDING,
                StayRequest.arrival < window.end,
                StayRequest.departure > max(window.start, today()),
            )
            .order_by(StayRequest.arrival, StayRequest.id)
            .limit(max_pending)
            .options(*options)
        )
    return stays


def with_rooms(stay: StayRequest) -> StayRequest:
    """The stay with its assignments and their rooms, in a fixed number of queries."""
    return db.session.scalars(
        sa.select(StayRequest)
        .where(StayRequest.id == stay.id)
        .options(selectinload(StayRequest.assignments).selectinload(RoomAssignment.room))
        .execution_options(populate_existing=True)
    ).one()


def staff_by_calendar_token(token: str) -> StaffUser | None:
    """The active staff member whose calendar token this is, else None; a caretaker's token opens
    nothing (the feed holds pending requests, which are the service's only)."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    wanted = hash_token(token)
    user = db.session.scalar(
        sa.select(StaffUser).where(StaffUser.calendar_token_hash == wanted, StaffUser.active)
    )
    # The lookup goes through an index on the hash; the final check does not leak timing either.
    if user is None or not hmac.compare_digest(user.calendar_token_hash or "", wanted):
        return None
    return user if user.is_staff else None


def stay_by_replaced_token(token: str) -> StayRequest | None:
    """The request whose private link this token was before staff replaced it, else None."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    return db.session.scalar(
        sa.select(StayRequest).join(ReplacedToken).where(ReplacedToken.token_hash == hash_token(token))
    )
