"""Who must be brought home: everyone in the house tonight and everyone arriving in the next days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from ..bookings.choices import StayStatus
from ..bookings.models import StayRequest, record_events
from ..extensions import db
from ..staff.models import StaffUser
from ..stats.tables import Table
from .operations import Line, house_table, lines_of, rooms_and_travellers, unique_stays

EVACUATION_DAYS = 14
MAX_EVACUATION_DAYS = 60


@dataclass
class Evacuation:
    day: date
    days: int
    tonight: list[Line]
    coming: list[Line]

    @property
    def last(self) -> date:
        return self.day + timedelta(days=self.days)

    @property
    def stays(self) -> list[StayRequest]:
        """Each stay the list shows, once."""
        return unique_stays(self.tonight, self.coming)


def parse_days(text: str | None) -> int | None:
    """How many days ahead the list reads, from `?days=` (14 when absent); None when not 1 to 60."""
    if text is None or not text.strip():
        return EVACUATION_DAYS
    text = text.strip()
    # isdigit alone lets other scripts' digits and "²" through; three digits are already too many.
    if not (text.isascii() and text.isdigit()) or len(text) > 2:
        return None
    days = int(text)
    return days if 1 <= days <= MAX_EVACUATION_DAYS else None


def evacuation_list(day: date, days: int) -> Evacuation:
    """The approved stays in the house the night of `day` and those arriving in the `days` after it
    (three statements, whatever their number)."""
    stays = list(
        db.session.scalars(
            sa.select(StayRequest)
            .where(
                StayRequest.status == StayStatus.APPROVED,
                StayRequest.departure > day,
                StayRequest.arrival <= day + timedelta(days=days),
                # Nobody to bring home from a stay that never came or already left.
                StayRequest.no_show_at.is_(None),
                StayRequest.checked_out_at.is_(None),
            )
            .order_by(StayRequest.arrival, StayRequest.id)
        )
    )
    names, travellers = rooms_and_travellers([stay.id for stay in stays])
    tonight = sorted((s for s in stays if s.arrival <= day), key=lambda s: (names.get(s.id, ""), s.id))
    return Evacuation(
        day=day,
        days=days,
        tonight=lines_of(tonight, names, travellers),
        coming=lines_of([s for s in stays if s.arrival > day], names, travellers),
    )


def note_evacuation_viewing(evacuation: Evacuation, *, by: StaffUser, export: bool) -> None:
    """Write in the history of each stay shown that this member read its travellers on the list (one INSERT)."""
    record_events(
        evacuation.stays, "evacuation_listed", actor=by, details={"days": evacuation.days, "csv": export}
    )


def evacuation_table(evacuation: Evacuation) -> Table:
    """The list as one table, a row per traveller, for the CSV download."""
    sections = [(_("Présent ce soir"), evacuation.tonight), (_("Arrivée prochaine"), evacuation.coming)]
    columns = ["arrival", "departure", "rooms", "reference", "traveller", "phone", "emergency_name"]
    columns += [
        "emergency_phone",
        "ariane",
        "arrival_flight",
        "arrival_at",
        "departure_flight",
        "departure_at",
    ]
    columns += ["organisation", "contact_name", "contact_phone", "contact_email", "state"]
    return house_table("evacuation", _("Personnes à rapatrier"), sections, columns)
