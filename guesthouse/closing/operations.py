"""Suspending and reopening the house, the stays a closure concerns, and the dates a request cannot have.

A suspension is a closure of the whole house (rooms.models.Closure, room None) with a public wording;
one "until further notice" ends on FURTHER_NOTICE. Availability, conflicts, the closures page and the
feeds therefore know it without being told: there is one notion of "closed".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from ..bookings.choices import StayStatus
from ..bookings.models import BookingEvent, StayRequest
from ..bookings.operations import availability
from ..database import today
from ..extensions import db
from ..i18n import language
from ..rooms.models import FURTHER_NOTICE, Closure
from ..staff.models import StaffUser
from .waitlist import offer_freed_beds, offer_reopening


def house_closures(start: date, end: date) -> list[Closure]:
    """Closures of the whole house overlapping `[start, end)`, suspensions first, then by date."""
    closures = db.session.scalars(
        sa.select(Closure)
        .where(Closure.room_id.is_(None), Closure.start_date < end, Closure.end_date > start)
        .order_by(Closure.start_date, Closure.id)
    ).all()
    return sorted(closures, key=lambda closure: not closure.is_suspension)


def suspensions() -> list[Closure]:
    """The suspensions not over yet, soonest first."""
    return [closure for closure in house_closures(today(), FURTHER_NOTICE) if closure.is_suspension]


def suspend(*, start: date, end: date | None, reason_fr: str, reason_en: str, by: StaffUser) -> Closure:
    """Close the whole house from `start`, until `end` or further notice; the caller commits."""
    closure = Closure(
        room_id=None,
        start_date=start,
        end_date=end or FURTHER_NOTICE,
        reason=reason_fr,
        public_reason_fr=reason_fr,
        public_reason_en=reason_en,
        created_by_id=by.id,
    )
    db.session.add(closure)
    return closure


def reopen(closure: Closure, *, on: date) -> bool:
    """Lift or shorten a closure: its nights from `on` are bookable again; the caller commits.

    A closure lifted before its first night is gone (True); otherwise it now ends on `on`. Whoever
    waited for the reopening, or for beds on the nights it freed, is told (their mails promised here).
    """
    gone = on <= closure.start_date
    if gone:
        db.session.delete(closure)
    else:
        closure.end_date = min(on, closure.end_date)
    db.session.flush()
    offer_reopening()
    offer_freed_beds()
    return gone


def house_reopens_on(day: date) -> date | None:
    """The first day from `day` when the whole house is open, or None while closed until further notice."""
    for closure in house_closures(day, FURTHER_NOTICE):
        if closure.start_date > day:
            break
        if closure.open_ended:
            return None
        day = max(day, closure.end_date)
    return day


# -- what the request form refuses ------------------------------------------------------------------
@dataclass(frozen=True)
class DatesRefused:
    closure: Closure | None  # the whole house is closed on some of the nights
    full: bool  # or some night has fewer free beds than travellers

    @property
    def message(self) -> str:
        if self.closure is not None:
            wording = self.closure.public_reason(language())
            if wording:
                return _(
                    "La maison est fermée à ces dates : %(reason)s Choisissez d'autres dates, ou demandez "
                    "un e-mail à sa réouverture.",
                    reason=wording.rstrip(".") + ".",
                )
            return _("La maison est fermée pendant une partie de ces nuits : choisissez d'autres dates.")
        return _(
            "Il ne reste pas assez de lits libres pour ces nuits : choisissez d'autres dates, ou inscrivez-vous "
            "sur la liste d'attente pour recevoir un e-mail si des lits se libèrent."
        )


def dates_refusal(arrival: date, departure: date, guests: int) -> DatesRefused | None:
    """Why these nights cannot be asked for, if they cannot: the house closed, or too few free beds."""
    closed = house_closures(arrival, departure)
    if closed:
        return DatesRefused(closed[0], False)
    nights = availability(arrival, (departure - arrival).days)
    if any(night.free_beds < guests for night in nights):
        return DatesRefused(None, True)
    return None


# -- the stays a message concerns -----------------------------------------------------------------
def stays_concerned(start: date, end: date | None) -> list[StayRequest]:
    """Approved stays and pending requests with a night from `start` (and before `end`), soonest first."""
    query = (
        sa.select(StayRequest)
        .where(
            StayRequest.status.in_((StayStatus.APPROVED, StayStatus.PENDING)),
            StayRequest.departure > start,
            StayRequest.anonymised_at.is_(None),
        )
        .order_by(StayRequest.arrival, StayRequest.id)
    )
    if end is not None:
        query = query.where(StayRequest.arrival < end)
    return list(db.session.scalars(query))


def message_digest(message_fr: str, message_en: str) -> str:
    """What identifies one message, whatever the stays it goes to: sent twice, it is not mailed twice."""
    return hashlib.sha256(f"{message_fr.strip()}\0{message_en.strip()}".encode()).hexdigest()[:32]


def already_told(stays: list[StayRequest], digest: str) -> set[int]:
    """The stays whose history holds this message already; one query."""
    if not stays:
        return set()
    events = db.session.scalars(
        sa.select(BookingEvent).where(
            BookingEvent.stay_id.in_([stay.id for stay in stays]),
            BookingEvent.action.in_(("notified", "cancelled")),
        )
    )
    return {event.stay_id for event in events if (event.details or {}).get("notice") == digest}


def message_for(stay: StayRequest, message_fr: str, message_en: str) -> str:
    """The message in the requester's language (French when no English was written)."""
    return message_en.strip() if stay.locale.startswith("en") and message_en.strip() else message_fr.strip()


def notify_stays(
    stays: list[StayRequest], *, by: StaffUser, message_fr: str, message_en: str, cancel: bool
) -> int:
    """Tell each stay the message, in its requester's language, cancelling it if asked; the caller commits.

    Each request's history records it, and its mail is promised there (the `notified` event, or the
    cancellation's, which carries the calendar cancellation). A stay that already got this message is
    skipped. How many were told.
    """
    digest = message_digest(message_fr, message_en)
    told = already_told(stays, digest)
    count = 0
    for stay in stays:
        if stay.id in told or not stay.is_open:
            continue
        text = message_for(stay, message_fr, message_en)
        if cancel:
            stay.cancel(by=by, reason=text)
            event = stay.events[-1]
            event.details = {**event.details, "notice": digest}
        else:
            stay.record_event("notified", actor=by, message=text, details={"notice": digest})
        count += 1
    if cancel and count:
        db.session.flush()
        offer_freed_beds()
    return count


def load_for_notice(stay_ids: list[int]) -> list[StayRequest]:
    """These stays, locked for a change, with what a cancellation reads; in the order given."""
    stays = db.session.scalars(
        sa.select(StayRequest)
        .where(StayRequest.id.in_(stay_ids))
        .order_by(StayRequest.id)
        .with_for_update()
        .options(selectinload(StayRequest.assignments), selectinload(StayRequest.change_requests))
    ).all()
    by_id = {stay.id: stay for stay in stays}
    return [by_id[stay_id] for stay_id in stay_ids if stay_id in by_id]
