"""Stay requests, the rooms assigned to approved stays, and the history of every decision.

A stay's change requests are in changes.py.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, today, utcnow
from ..extensions import db
from ..staff.models import hash_token
from .choices import COOPERATION_AXES, ORGANISATION_TYPES, StayStatus
from .errors import TransitionError
from .notes import StaffNote
from .presence import Presence
from .travellers import Traveller, TravellerNames

if TYPE_CHECKING:
    from ..rooms.models import Room
    from ..staff.models import StaffUser
    from .changes import ChangeRequest


# What `anonymise` blanks: every column that says who someone is or what they wrote (the travellers'
# records go whole).
PERSONAL_FIELDS = ("contact_name", "contact_email", "contact_phone", "purpose", "notes")
# Event details kept by `anonymise` (room names and flags, nothing about a person); any other key goes.
ANONYMOUS_EVENT_DETAILS = ("rooms", "was_approved")
# The events that cause mails: `record_event` flags them `mail_pending`, and the mail worker writes their
# mails (guesthouse/mail/notifications.py, ON_EVENT, says which mails each action sends).
MAILED_ACTIONS = frozenset(
    {
        "submitted",
        "approved",
        "rejected",
        "cancelled",
        "withdrawn",
        "changed",
        "link_revoked",
        "change_requested",
        "change_refused",
        "notified",  # the service's message to every stay concerned (guesthouse/closing/)
        "entered",
    }
)


def new_access_token() -> str:
    # 32 random bytes: 256 bits, unrelated to the id, so a link cannot be guessed from another.
    return secrets.token_urlsafe(32)


class StayRequest(Presence, TravellerNames, db.Model):
    __tablename__ = "stay_requests"
    __table_args__ = (
        sa.CheckConstraint("departure > arrival", name="dates_ordered"),
        sa.CheckConstraint("guests >= 1", name="guests_positive"),
        # Led by the departure: a window `arrival < end AND departure > start` in the present or the
        # future then reads only the stays that end after it starts, not the whole history.
        sa.Index("ix_stay_requests_status_departure", "status", "departure", "arrival"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Set right after the first flush, from the id (see `assign_reference`).
    reference: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    access_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_access_token)
    ical_uid: Mapped[str] = mapped_column(
        sa.String(80), unique=True, default=lambda: f"{uuid.uuid4().hex}@mpab"
    )
    status: Mapped[StayStatus] = mapped_column(
        sa.Enum(StayStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=StayStatus.PENDING,
    )

    contact_name: Mapped[str] = mapped_column(sa.String(200))
    contact_email: Mapped[str] = mapped_column(sa.String(254), index=True)
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    organisation: Mapped[str] = mapped_column(sa.String(200))
    organisation_type: Mapped[str] = mapped_column(sa.String(40))
    cooperation_axis: Mapped[str] = mapped_column(sa.String(40))
    # The requester's answer to "based in Angers or Angers Loire Métropole?"; the type alone says nothing
    # of where an association is (migration 0022 filled older requests from the type).
    angers_based: Mapped[bool]
    arrival: Mapped[date]
    departure: Mapped[date]
    guests: Mapped[int]
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    locale: Mapped[str] = mapped_column(sa.String(8), default="fr")
    rules_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # Raised on every change an invitation or a feed must reflect (RFC 5545 SEQUENCE).
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last correction of a pending request by its requester, marked on the dashboard.
    requester_edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assignments: Mapped[list[RoomAssignment]] = relationship(
        back_populates="stay", cascade="all, delete-orphan", order_by="RoomAssignment.room_id"
    )
    events: Mapped[list[BookingEvent]] = relationship(
        back_populates="stay", cascade="all, delete-orphan", order_by="BookingEvent.id"
    )
    replaced_tokens: Mapped[list[ReplacedToken]] = relationship(cascade="all, delete-orphan")
    # Closed by `cancel`; the database's ON DELETE CASCADE removes them with the stay (passive_deletes:
    # no loading them just to delete them).
    change_requests: Mapped[list[ChangeRequest]] = relationship(
        back_populates="stay", cascade="all, delete-orphan", passive_deletes=True
    )
    # Staff-only: deleted with the request by the database (passive_deletes), and by `anonymise`.
    staff_notes: Mapped[list[StaffNote]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="StaffNote.id"
    )
    traveller_records: Mapped[list[Traveller]] = relationship(
        back_populates="stay", cascade="all, delete-orphan", order_by="Traveller.position"
    )

    def __repr__(self) -> str:
        return f"<StayRequest {self.reference} {self.status}>"

    # -- derived ---------------------------------------------------------------------------------
    @property
    def nights(self) -> int:
        return (self.departure - self.arrival).days

    @property
    def last_night(self) -> date:
        return date.fromordinal(self.departure.toordinal() - 1)

    @property
    def rooms(self) -> list[Room]:
        return [a.room for a in self.assignments]

    @property
    def organisation_type_label(self) -> str:
        return str(ORGANISATION_TYPES.get(self.organisation_type, self.organisation_type))

    @property
    def cooperation_axis_label(self) -> str:
        return str(COOPERATION_AXES.get(self.cooperation_axis, self.cooperation_axis))

    @property
    def is_angers_actor(self) -> bool:
        return self.angers_based

    @property
    def is_open(self) -> bool:
        return self.status in (StayStatus.PENDING, StayStatus.APPROVED)

    def assign_reference(self) -> None:
        """Give a flushed request its human-readable reference, e.g. MPAB-2027-0042."""
        year = (self.created_at or utcnow()).year
        self.reference = f"MPAB-{year}-{self.id:04d}"

    # -- permissions -----------------------------------------------------------------------------
    def can_approve(self, user: StaffUser | None) -> bool:
        return user is not None and user.is_staff and self.status == StayStatus.PENDING

    def can_reject(self, user: StaffUser | None) -> bool:
        return self.can_approve(user)

    def can_cancel(self, user: StaffUser | None) -> bool:
        """Staff cancel approved stays; a pending request is refused instead (`can_reject`)."""
        return user is not None and user.is_staff and self.status == StayStatus.APPROVED

    def can_change(self, user: StaffUser | None) -> bool:
        return user is not None and user.is_staff and self.status == StayStatus.APPROVED

    def can_see(self, user: StaffUser | None) -> bool:
        """The service sees every request; caretakers see the stays, the approved ones."""
        if user is None or not user.is_house_staff:
            return False
        return user.is_staff or self.status == StayStatus.APPROVED

    def can_edit_travellers(self, user: StaffUser | None) -> bool:
        return self.can_see(user) and self.anonymised_at is None and self.is_open

    @property
    def requester_can_edit_travellers(self) -> bool:
        """From the approval until the day of departure, the requester completes the travellers' details."""
        return self.status == StayStatus.APPROVED and self.anonymised_at is None and today() <= self.departure

    # -- transitions (never commit: the caller owns the transaction) -----------------------------
    def submit(self) -> None:
        self.record_event("submitted", actor=None, actor_kind="requester")

    def enter(self, *, by: StaffUser, approving: bool) -> None:
        """A stay staff entered for someone who did not use the form (a phone call, a delegation).

        `approving`: rooms are assigned in the same step, so the approval's mail is the requester's first.
        """
        self.record_event("entered", actor=by, details={"approved_at_once": approving})

    def add_note(self, *, by: StaffUser, body: str) -> StaffNote:
        """A note for the other staff members; no event: the history is shown to the requester."""
        note = StaffNote(author=by, body=body)
        self.staff_notes.append(note)
        return note

    def approve(self, *, by: StaffUser, rooms: list[Room], message: str = "") -> None:
        """Approve with these rooms; the caller has checked availability under a write lock."""
        self._require(StayStatus.PENDING)
        if not rooms:
            raise TransitionError("no room")
        self.status = StayStatus.APPROVED
        self.decided_at = utcnow()
        self.sequence += 1
        self.assignments = [
            RoomAssignment(room=room, arrival=self.arrival, departure=self.departure) for room in rooms
        ]
        # The invitation's SEQUENCE is kept with the event: a mail written a moment later (by the mail
        # worker) must not take a later change's number.
        self.record_event(
            "approved",
            actor=by,
            message=message,
            details={"rooms": [room.name for room in rooms], "sequence": self.sequence},
        )

    def reject(self, *, by: StaffUser, reason: str) -> None:
        self._require(StayStatus.PENDING)
        self.status = StayStatus.REJECTED
        self.decided_at = utcnow()
        self.record_event("rejected", actor=by, message=reason)

    def cancel(self, *, by: StaffUser | None, reason: str, actor_kind: str = "staff") -> None:
        """Cancel a pending or approved stay; its rooms are freed at once."""
        self._require(StayStatus.PENDING, StayStatus.APPROVED)
        was_approved = self.status == StayStatus.APPROVED
        self.status = StayStatus.CANCELLED
        if self.decided_at is None:
            self.decided_at = utcnow()
        self.sequence += 1
        details = {
            "rooms": [a.room.name for a in self.assignments],
            "was_approved": was_approved,
            "sequence": self.sequence,
        }
        self.assignments = []
        for change in self.change_requests:
            change.close()
        self.record_event("cancelled", actor=by, actor_kind=actor_kind, message=reason, details=details)

    def revoke_link(self, *, by: StaffUser) -> None:
        """Replace the private link: the old one stops working at once (a leaked link, say).

        Its hash is kept so that a calendar subscribed to the old address can be told the stay is gone
        from it (see calendar/views.py), rather than get errors for ever.
        """
        self.replaced_tokens.append(ReplacedToken(token_hash=hash_token(self.access_token)))
        self.access_token = new_access_token()
        self.record_event("link_revoked", actor=by)

    def withdraw(self, *, reason: str = "") -> None:
        """The requester takes back a request that staff have not decided on yet."""
        self._require(StayStatus.PENDING)
        self.status = StayStatus.WITHDRAWN
        self.decided_at = utcnow()
        self.record_event("withdrawn", actor=None, actor_kind="requester", message=reason)

    def correct(self, *, arrival: date, departure: date, guests: int, travellers: str, purpose: str) -> None:
        """The requester corrects a request staff have not decided on; the history keeps before and after."""
        self._require(StayStatus.PENDING)
        before = self._requester_details()
        self.arrival, self.departure, self.guests = arrival, departure, guests
        self.travellers, self.purpose = travellers, purpose
        after = self._requester_details()
        changed = [key for key in before if before[key] != after[key]]
        if not changed:
            raise TransitionError("nothing changed")
        self.requester_edited_at = utcnow()
        self.record_event(
            "corrected",
            actor=None,
            actor_kind="requester",
            details={
                "before": {key: before[key] for key in changed},
                "after": {key: after[key] for key in changed},
            },
        )

    def _requester_details(self) -> dict[str, Any]:
        """What the requester may correct while the request is pending, as the history stores it."""
        return {
            "arrival": self.arrival.isoformat(),
            "departure": self.departure.isoformat(),
            "guests": self.guests,
            "travellers": self.travellers.strip(),
            "purpose": self.purpose.strip(),
        }

    @property
    def requester_can_withdraw(self) -> bool:
        return self.status == StayStatus.PENDING

    @property
    def requester_can_correct(self) -> bool:
        return self.status == StayStatus.PENDING

    @property
    def requester_can_cancel(self) -> bool:
        """An approved stay can be cancelled by its requester until the day of arrival."""
        return self.status == StayStatus.APPROVED and self.arrival > today()

    def change(
        self,
        *,
        by: StaffUser,
        arrival: date,
        departure: date,
        rooms: list[Room],
        guests: int | None = None,
        travellers: str | None = None,
        message: str = "",
    ) -> None:
        """Move an approved stay to other dates or rooms; the caller has checked availability under a write lock."""
        self._require(StayStatus.APPROVED)
        if not rooms:
            raise TransitionError("no room")
        if departure <= arrival:
            raise TransitionError("departure before arrival")
        before = self._snapshot()
        if arrival != self.arrival:
            self.reminder_sent_at = None  # a reminder is about the arrival date: the new one gets its own
        self.arrival, self.departure = arrival, departure
        if guests is not None:
            self.guests = guests
        if travellers is not None:
            self.travellers = travellers
        # Rooms kept are updated in place: deleting and re-inserting them would trip the
        # (stay, room) unique constraint, as the flush inserts before it deletes.
        kept = {a.room_id: a for a in self.assignments}
        self.assignments = [kept.get(room.id) or RoomAssignment(room=room) for room in rooms]
        for assignment in self.assignments:
            assignment.arrival, assignment.departure = arrival, departure
        self.sequence += 1
        after = {
            "arrival": arrival.isoformat(),
            "departure": departure.isoformat(),
            "rooms": [room.name for room in rooms],
            "guests": self.guests,
        }
        self.record_event(
            "changed",
            actor=by,
            message=message,
            details={"before": before, "after": after, "sequence": self.sequence},
        )

    def _snapshot(self) -> dict[str, Any]:
        return {
            "arrival": self.arrival.isoformat(),
            "departure": self.departure.isoformat(),
            "rooms": [a.room.name for a in self.assignments],
            "guests": self.guests,
        }

    def anonymise(self, *, by: StaffUser | None, action: str) -> None:
        """Blank the personal data, the messages of the history, the staff notes; retire the private link.

        What statistics need stays: organisation, type, axis, dates, guests, rooms, the decisions.
        `action` is the event recorded: "anonymised" by the retention purge, "privacy_erase" on request.
        """
        for name in PERSONAL_FIELDS:
            setattr(self, name, "")
        self.traveller_records = []
        for event in self.events:
            event.message = ""
            event.details = {k: v for k, v in (event.details or {}).items() if k in ANONYMOUS_EVENT_DETAILS}
        self.staff_notes = []  # what staff wrote about the person goes with the rest
        self.access_token = new_access_token()  # the old link, maybe still in a mailbox, now leads nowhere
        self.replaced_tokens = []  # and so do the links replaced before it
        self.anonymised_at = utcnow()
        self.record_event(action, actor=by, actor_kind="system")

    def record_export(self, *, by: StaffUser) -> None:
        """Note in the history that a staff member exported this request's data (not what it held)."""
        self.record_event("privacy_export", actor=by)

    def _require(self, *allowed: StayStatus) -> None:
        if self.status not in allowed:
            raise TransitionError(f"{self.status} not in {allowed}")

    def record_event(
        self,
        action: str,
        *,
        actor: StaffUser | None,
        actor_kind: str = "staff",
        message: str = "",
        details: dict[str, Any] | None = None,
    ) -> BookingEvent:
        """Append to the history; every change of a stay passes here, so its mails are promised here."""
        event = BookingEvent(
            action=action,
            actor=actor,
            actor_kind=actor_kind if actor is None else "staff",
            message=message or "",
            details=details or {},
            # Stored with the change or not at all; the mail worker writes the mails and clears it.
            mail_pending=action in MAILED_ACTIONS,
        )
        self.events.append(event)
        return event


def record_events(
    stays: list[StayRequest], action: str, *, actor: StaffUser, details: dict[str, Any] | None = None
) -> None:
    """Append the same event to the history of each of these stays, in one INSERT whatever their number
    (`record_event` stay by stay makes the ORM send one per stay on SQLite, to read each new id back).
    Only for an action that sends no mail: a mail is promised stay by stay, by `record_event`."""
    if action in MAILED_ACTIONS:
        raise ValueError(f"{action} sends mail: record it with StayRequest.record_event")
    if stays:
        rows = [
            dict(stay_id=stay.id, actor_id=actor.id, action=action, details=details or {}, mail_pending=False)
            for stay in stays
        ]
        db.session.execute(sa.insert(BookingEvent), rows)


class RoomAssignment(db.Model):
    """One room held by one approved stay, for the stay's nights `[arrival, departure)`.

    The dates are copied from the stay so that the database can index and, on PostgreSQL, constrain
    overlapping assignments of one room without a join.
    """

    __tablename__ = "room_assignments"
    __table_args__ = (
        sa.UniqueConstraint("stay_id", "room_id", name="uq_room_assignments_stay_room"),
        sa.CheckConstraint("departure > arrival", name="dates_ordered"),
        sa.Index("ix_room_assignments_room_departure", "room_id", "departure", "arrival"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(sa.ForeignKey("stay_requests.id", ondelete="CASCADE"), index=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id", ondelete="RESTRICT"))
    arrival: Mapped[date]
    departure: Mapped[date]

    stay: Mapped[StayRequest] = relationship(back_populates="assignments")
    room: Mapped[Room] = relationship()


class ReplacedToken(db.Model):
    """A private link staff replaced, kept as its SHA-256 until the request is anonymised or deleted."""

    __tablename__ = "replaced_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(sa.ForeignKey("stay_requests.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BookingEvent(db.Model):
    """The audit trail: who did what to a request, when, and the message or reason they gave."""

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(sa.ForeignKey("stay_requests.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="SET NULL"))
    actor_kind: Mapped[str] = mapped_column(sa.String(20), default="staff")
    action: Mapped[str] = mapped_column(sa.String(40))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # True until the mail worker has written this event's mails (guesthouse/mail/outbox.py).
    mail_pending: Mapped[bool] = mapped_column(default=False, server_default=sa.false(), index=True)

    stay: Mapped[StayRequest] = relationship(back_populates="events")
    actor: Mapped[StaffUser | None] = relationship()
