"""The lists the staff pages show: pending requests with what they collide with, the coming stays,
the change requests waiting, the search, and the stays a closure collides with."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..rooms.models import Closure
from .changes import ChangeRequest, ChangeStatus
from .choices import StayStatus
from .models import RoomAssignment, StayRequest
from .operations import availability, nights_between, overlaps


@dataclass
class PendingOverview:
    stay: StayRequest
    # Rows (id, reference, arrival, departure) of the approved stays it overlaps, soonest first.
    approved_overlaps: list[sa.Row] = field(default_factory=list)
    closures: list[Closure] = field(default_factory=list)
    pending_overlaps: list[StayRequest] = field(default_factory=list)
    min_free_beds: int = 0

    @property
    def short_of_beds(self) -> bool:
        return self.min_free_beds < self.stay.guests


def pending_overview(limit: int) -> tuple[int, list[PendingOverview]]:
    """Pending requests, soonest first, each with what it collides with; a fixed number of queries."""
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(StayRequest).where(StayRequest.status == StayStatus.PENDING)
    )
    pending = list(
        db.session.scalars(
            sa.select(StayRequest)
            .where(StayRequest.status == StayStatus.PENDING)
            .order_by(StayRequest.arrival, StayRequest.id)
            .limit(limit)
        )
    )
    if not pending:
        return count, []
    start = min(s.arrival for s in pending)
    end = max(s.departure for s in pending)
    # Only what the cards show of the approved stays: plain rows cost a fraction of full objects.
    approved = db.session.execute(
        sa.select(StayRequest.id, StayRequest.reference, StayRequest.arrival, StayRequest.departure)
        .where(
            StayRequest.status == StayStatus.APPROVED,
            StayRequest.arrival < end,
            StayRequest.departure > start,
        )
        .order_by(StayRequest.arrival, StayRequest.id)
    ).all()
    closures = list(
        db.session.scalars(
            sa.select(Closure)
            .where(Closure.start_date < end, Closure.end_date > start)
            .order_by(Closure.start_date, Closure.id)
            .options(selectinload(Closure.room))
        )
    )
    nights = {n.day: n for n in availability(start, (end - start).days)}
    spans = [(s.arrival, s.departure, s) for s in pending]
    approved_arrivals = [row.arrival for row in approved]
    overviews = []
    for arrival, departure, stay in spans:
        overview = PendingOverview(stay)
        # Sorted by arrival: only those arriving before this stay leaves can overlap it.
        arriving_before = approved[: bisect_left(approved_arrivals, departure)]
        overview.approved_overlaps = [row for row in arriving_before if row.departure > arrival]
        overview.closures = [c for c in closures if overlaps(arrival, departure, c.start_date, c.end_date)]
        overview.pending_overlaps = [
            other
            for o_arrival, o_departure, other in spans
            if other is not stay and o_arrival < departure and arrival < o_departure
        ]
        overview.min_free_beds = min(nights[d].free_beds for d in nights_between(arrival, departure))
        overviews.append(overview)
    return count, overviews


def upcoming_approved(today: date, limit: int) -> list[StayRequest]:
    """Approved stays not yet over, soonest first, with their rooms."""
    return list(
        db.session.scalars(
            sa.select(StayRequest)
            .where(StayRequest.status == StayStatus.APPROVED, StayRequest.departure > today)
            .order_by(StayRequest.arrival, StayRequest.id)
            .limit(limit)
            .options(selectinload(StayRequest.assignments).selectinload(RoomAssignment.room))
        )
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
            joinedload(ChangeRequest.stay)
            .selectinload(StayRequest.assignments)
            .selectinload(RoomAssignment.room)
        )
    )
    return count, list(changes)


def collisions(closures: list[Closure]) -> dict[int, list[StayRequest]]:
    """For each closure, the approved stays holding a room it closes; two queries in all."""
    if not closures:
        return {}
    start = min(c.start_date for c in closures)
    end = max(c.end_date for c in closures)
    rows = db.session.execute(
        sa.select(RoomAssignment.room_id, RoomAssignment.arrival, RoomAssignment.departure, StayRequest)
        .join(StayRequest)
        .where(
            StayRequest.status == StayStatus.APPROVED,
            RoomAssignment.arrival < end,
            RoomAssignment.departure > start,
        )
        .order_by(StayRequest.arrival, StayRequest.id)
    ).all()
    found: dict[int, list[StayRequest]] = {}
    for closure in closures:
        stays = found.setdefault(closure.id, [])
        for room_id, arrival, departure, stay in rows:
            if (
                (closure.room_id is None or closure.room_id == room_id)
                and overlaps(arrival, departure, closure.start_date, closure.end_date)
                and stay not in stays
            ):
                stays.append(stay)
    return found


@dataclass
class RequestFilters:
    q: str = ""
    status: str = ""
    organisation_type: str = ""
    start: date | None = None
    end: date | None = None


def search_requests(filters: RequestFilters):
    """Requests matching the filters, newest first: a select for `db.paginate`."""
    query = sa.select(StayRequest).order_by(StayRequest.created_at.desc(), StayRequest.id.desc())
    if filters.q:
        like = f"%{filters.q.strip().lower()}%"
        query = query.where(
            sa.or_(
                sa.func.lower(StayRequest.reference).like(like),
                sa.func.lower(StayRequest.organisation).like(like),
                sa.func.lower(StayRequest.contact_name).like(like),
                sa.func.lower(StayRequest.contact_email).like(like),
            )
        )
    if filters.status:
        query = query.where(StayRequest.status == StayStatus(filters.status))
    if filters.organisation_type:
        query = query.where(StayRequest.organisation_type == filters.organisation_type)
    if filters.start:
        query = query.where(StayRequest.departure > filters.start)
    if filters.end:
        query = query.where(StayRequest.arrival <= filters.end)
    return query
