"""Activity figures of a period of nights `[start, end)`: occupancy, stays, travellers, requests.

Every figure is computed from a fixed number of queries whatever the number of stays: the rows that
touch the period are read once, then counted in one pass in Python. Anonymised stays keep their
organisation, type, axis, dates, guests and rooms, so they count like any other; the privacy purge
leaves an `ArchivedRequest` row for each request it deletes, so requests received stay right too.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ..bookings.choices import COOPERATION_AXES, ORGANISATION_TYPES, StayStatus
from ..bookings.models import RoomAssignment, StayRequest
from ..bookings.operations import closed_nights, nights_between
from ..database import today
from ..extensions import db
from ..privacy.models import ArchivedRequest
from ..rooms.models import Room

# A request is "decided" when staff approved, refused or cancelled it; a withdrawal is the requester's.
DECISIONS = (StayStatus.APPROVED, StayStatus.REJECTED, StayStatus.CANCELLED)


def nights_inside(arrival: date, departure: date, start: date, end: date) -> int:
    """How many nights of `[arrival, departure)` fall in `[start, end)`."""
    return max(0, (min(departure, end) - max(arrival, start)).days)


def month_starts(start: date, end: date) -> list[date]:
    """The first day of each calendar month that has a night in `[start, end)`."""
    months = []
    month = start.replace(day=1)
    while month < end:
        months.append(month)
        month = next_month(month)
    return months


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


@dataclass
class Tally:
    """Stays, travellers and nights of a group of stays (an organisation, an axis, a month…)."""

    stays: int = 0
    travellers: int = 0
    nights: int = 0  # stay-nights: one per stay and night
    person_nights: int = 0  # one per traveller and night

    def add(self, guests: int, nights: int) -> None:
        self.stays += 1
        self.travellers += guests
        self.nights += nights
        self.person_nights += guests * nights

    @property
    def average_nights(self) -> float | None:
        return self.nights / self.stays if self.stays else None


@dataclass
class RoomNights:
    available: int = 0  # rooms open on each night, summed over the nights
    occupied: int = 0  # of those, rooms an approved stay held

    @property
    def rate(self) -> float | None:
        return self.occupied / self.available if self.available else None


@dataclass
class Month:
    month: date  # its first day
    room_nights: RoomNights
    tally: Tally


@dataclass
class Group:
    key: str
    label: str
    tally: Tally


@dataclass
class StayLine:
    """An approved stay with at least one night in the period."""

    stay: StayRequest
    nights_in_period: int


@dataclass
class RequestFigures:
    received: int = 0
    by_status: dict[StayStatus, int] = field(default_factory=lambda: dict.fromkeys(StayStatus, 0))
    decided: int = 0  # those with a decision time
    median_hours: float | None = None


@dataclass
class ActivityReport:
    start: date
    end: date
    room_nights: RoomNights
    total: Tally
    months: list[Month]
    by_organisation: list[Group]
    by_type: list[Group]
    by_origin: list[Group]
    by_axis: list[Group]
    requests: RequestFigures
    stays: list[StayLine]
    # What happened at the house, as recorded there: nights spent by the stays whose arrival was
    # recorded (booked nights are `total.nights`), and the stays arriving in the period nobody came to.
    nights_spent: int = 0
    no_shows: int = 0


def activity_report(start: date, end: date) -> ActivityReport:
    """Every figure of the period `[start, end)`; seven queries at most, whatever the number of stays."""
    stays = approved_stays(start, end)
    nightly = nightly_room_nights(start, end, stays)
    lines = [StayLine(s, nights_inside(s.arrival, s.departure, start, end)) for s in stays]
    total = Tally()
    for line in lines:
        total.add(line.stay.guests, line.nights_in_period)
    return ActivityReport(
        start=start,
        end=end,
        room_nights=RoomNights(
            sum(n.available for n in nightly.values()), sum(n.occupied for n in nightly.values())
        ),
        total=total,
        months=monthly(start, end, stays, nightly),
        by_organisation=by_organisation(lines),
        by_type=by_vocabulary(lines, "organisation_type", ORGANISATION_TYPES),
        by_origin=by_origin(lines),
        by_axis=by_vocabulary(lines, "cooperation_axis", COOPERATION_AXES),
        requests=request_figures(start, end),
        stays=lines,
        nights_spent=sum(
            nights_inside(*spent, start, end) for s in stays if (spent := s.nights_spent(today()))
        ),
        no_shows=sum(1 for s in stays if s.no_show_at is not None and start <= s.arrival < end),
    )


def approved_stays(start: date, end: date) -> list[StayRequest]:
    """Approved stays with a night in `[start, end)`, soonest first, with their rooms (three queries)."""
    return list(
        db.session.scalars(
            sa.select(StayRequest)
            .where(
                StayRequest.status == StayStatus.APPROVED,
                StayRequest.arrival < end,
                StayRequest.departure > start,
            )
            .order_by(StayRequest.arrival, StayRequest.id)
            .options(selectinload(StayRequest.assignments).selectinload(RoomAssignment.room))
        )
    )


def nightly_room_nights(start: date, end: date, stays: list[StayRequest]) -> dict[date, RoomNights]:
    """Open and occupied rooms on each night of `[start, end)` (two queries).

    A room is open on a night if it is active, or if an approved stay held it that night (the app keeps
    no history of a room's opening, and a room that lodged someone was evidently in use), unless a
    closure of the room or of the whole house covers that night. Occupied rooms are counted among the
    open ones only, so that a stay left in a room closed afterwards cannot push the rate above 100 %.
    """
    active = set(db.session.scalars(sa.select(Room.id).where(Room.active)))
    held: dict[date, set[int]] = defaultdict(set)
    for stay in stays:
        for assignment in stay.assignments:
            for night in nights_between(max(assignment.arrival, start), min(assignment.departure, end)):
                held[night].add(assignment.room_id)
    house_closed, closed = closed_nights(start, end)
    nightly = {}
    for night in nights_between(start, end):
        if night in house_closed:
            nightly[night] = RoomNights(0, 0)
            continue
        open_rooms = (active | held.get(night, set())) - closed.get(night, set())
        nightly[night] = RoomNights(len(open_rooms), len(held.get(night, set()) & open_rooms))
    return nightly


def monthly(start: date, end: date, stays: list[StayRequest], nightly: dict[date, RoomNights]) -> list[Month]:
    """Room-nights and stays of each calendar month of the period, clipped to the period.

    A stay over two months counts as a stay in each, with its nights split between them.
    """
    months = {m: Month(m, RoomNights(), Tally()) for m in month_starts(start, end)}
    for night, figures in nightly.items():
        month = months[night.replace(day=1)]
        month.room_nights.available += figures.available
        month.room_nights.occupied += figures.occupied
    for stay in stays:
        for first in month_starts(max(stay.arrival, start), min(stay.departure, end)):
            nights = nights_inside(
                stay.arrival, stay.departure, max(first, start), min(next_month(first), end)
            )
            if nights:
                months[first].tally.add(stay.guests, nights)
    return list(months.values())


def organisation_key(name: str) -> str:
    """Organisation names are typed by hand: "CHU  d'Angers" and "chu d'angers" are one organisation."""
    return " ".join(name.split()).casefold()


def by_organisation(lines: list[StayLine]) -> list[Group]:
    """One group per organisation, most person-nights first; named as first spelled in the period."""
    groups: dict[str, Group] = {}
    for line in lines:
        key = organisation_key(line.stay.organisation)
        label = " ".join(line.stay.organisation.split()) or str(_l("Organisation non renseignée"))
        group = groups.setdefault(key, Group(key, label, Tally()))
        group.tally.add(line.stay.guests, line.nights_in_period)
    return sorted(groups.values(), key=lambda g: (-g.tally.person_nights, -g.tally.stays, g.key))


def by_vocabulary(lines: list[StayLine], attribute: str, labels: dict) -> list[Group]:
    """One group per entry of a fixed vocabulary, in its order, empty ones included (a report shows zeros)."""
    groups = {key: Group(key, str(label), Tally()) for key, label in labels.items()}
    for line in lines:
        key = getattr(line.stay, attribute)
        # A value retired from the vocabulary still counts, under its raw name.
        group = groups.setdefault(key, Group(key, key, Tally()))
        group.tally.add(line.stay.guests, line.nights_in_period)
    return list(groups.values())


# The requester's answer to "based in Angers or Angers Loire Métropole?", not the organisation's type.
ORIGINS = {
    "angers": _l("Acteurs angevins (Angers ou Angers Loire Métropole)"),
    "elsewhere": _l("Autres acteurs"),
}


def by_origin(lines: list[StayLine]) -> list[Group]:
    """Angers actors and the others, by what each requester answered; both rows, even empty."""
    groups = {key: Group(key, str(label), Tally()) for key, label in ORIGINS.items()}
    for line in lines:
        groups["angers" if line.stay.angers_based else "elsewhere"].tally.add(
            line.stay.guests, line.nights_in_period
        )
    return list(groups.values())


def request_figures(start: date, end: date) -> RequestFigures:
    """Requests received on the days of `[start, end)`, archived ones included (two queries)."""
    since = datetime.combine(start, time(), tzinfo=UTC)
    until = datetime.combine(end, time(), tzinfo=UTC)
    rows = [
        *db.session.execute(
            sa.select(StayRequest.status, StayRequest.created_at, StayRequest.decided_at).where(
                StayRequest.created_at >= since, StayRequest.created_at < until
            )
        ),
        *db.session.execute(
            sa.select(ArchivedRequest.status, ArchivedRequest.created_at, ArchivedRequest.decided_at).where(
                ArchivedRequest.created_at >= since, ArchivedRequest.created_at < until
            )
        ),
    ]
    figures = RequestFigures(received=len(rows))
    delays = []
    for status, created_at, decided_at in rows:
        figures.by_status[status] += 1
        if status in DECISIONS and decided_at is not None:
            delays.append((decided_at - created_at).total_seconds() / 3600)
    figures.decided = len(delays)
    figures.median_hours = statistics.median(delays) if delays else None
    return figures
