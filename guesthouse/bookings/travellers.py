"""One record per traveller of a stay: what the house needs to welcome them, and nothing more.

Personal data kept to the minimum the gate and the service need (no passport number, no scans): a
phone reachable in Mali, someone to call in an emergency, whether the traveller registered on Ariane
(the French foreign ministry's travel register), the flights and whether a pickup at the airport is
wanted. Staff see all of it; caretakers see it on the daily sheet and the stays' pages. It is never on
a public page, feed or calendar, and it goes with the stay's personal data (anonymise, purge, erasure).
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..staff.models import StaffUser
    from .models import StayRequest

# An international number as people write it: a "+", the country code, then digits that spaces, dots,
# dashes or brackets may group. E.164 allows 15 digits at most; no country's numbers are under 8.
PHONE_SEPARATORS = re.compile(r"[\s.\-()/]+")
E164 = re.compile(r"\+[1-9][0-9]{7,14}")
PHONE_MAX_LENGTH = 40
FLIGHT_MAX_LENGTH = 20


def tidy_phone(text: str) -> str | None:
    """The number as written, with single spaces between its groups and "00" read as "+", or None if
    it is not an international number (`+223 70 12 34 56`, `+33 6 12 34 56 78`)."""
    text = (text or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    if not E164.fullmatch(PHONE_SEPARATORS.sub("", text)):
        return None
    return PHONE_SEPARATORS.sub(" ", text).replace("+ ", "+")


# What a traveller's record may lack, in the order the lists show it.
MISSING_LABELS = {
    "phone": _l("téléphone joignable au Mali"),
    "emergency": _l("contact en cas d'urgence"),
    "ariane": _l("inscription sur Ariane"),
    "arrival": _l("vol et heure d'arrivée"),
    "departure": _l("vol et heure de départ"),
    "pickup": _l("accueil à l'aéroport (oui ou non)"),
}


class Traveller(db.Model):
    __tablename__ = "travellers"
    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(sa.ForeignKey("stay_requests.id", ondelete="CASCADE"), index=True)
    # The order the names were given in: the first is usually the requester's own party leader.
    position: Mapped[int] = mapped_column(default=0)
    # Text: names migrated from the old free text may be longer than the form allows today (200).
    full_name: Mapped[str] = mapped_column(sa.Text)
    phone: Mapped[str] = mapped_column(sa.String(PHONE_MAX_LENGTH), default="")
    emergency_name: Mapped[str] = mapped_column(sa.String(200), default="")
    emergency_phone: Mapped[str] = mapped_column(sa.String(PHONE_MAX_LENGTH), default="")
    ariane_registered: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    arrival_flight: Mapped[str] = mapped_column(sa.String(FLIGHT_MAX_LENGTH), default="")
    # Times of landing and take-off at Bamako-Sénou, in UTC, which is Bamako's time all year.
    arrival_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    departure_flight: Mapped[str] = mapped_column(sa.String(FLIGHT_MAX_LENGTH), default="")
    departure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None until the traveller answered: "no" is an answer, an empty field is not.
    pickup_wanted: Mapped[bool | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    stay: Mapped[StayRequest] = relationship(back_populates="traveller_records")

    def __repr__(self) -> str:
        return f"<Traveller {self.id} of stay {self.stay_id}>"

    @property
    def missing(self) -> list[str]:
        """The keys of MISSING_LABELS this record still lacks."""
        checks = {
            "phone": bool(self.phone),
            "emergency": bool(self.emergency_name and self.emergency_phone),
            "ariane": self.ariane_registered,
            "arrival": bool(self.arrival_flight and self.arrival_at),
            "departure": bool(self.departure_flight and self.departure_at),
            "pickup": self.pickup_wanted is not None,
        }
        return [key for key, done in checks.items() if not done]

    @property
    def missing_labels(self) -> list[str]:
        return [str(MISSING_LABELS[key]) for key in self.missing]


class TravellerNames:
    """Mixed into StayRequest: the travellers' names as text, one a line, as the request form and
    change requests give them."""

    @property
    def traveller_names(self) -> list[str]:
        return [t.full_name for t in self.traveller_records]

    @property
    def travellers(self) -> str:
        """The names, one a line, as the request form and a change of travellers give them."""
        return "\n".join(self.traveller_names)

    @travellers.setter
    def travellers(self, text: str) -> None:
        """Make the records match these names: a name still there keeps its record and details (the
        first record of that name, for namesakes), a new name gets a record, a name gone loses its."""
        names = [" ".join(line.split()) for line in (text or "").splitlines()]
        # Loading the records must not flush a change half made by the caller (new dates before their
        # new sequence number, say): the calendar's listeners would count it as a change of its own.
        session = object_session(self)
        with session.no_autoflush if session is not None else nullcontext():
            unused = list(self.traveller_records)
        kept = []
        for name in filter(None, names):
            record = next((t for t in unused if t.full_name == name), None)
            if record is None:
                record = Traveller(full_name=name)
            else:
                unused.remove(record)
            kept.append(record)
        for position, record in enumerate(kept):
            record.position = position
        self.traveller_records = kept

    def update_travellers(self, rows: list[dict | None], *, by: StaffUser | None, actor_kind: str) -> None:
        """Write each row's details into the traveller at its place, a new record past the known ones
        (None: a row left empty); the history says who did it, not what (personal data)."""
        records = list(self.traveller_records)
        for index, values in enumerate(rows):
            if values is None:
                continue
            if index < len(records):
                record = records[index]
            else:
                record = Traveller(position=len(self.traveller_records))
                self.traveller_records.append(record)
            for name, value in values.items():
                setattr(record, name, value)
        self.record_event("travellers_updated", actor=by, actor_kind=actor_kind)


def missing_details(stay: StayRequest) -> list[tuple[str, list[str]]]:
    """(who, what they still lack) for each traveller of the stay with something missing; names not
    given yet count as travellers lacking their name."""
    found = [(t.full_name, t.missing_labels) for t in stay.traveller_records if t.missing]
    unnamed = stay.guests - len(stay.traveller_records)
    for number in range(len(stay.traveller_records) + 1, len(stay.traveller_records) + unnamed + 1):
        found.append((_("Voyageur %(number)s", number=number), [_("nom complet")]))
    return found
