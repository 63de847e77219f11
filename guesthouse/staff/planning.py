"""The planning board: rooms by nights, with approved stays, closures, pending requests and free beds.

Everything on it comes from a fixed number of queries, whatever the number of stays: the rows touching
the period are read once, then laid out in Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ..bookings.changes import ChangeRequest, ChangeStatus
from ..bookings.choices import StayStatus
from ..bookings.models import RoomAssignment, StayRequest
from ..bookings.notes import StaffNote
from ..bookings.operations import Night, availability, nights_between
from ..extensions import db
from ..rooms.models import Closure, Room
from ..staff.models import StaffUser

# Notes shown in a bar's tooltip: the latest few, each cut short; the request's page has them all.
NOTES_IN_TOOLTIP = 3
NOTE_EXCERPT = 200
# Items sharing a lane are laid out in this order when they start on the same night.
KIND_ORDER = {"closure": 0, "stay": 1, "pending": 2}


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class NoteLine:
    author: str
    created_at: datetime
    body: str


@dataclass(frozen=True)
class AskedChange:
    arrival: date
    departure: date
    guests: int


@dataclass
class Item:
    """Something that holds nights on the board: an approved stay in one room, a pending request, a closure."""

    kind: str  # "stay", "pending" or "closure"
    arrival: date
    departure: date
    stay_id: int | None = None
    reference: str = ""
    organisation: str = ""
    guests: int = 0
    reason: str = ""  # a closure's
    whole_house: bool = False  # a closure of every room
    change: AskedChange | None = None
    notes: list[NoteLine] = field(default_factory=list)  # the latest few
    note_count: int = 0
    short_nights: list[date] = field(default_factory=list)  # a pending request's nights without enough beds


@dataclass(frozen=True)
class Cell:
    """A cell of a lane: an item across `span` nights from `night`, or one empty night."""

    night: date
    span: int
    item: Item | None = None

    @property
    def continues_before(self) -> bool:
        return self.item is not None and self.item.arrival < self.night

    def continues_after(self, end: date) -> bool:
        return self.item is not None and self.item.departure > end


@dataclass
class RoomRow:
    room: Room
    lanes: list[list[Cell]]


@dataclass
class Board:
    start: date
    end: date
    nights: list[Night]
    rooms: list[RoomRow]
    pending: list[list[Cell]]  # the lanes of requests waiting for rooms
    short: dict[date, list[Item]]  # for each night, the pending requests it has too few free beds for
    # Each night's CSS classes (weekend, today), worked out once: the page has a cell per room and night.
    night_classes: dict[date, str]

    @property
    def weeks(self) -> int:
        return (self.end - self.start).days // 7


def lanes(items: Iterable[Item], start: date, end: date) -> list[list[Cell]]:
    """Items packed into as few lanes as hold them without overlap, each lane as cells over `[start, end)`.

    Greedy by first night: an item goes into the first lane free from its first night on, so that
    overlapping items end up in separate lanes and staff see at once what competes for the same nights.
    """
    packed: list[list[Item]] = []
    for item in sorted(items, key=lambda i: (i.arrival, KIND_ORDER[i.kind], i.stay_id or 0)):
        lane = next((lane for lane in packed if lane[-1].departure <= item.arrival), None)
        if lane is None:
            packed.append([item])
        else:
            lane.append(item)
    return [cells(lane, start, end) for lane in packed] or [cells([], start, end)]


def cells(items: list[Item], start: date, end: date) -> list[Cell]:
    """One lane's cells: an item spans its nights inside `[start, end)`, every other night is empty."""
    row: list[Cell] = []
    night = start
    for item in items:
        first, stop = max(item.arrival, start), min(item.departure, end)
        row.extend(Cell(day, 1) for day in nights_between(night, first))
        row.append(Cell(first, (stop - first).days, item))
        night = stop
    row.extend(Cell(day, 1) for day in nights_between(night, end))
    return row


def night_classes(start: date, end: date, today: date) -> dict[date, str]:
    return {
        night: " ".join(
            name
            for name, applies in (("weekend", night.weekday() >= 5), ("today", night == today))
            if applies
        )
        for night in nights_between(start, end)
    }


def build_board(start: date, weeks: int, today: date, *, with_pending: bool) -> Board:
    """The board of `weeks` weeks from `start`, `today` marked; the requests waiting for rooms only
    `with_pending` (the service's, not the caretakers', who see confirmed stays only)."""
    end = start + timedelta(weeks=weeks)
    in_window = (StayRequest.arrival < end) & (StayRequest.departure > start)
    notes = staff_notes(in_window)
    changes = asked_changes(in_window)

    held: dict[int, list[Item]] = defaultdict(list)
    for row in db.session.execute(
        sa.select(
            RoomAssignment.room_id,
            RoomAssignment.arrival,
            RoomAssignment.departure,
            StayRequest.id,
            StayRequest.reference,
            StayRequest.organisation,
            StayRequest.guests,
        )
        .join(StayRequest, RoomAssignment.stay_id == StayRequest.id)
        # By the stays' window (an assignment has its stay's dates): the index on status and departure
        # then reads only the stays of the period, not the whole history's assignments.
        .where(StayRequest.status == StayStatus.APPROVED, in_window)
    ):
        held[row.room_id].append(stay_item("stay", row, notes, change=changes.get(row.id)))

    closed: dict[int | None, list[Item]] = defaultdict(list)
    for closure in db.session.scalars(
        sa.select(Closure)
        .where(Closure.start_date < end, Closure.end_date > start)
        .order_by(Closure.start_date, Closure.id)
    ):
        closed[closure.room_id].append(
            Item(
                "closure",
                closure.start_date,
                closure.end_date,
                reason=closure.reason,
                whole_house=closure.room_id is None,
            )
        )

    # Open rooms, and a room closed since which still holds a stay in the period.
    rooms = [
        room
        for room in db.session.scalars(sa.select(Room).order_by(Room.name))
        if room.active or held[room.id]
    ]
    nights = availability(start, (end - start).days, [room for room in rooms if room.active])
    free_beds = {night.day: night.free_beds for night in nights}

    pending = (
        [
            stay_item("pending", row, notes)
            for row in db.session.execute(
                sa.select(
                    StayRequest.id,
                    StayRequest.reference,
                    StayRequest.organisation,
                    StayRequest.guests,
                    StayRequest.arrival,
                    StayRequest.departure,
                )
                .where(StayRequest.status == StayStatus.PENDING, in_window)
                .order_by(StayRequest.arrival, StayRequest.id)
            )
        ]
        if with_pending
        else []
    )
    short: dict[date, list[Item]] = defaultdict(list)
    for item in pending:
        for night in nights_between(max(item.arrival, start), min(item.departure, end)):
            if free_beds[night] < item.guests:
                item.short_nights.append(night)
                short[night].append(item)

    return Board(
        start=start,
        end=end,
        nights=nights,
        rooms=[
            RoomRow(room, lanes([*held[room.id], *closed[room.id], *closed[None]], start, end))
            for room in rooms
        ],
        pending=lanes(pending, start, end),
        short=dict(short),
        night_classes=night_classes(start, end, today),
    )


def stay_item(kind: str, row: sa.Row, notes: dict[int, dict], **extra) -> Item:
    """A stay's bar on the board (`kind` "stay" or "pending") from its row, with its staff notes."""
    return Item(
        kind,
        row.arrival,
        row.departure,
        stay_id=row.id,
        reference=row.reference or "",
        organisation=row.organisation,
        guests=row.guests,
        **notes.get(row.id, {}),
        **extra,
    )


def staff_notes(in_window: sa.ColumnElement[bool]) -> dict[int, dict]:
    """For each open request of the period with notes: the latest few, newest first, and how many."""
    found: dict[int, dict] = defaultdict(lambda: {"notes": [], "note_count": 0})
    rows = db.session.execute(
        sa.select(StaffNote.stay_id, StaffNote.created_at, StaffNote.body, StaffUser.name)
        .join(StayRequest, StaffNote.stay_id == StayRequest.id)
        .outerjoin(StaffUser, StaffNote.author_id == StaffUser.id)
        .where(StayRequest.status.in_((StayStatus.APPROVED, StayStatus.PENDING)), in_window)
        .order_by(StaffNote.id.desc())
    )
    for stay_id, created_at, body, author in rows:
        entry = found[stay_id]
        entry["note_count"] += 1
        if len(entry["notes"]) < NOTES_IN_TOOLTIP:
            excerpt = body if len(body) <= NOTE_EXCERPT else body[: NOTE_EXCERPT - 1] + "…"
            entry["notes"].append(NoteLine(author or "", created_at, excerpt))
    return dict(found)


def asked_changes(in_window: sa.ColumnElement[bool]) -> dict[int, AskedChange]:
    """The change each approved stay of the period waits for, if any (a newer one replaces an older)."""
    rows = db.session.execute(
        sa.select(ChangeRequest.stay_id, ChangeRequest.arrival, ChangeRequest.departure, ChangeRequest.guests)
        .join(StayRequest, ChangeRequest.stay_id == StayRequest.id)
        .where(
            ChangeRequest.status == ChangeStatus.PENDING,
            StayRequest.status == StayStatus.APPROVED,
            in_window,
        )
        .order_by(ChangeRequest.id)
    )
    return {stay_id: AskedChange(arrival, departure, guests) for stay_id, arrival, departure, guests in rows}
