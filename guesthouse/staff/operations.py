"""What staff do beyond deciding on requests: entering a stay for someone, reading each other's notes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..bookings.choices import StayStatus
from ..bookings.models import StayRequest
from ..bookings.notes import StaffNote
from ..bookings.operations import approve_stay
from ..database import begin_write, utcnow
from ..extensions import db
from ..i18n import language
from .forms import StaffStayForm
from .models import StaffUser

# The public form's fields that a stay staff enter keeps as they were typed.
ENTERED_FIELDS = (
    "contact_name",
    "contact_phone",
    "organisation",
    "organisation_type",
    "angers_based",
    "cooperation_axis",
    "arrival",
    "departure",
    "guests",
    "travellers",
    "purpose",
    "notes",
)


def enter_stay(form: StaffStayForm, *, by: StaffUser) -> StayRequest:
    """Store a stay staff entered, approved at once when rooms are ticked; the caller commits.

    The approval is the same as from a request's page (`approve_stay`: locked check, BookingConflict).
    """
    room_ids = form.rooms.data or []
    if room_ids:
        begin_write()  # before anything is written: the check and the writes share the write lock
    stay = StayRequest(
        status=StayStatus.PENDING,
        contact_email=(form.contact_email.data or "").strip(),
        # The box staff tick says the rules were passed on and accepted.
        rules_accepted_at=utcnow(),
        locale=language(),
    )
    for name in ENTERED_FIELDS:
        setattr(stay, name, form[name].data)
    db.session.add(stay)
    db.session.flush()
    stay.assign_reference()
    stay.enter(by=by, approving=bool(room_ids))
    if room_ids:
        approve_stay(stay, by=by, room_ids=room_ids, message="")
    return stay


def notes_of(stay: StayRequest) -> list[StaffNote]:
    """The request's staff notes, oldest first, with their authors: two queries however many."""
    return list(
        db.session.scalars(
            sa.select(StaffNote)
            .where(StaffNote.stay_id == stay.id)
            .order_by(StaffNote.id)
            .options(selectinload(StaffNote.author))
        )
    )
