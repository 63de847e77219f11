"""Finding, exporting, erasing and purging the personal data held in stay requests."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..access_log.operations import purge_access_records
from ..bookings.choices import StayStatus
from ..bookings.models import RoomAssignment, StayRequest
from ..bookings.travellers import Traveller
from ..closing.waitlist import purge_waitlist
from ..database import begin_write, utcnow
from ..extensions import db
from ..mail.operations import purge_link_requests
from ..staff.models import StaffSession, StaffUser
from .models import ArchivedRequest

# Requests an export or an erasure covers at once; a person sending more than this is not a person.
MAX_REQUESTS_PER_EMAIL = 1000
CLOSED_STATUSES = (StayStatus.REJECTED, StayStatus.WITHDRAWN, StayStatus.CANCELLED)


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier, or that month's last day (31 March - 1 month = 28/29 February)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def requests_of(email: str, *, lock: bool = False) -> list[StayRequest]:
    """The requests whose contact is this address, whatever its case; oldest first."""
    query = (
        sa.select(StayRequest)
        .where(sa.func.lower(StayRequest.contact_email) == email.strip().lower())
        .order_by(StayRequest.created_at, StayRequest.id)
        .limit(MAX_REQUESTS_PER_EMAIL)
        .options(
            selectinload(StayRequest.events),
            selectinload(StayRequest.assignments).selectinload(RoomAssignment.room),
            selectinload(StayRequest.staff_notes),
            selectinload(StayRequest.traveller_records),
        )
    )
    if lock:
        query = query.with_for_update()
    return list(db.session.scalars(query))


def staff_accounts_of(email: str) -> list[StaffUser]:
    email = StaffUser.normalise_email(email)
    return list(db.session.scalars(sa.select(StaffUser).where(StaffUser.email == email)))


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def stay_export(stay: StayRequest) -> dict[str, Any]:
    return {
        "reference": stay.reference,
        "status": stay.status.value,
        "created_at": _iso(stay.created_at),
        "decided_at": _iso(stay.decided_at),
        "contact_name": stay.contact_name,
        "contact_email": stay.contact_email,
        "contact_phone": stay.contact_phone,
        "organisation": stay.organisation,
        "organisation_type": stay.organisation_type,
        "cooperation_axis": stay.cooperation_axis,
        "arrival": _iso(stay.arrival),
        "departure": _iso(stay.departure),
        "guests": stay.guests,
        "travellers": [traveller_export(t) for t in stay.traveller_records],
        "checked_in_at": _iso(stay.checked_in_at),
        "checked_out_at": _iso(stay.checked_out_at),
        "no_show_at": _iso(stay.no_show_at),
        "purpose": stay.purpose,
        "notes": stay.notes,
        "language": stay.locale,
        "rules_accepted_at": _iso(stay.rules_accepted_at),
        "rooms": [a.room.name for a in stay.assignments],
        # Who acted is given as a kind (staff, requester, system), not as a staff member's name.
        "history": [
            {
                "at": _iso(event.created_at),
                "action": event.action,
                "by": event.actor_kind,
                "message": event.message,
            }
            for event in stay.events
        ],
        # What staff wrote about the request: the person has a right to it, though it is never shown
        # to them elsewhere. The author is given as a kind, as in the history.
        "staff_notes": [
            {"at": _iso(note.created_at), "by": "staff", "text": note.body} for note in stay.staff_notes
        ],
    }


def traveller_export(traveller: Traveller) -> dict[str, Any]:
    return {
        "full_name": traveller.full_name,
        "phone": traveller.phone,
        "emergency_contact_name": traveller.emergency_name,
        "emergency_contact_phone": traveller.emergency_phone,
        "ariane_registered": traveller.ariane_registered,
        "arrival_flight": traveller.arrival_flight,
        "arrival_at": _iso(traveller.arrival_at),
        "departure_flight": traveller.departure_flight,
        "departure_at": _iso(traveller.departure_at),
        "airport_pickup_wanted": traveller.pickup_wanted,
    }


def account_export(user: StaffUser) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "active": user.active,
        "created_at": _iso(user.created_at),
        "last_login_at": _iso(user.last_login_at),
        "sessions": [
            {
                "created_at": _iso(s.created_at),
                "last_seen_at": _iso(s.last_seen_at),
                "browser": s.browser,
                "place": s.place,
            }
            for s in user.sessions
        ],
    }


def export_data(email: str, stays: list[StayRequest], controller: str) -> dict[str, Any]:
    """Everything held about an address, as JSON-ready data (password hashes and tokens excepted)."""
    return {
        "email": email,
        "generated_at": _iso(utcnow()),
        "controller": controller,
        "stay_requests": [stay_export(stay) for stay in stays],
        "staff_accounts": [account_export(user) for user in staff_accounts_of(email)],
    }


def erase(stays: list[StayRequest], *, by: StaffUser, reason: str) -> tuple[int, int]:
    """Cancel the open ones (their rooms are freed), then anonymise them all; the caller commits.

    Returns how many were erased, and how many of those were still open and had to be cancelled.
    """
    erased = cancelled = 0
    for stay in stays:
        if stay.anonymised_at is not None:
            continue
        if stay.is_open:
            stay.cancel(by=by, reason=reason)
            cancelled += 1
        stay.anonymise(by=by, action="privacy_erase")
        erased += 1
    return erased, cancelled


@dataclass
class PurgeReport:
    anonymised: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    sessions_deleted: int = 0
    link_requests: int = 0
    waitlist: int = 0
    access_records: int = 0


def purge(*, today: date, stays_months: int, closed_months: int, access_months: int) -> PurgeReport:
    """Apply the retention periods; the caller commits (or rolls back for a dry run).

    - approved stays: anonymised `stays_months` after their departure;
    - refused, withdrawn and cancelled requests, and requests never decided: deleted `closed_months`
      after the later of their departure and their decision, one anonymous ArchivedRequest kept for
      each so that the statistics stay right;
    - staff sessions unused for SESSION_IDLE_DAYS (no request is let in with one by then): their browser
      and address prefix are personal data of the staff member.
    - addresses typed in the lost-link form and still unanswered a day later (the mail worker answers
      them within seconds and deletes them; these waited for a worker that never ran): deleted.
    - waiting-list entries: deleted once their dates come, a day after the reopening they waited for
      was announced, and in any case `closed_months` after they were made (closing/waitlist.py);
    - records of who read whose details: deleted `access_months` after the reading.
    Running it twice changes nothing the second time.
    """
    begin_write()
    report = PurgeReport()
    stays_cutoff = months_before(today, stays_months)
    for stay in db.session.scalars(
        sa.select(StayRequest)
        .where(
            StayRequest.status == StayStatus.APPROVED,
            StayRequest.departure <= stays_cutoff,
            StayRequest.anonymised_at.is_(None),
        )
        .order_by(StayRequest.id)
        .options(selectinload(StayRequest.events), selectinload(StayRequest.traveller_records))
    ):
        stay.anonymise(by=None, action="anonymised")
        report.anonymised.append(stay.reference or str(stay.id))

    closed_cutoff = months_before(today, closed_months)
    candidates = db.session.scalars(
        sa.select(StayRequest)
        .where(
            StayRequest.status.in_((*CLOSED_STATUSES, StayStatus.PENDING)),
            StayRequest.departure <= closed_cutoff,
        )
        .order_by(StayRequest.id)
        .options(selectinload(StayRequest.events), selectinload(StayRequest.assignments))
    ).all()
    for stay in candidates:
        if stay.decided_at is not None and stay.decided_at.date() > closed_cutoff:
            continue  # decided after its dates (a late cancellation): kept from the decision on
        db.session.add(ArchivedRequest.of(stay))
        db.session.delete(stay)
        report.deleted.append(stay.reference or str(stay.id))

    report.sessions_deleted = db.session.execute(
        sa.delete(StaffSession).where(StaffSession.last_seen_at <= StaffSession.idle_cutoff(utcnow()))
    ).rowcount
    report.link_requests = purge_link_requests(datetime.combine(today - timedelta(days=1), time(), UTC))
    report.waitlist = purge_waitlist(today=today, made_before=closed_cutoff)
    report.access_records = purge_access_records(
        datetime.combine(months_before(today, access_months), time(), UTC)
    )
    return report
