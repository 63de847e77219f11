"""Arrival, departure and no-show: what happened at the house, recorded by staff or a caretaker."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, today, utcnow
from .choices import StayStatus
from .errors import TransitionError

if TYPE_CHECKING:
    from ..staff.models import StaffUser


class Presence:
    """Mixed into StayRequest: the three marks and their transitions, each written to the history."""

    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    no_show_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def can_check_in(self, user: StaffUser | None) -> bool:
        """From the arrival day to the departure day, once (a no-show who turns up late still can)."""
        return (
            self._at_the_house(user)
            and self.checked_in_at is None
            and self.arrival <= today() <= self.departure
        )

    def can_check_out(self, user: StaffUser | None) -> bool:
        return self._at_the_house(user) and self.checked_in_at is not None and self.checked_out_at is None

    def can_mark_no_show(self, user: StaffUser | None) -> bool:
        """From the arrival day on, for travellers not arrived and not already marked."""
        return (
            self._at_the_house(user)
            and self.checked_in_at is None
            and self.no_show_at is None
            and today() >= self.arrival
        )

    def _at_the_house(self, user: StaffUser | None) -> bool:
        return user is not None and user.is_house_staff and self.status == StayStatus.APPROVED

    def check_in(self, *, by: StaffUser) -> None:
        """The travellers have arrived at the house; a no-show recorded earlier is lifted."""
        if not self.can_check_in(by):
            raise TransitionError("check-in not possible")
        self.checked_in_at = utcnow()
        self.no_show_at = None
        self.record_event("checked_in", actor=by)

    def check_out(self, *, by: StaffUser) -> None:
        """The travellers have left the house."""
        if not self.can_check_out(by):
            raise TransitionError("check-out not possible")
        self.checked_out_at = utcnow()
        self.record_event("checked_out", actor=by)

    def mark_no_show(self, *, by: StaffUser) -> None:
        """Nobody came; the rooms stay held (they may arrive late: a check-in then lifts the mark)."""
        if not self.can_mark_no_show(by):
            raise TransitionError("no-show not possible")
        self.no_show_at = utcnow()
        self.record_event("no_show", actor=by)

    def nights_spent(self, today: date) -> tuple[date, date] | None:
        """The nights really spent at the house, `[check-in day, check-out day)`, as far as `today`'s
        night for travellers still there; None without a check-in."""
        if self.checked_in_at is None:
            return None
        arrived = self.checked_in_at.date()
        if self.checked_out_at is not None:
            return arrived, max(arrived, self.checked_out_at.date())
        return arrived, max(arrived, min(self.departure, today + timedelta(days=1)))
