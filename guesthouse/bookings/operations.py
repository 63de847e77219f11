"""Decisions on stays and the queries they rest on: conflicts under lock, approvals, changes, availability.

The lists the staff pages show are in lists.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..database import begin_write
from ..extensions import db
from ..rooms.models import Closure, Room
from ..staff.models import StaffUser
from .changes import ChangeRequest, ChangeStatus
from .models import BookingEvent, RoomAssignment, StayRequest


class BookingConflict(Exception):
    """The rooms asked for are taken or closed on some of the nights."""

    def __init__(self, conflicts: list[Conflict]):
        super().__init__(", ".join(str(c) for c in conflicts))
        self.conflicts = conflicts


@dataclass(frozen=True)
class Conflict:
    room: Room
    start: date
    end: date
    kind: str  # "stay" or "closure"
    label: str  # the other stay's reference or the closure's reason


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """Half-open ranges of nights: leaving on day D and arriving on day D do not overlap."""
    return a_start < b_end and b_start < a_end


def nights_between(start: date, end: date) -> list[date]:
    """The nights of `[start, end)`."""
    return [start + timedelta(days=i) for i in range((end - start).days)]


def house_capacity() -> int:
    """Beds of the active rooms."""
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Room.beds), 0)).where(Room.active))


def active_rooms() -> list[Room]:
    return list(db.session.scalars(sa.select(Room).where(Room.active).order_by(Room.name)))


def find_conflicts(
    room_ids: list[int], start: date, end: date, *, exclude_stay_id: int | None = None
) -> list[Conflict]:
    """Approved assignments and closures that hold any of these rooms on a night of `[start, end)`."""
    if not room_ids:
        return []
    assignments = sa.select(RoomAssignment).where(
        RoomAssignment.room_id.in_(room_ids),
        RoomAssignment.arrival < end,
        RoomAssignment.departure > start,
    )
    if exclude_stay_id is not None:
        assignments = assignments.where(RoomAssignment.stay_id != exclude_stay_id)
    assignments = assignments.options(selectinload(RoomAssignment.stay), selectinload(RoomAssignment.room))
    conflicts = [
        Conflict(a.room, a.arrival, a.departure, "stay", a.stay.reference or "")
        for a in db.session.scalars(assignments)
    ]
    closures = db.session.scalars(
        sa.select(Closure).where(
            sa.or_(Closure.room_id.is_(None), Closure.room_id.in_(room_ids)),
            Closure.start_date < end,
            Closure.end_date > start,
        )
    ).all()
    rooms = {r.id: r for r in db.session.scalars(sa.select(Room).where(Room.id.in_(room_ids)))}
    for closure in closures:
        for room_id in [closure.room_id] if closure.room_id else room_ids:
            conflicts.append(
                Conflict(rooms[room_id], closure.start_date, closure.end_date, "closure", closure.reason)
            )
    return conflicts


# SQLSTATE of an exclusion constraint violation: on PostgreSQL, `ex_room_assignments_no_overlap`
# (migration 0007_no_double_booking) refuses two assignments of one room on a common night.
EXCLUSION_VIOLATION = "23P01"


def is_double_booking(error: sa.exc.IntegrityError) -> bool:
    return getattr(error.orig, "sqlstate", None) == EXCLUSION_VIOLATION


@contextmanager
def assignments_checked_by_database(stay: StayRequest, room_ids: list[int]) -> Iterator[None]:
    """Write the stay's new room assignments in a savepoint, flushed before leaving the block.

    The application's check runs first, under locks; this is the database's own guarantee behind it
    (PostgreSQL's exclusion constraint), for a writer that took another path. Its refusal becomes the
    same BookingConflict, listing what the other writer committed, and the enclosing transaction stays
    usable for the caller to roll back.
    """
    try:
        with db.session.begin_nested():
            yield
    except sa.exc.IntegrityError as error:
        if not is_double_booking(error):
            raise
        conflicts = find_conflicts(room_ids, stay.arrival, stay.departure, exclude_stay_id=stay.id)
        raise BookingConflict(conflicts) from error


def free_rooms(stay: StayRequest, room_ids: list[int], nights: Callable[[], tuple[date, date]]) -> list[Room]:
    """The active rooms asked for, locked in a write transaction, or BookingConflict if one is held.

    `nights` gives `[start, end)` once the lock is held, so that dates read from the stay are fresh.
    """
    begin_write()
    rooms = list(
        db.session.scalars(
            sa.select(Room).where(Room.id.in_(room_ids), Room.active).order_by(Room.id).with_for_update()
        )
    )
    start, end = nights()
    conflicts = find_conflicts([r.id for r in rooms], start, end, exclude_stay_id=stay.id)
    if conflicts:
        raise BookingConflict(conflicts)
    return rooms


def approve_stay(stay: StayRequest, *, by: StaffUser, room_ids: list[int], message: str) -> None:
    """Approve a pending stay with these rooms, or raise BookingConflict; the caller commits.

    The check and the write happen in one serialised write transaction (SQLite: BEGIN IMMEDIATE;
    PostgreSQL: the rooms' rows are locked), so two approvals of the same room cannot both pass.
    """
    # begin_write() (in free_rooms) expired what the session held: the stay is read again under the lock.
    rooms = free_rooms(stay, room_ids, lambda: (stay.arrival, stay.departure))
    with assignments_checked_by_database(stay, [r.id for r in rooms]):
        stay.approve(by=by, rooms=rooms, message=message)


def change_stay(
    stay: StayRequest,
    *,
    by: StaffUser,
    arrival: date,
    departure: date,
    room_ids: list[int],
    guests: int | None = None,
    travellers: str | None = None,
    message: str = "",
) -> None:
    """Move an approved stay to other dates or rooms, or raise BookingConflict; the caller commits.

    Locked and checked like an approval; the stay's own rooms do not conflict with it.
    """
    rooms = free_rooms(stay, room_ids, lambda: (arrival, departure))
    # The database has the last word where it can (PostgreSQL's exclusion constraint): same 409.
    with assignments_checked_by_database(stay, [r.id for r in rooms]):
        stay.change(
            by=by,
            arrival=arrival,
            departure=departure,
            rooms=rooms,
            guests=guests,
            travellers=travellers,
            message=message,
        )


def pending_change(stay: StayRequest) -> ChangeRequest | None:
    """The change request waiting for staff, if any (a newer one replaces an older one)."""
    return db.session.scalar(
        sa.select(ChangeRequest)
        .where(ChangeRequest.stay_id == stay.id, ChangeRequest.status == ChangeStatus.PENDING)
        .order_by(ChangeRequest.id.desc())
        .limit(1)
    )


def accept_change_request(change: ChangeRequest, *, by: StaffUser, room_ids: list[int], message: str) -> None:
    """Apply the requested dates and travellers with these rooms, or raise BookingConflict; the caller commits."""
    change_stay(
        change.stay,
        by=by,
        arrival=change.arrival,
        departure=change.departure,
        room_ids=room_ids,
        guests=change.guests,
        travellers=change.travellers,
        message=message,
    )
    change.accept(by=by)


def closed_nights(start: date, end: date) -> tuple[set[date], dict[date, set[int]]]:
    """The nights of `[start, end)` when the whole house is closed, and the rooms closed on each night."""
    house_closed: set[date] = set()
    closed: dict[date, set[int]] = {}
    closures = db.session.execute(
        sa.select(Closure.room_id, Closure.start_date, Closure.end_date).where(
            Closure.start_date < end, Closure.end_date > start
        )
    )
    for room_id, c_start, c_end in closures:
        for night in nights_between(max(c_start, start), min(c_end, end)):
            if room_id is None:
                house_closed.add(night)
            else:
                closed.setdefault(night, set()).add(room_id)
    return house_closed, closed


@dataclass(frozen=True)
class Night:
    day: date
    free_rooms: int
    free_beds: int
    closed: bool  # the whole house is closed


def availability(start: date, days: int, rooms: list[Room] | None = None) -> list[Night]:
    """Free rooms and beds for each night of `[start, start + days)`; no personal data."""
    end = start + timedelta(days=days)
    beds = {room.id: room.beds for room in (active_rooms() if rooms is None else rooms)}
    held: dict[date, set[int]] = {}
    rows = db.session.execute(
        sa.select(RoomAssignment.room_id, RoomAssignment.arrival, RoomAssignment.departure).where(
            RoomAssignment.arrival < end, RoomAssignment.departure > start
        )
    )
    for room_id, arrival, departure in rows:
        for night in nights_between(max(arrival, start), min(departure, end)):
            held.setdefault(night, set()).add(room_id)
    house_closed, closed = closed_nights(start, end)
    for night, room_ids in closed.items():
        held.setdefault(night, set()).update(room_ids)
    nights = []
    for night in nights_between(start, end):
        if night in house_closed:
            nights.append(Night(night, 0, 0, True))
            continue
        taken = held.get(night, ())
        free = [count for room_id, count in beds.items() if room_id not in taken]
        nights.append(Night(night, len(free), sum(free), False))
    return nights


def room_choices(
    stay: StayRequest, start: date | None = None, end: date | None = None
) -> list[tuple[Room, list[Conflict]]]:
    """Each active room with what would stop it from being assigned to this stay on `[start, end)`
    (by default the stay's own nights); the stay's own rooms never stop it."""
    rooms = active_rooms()
    start, end = start or stay.arrival, end or stay.departure
    conflicts = find_conflicts([r.id for r in rooms], start, end, exclude_stay_id=stay.id)
    return [(room, [c for c in conflicts if c.room.id == room.id]) for room in rooms]


def lock_stay(stay_id: int) -> StayRequest | None:
    """Load a stay for a state change inside a write transaction, its row locked where supported."""
    begin_write()
    return db.session.get(StayRequest, stay_id, with_for_update=True)


def requests_of(email: str, limit: int = 20) -> list[StayRequest]:
    """The newest requests made from one address (case-insensitive), anonymised ones excluded."""
    return list(
        db.session.scalars(
            sa.select(StayRequest)
            .where(
                sa.func.lower(StayRequest.contact_email) == email.strip().lower(),
                StayRequest.anonymised_at.is_(None),
            )
            .order_by(StayRequest.created_at.desc(), StayRequest.id.desc())
            .limit(limit)
        )
    )


def load_history(stay: StayRequest) -> None:
    """Load the stay's events with the staff member behind each: two queries however long the history."""
    events = db.session.scalars(
        sa.select(BookingEvent)
        .where(BookingEvent.stay_id == stay.id)
        .order_by(BookingEvent.id)
        .options(selectinload(BookingEvent.actor))
    ).all()
    set_committed_value(stay, "events", list(events))


def stay_by_token(token: str) -> StayRequest | None:
    return db.session.scalar(sa.select(StayRequest).where(StayRequest.access_token == token))
