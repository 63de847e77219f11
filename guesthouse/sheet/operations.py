"""The daily sheet of the house: who arrives, who leaves, who sleeps there tonight, who comes next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..bookings.choices import StayStatus
from ..bookings.models import RoomAssignment, StayRequest
from ..bookings.travellers import Traveller
from ..database import today
from ..extensions import db
from ..rooms.models import Room
from ..stats.tables import Cell, Table

# The arrivals announced below the day's lists.
COMING_DAYS = 7
FIRST_DAY = date.min + timedelta(days=1)
LAST_DAY = date.max - timedelta(days=COMING_DAYS + 1)


@dataclass(frozen=True)
class Line:
    """One traveller of a stay on the sheet, or a place whose name is not known yet."""

    stay: StayRequest
    rooms: str  # the stay's rooms, by name
    traveller: sa.Row | None  # the traveller's columns, read as attributes (`traveller.phone`)
    name: str
    first: bool  # the first line of its stay: the stay's own cells span its `span` lines
    span: int


@dataclass
class Sheet:
    day: date
    arrivals: list[Line]
    departures: list[Line]
    tonight: list[Line]
    coming: list[Line]

    @property
    def stays(self) -> list[StayRequest]:
        """Each stay the sheet shows, once."""
        return unique_stays(self.arrivals, self.departures, self.tonight, self.coming)

    @property
    def next_days(self) -> tuple[date, date]:
        return self.day + timedelta(days=1), self.day + timedelta(days=COMING_DAYS)


def unique_stays(*sections: list[Line]) -> list[StayRequest]:
    """The stays of these lines, each once, in the order they first appear."""
    return list({line.stay.id: line.stay for lines in sections for line in lines}.values())


def lines_of(
    stays: list[StayRequest], rooms: dict[int, str], travellers: dict[int, list[sa.Row]]
) -> list[Line]:
    """A line per traveller of each stay, then one per traveller still unnamed (the count says more)."""
    lines = []
    for stay in stays:
        known = [(t, t.full_name) for t in travellers.get(stay.id, [])]
        unnamed = [
            (None, _("Voyageur %(number)s (nom à venir)", number=number))
            for number in range(len(known) + 1, stay.guests + 1)
        ]
        party = known + unnamed
        for index, (traveller, name) in enumerate(party):
            lines.append(Line(stay, rooms.get(stay.id, ""), traveller, name, index == 0, len(party)))
    return lines


def rooms_and_travellers(ids: list[int]) -> tuple[dict[int, str], dict[int, list[sa.Row]]]:
    """The rooms' names of each stay, and its travellers as plain rows (two statements)."""
    rooms: dict[int, list[str]] = {}
    for stay_id, name in db.session.execute(
        sa.select(RoomAssignment.stay_id, Room.name)
        .join(Room)
        .where(RoomAssignment.stay_id.in_(ids))
        .order_by(Room.name)
    ):
        rooms.setdefault(stay_id, []).append(name)
    names = {stay_id: ", ".join(found) for stay_id, found in rooms.items()}
    travellers: dict[int, list[sa.Row]] = {}
    for row in db.session.execute(
        sa.select(*Traveller.__table__.columns)
        .where(Traveller.stay_id.in_(ids))
        .order_by(Traveller.stay_id, Traveller.position)
    ):
        travellers.setdefault(row.stay_id, []).append(row)
    return names, travellers


def daily_sheet(day: date) -> Sheet:
    """The sheet of `day`, from one read of the approved stays around it (three statements in all).

    The stays are objects (their permissions decide the buttons); their rooms and travellers are read
    as plain rows, which costs a third of loading them as objects (the sheet is the gate's page, opened
    all day long: docs/performance.md).
    """
    last = day + timedelta(days=COMING_DAYS)
    stays = list(
        db.session.scalars(
            sa.select(StayRequest)
            .where(
                StayRequest.status == StayStatus.APPROVED,
                StayRequest.departure >= day,
                StayRequest.arrival <= last,
            )
            .order_by(StayRequest.arrival, StayRequest.id)
        )
    )
    names, travellers = rooms_and_travellers([stay.id for stay in stays])

    def lines(chosen: list[StayRequest]) -> list[Line]:
        return lines_of(chosen, names, travellers)

    by_room = sorted(stays, key=lambda s: (names.get(s.id, ""), s.id))
    return Sheet(
        day=day,
        arrivals=lines([s for s in by_room if s.arrival == day]),
        departures=lines([s for s in by_room if s.departure == day]),
        # Announced no-shows do not sleep at the house; those not arrived yet are still expected.
        tonight=lines([s for s in by_room if s.arrival <= day < s.departure and s.no_show_at is None]),
        coming=lines([s for s in stays if day < s.arrival <= last]),
    )


def parse_day(text: str | None) -> date | None:
    """The sheet's day from `?date=YYYY-MM-DD` (today in Bamako when absent); None when unreadable."""
    if not text:
        return today()
    try:
        # A calendar date: no time zone is involved.
        day = datetime.strptime(text.strip(), "%Y-%m-%d").date()  # noqa: DTZ007
    except ValueError:
        return None
    # The sheet links the day before and reads a week past it: the calendar's ends are out of reach.
    if not FIRST_DAY <= day <= LAST_DAY:
        return None
    return day


def state_of(stay: StayRequest) -> str:
    """Where the stay stands at the house, as the sheet and its CSV say it."""
    if stay.no_show_at:
        return _("absent (noté le %(day)s)", day=format_date(stay.no_show_at.date(), "short"))
    if stay.checked_out_at:
        return _("parti le %(day)s", day=format_date(stay.checked_out_at.date(), "short"))
    if stay.checked_in_at:
        return _("arrivé le %(day)s", day=format_date(stay.checked_in_at.date(), "short"))
    return _("attendu")


def moment(value: datetime | None) -> str:
    """A flight time for a spreadsheet: Bamako's local time, which is UTC."""
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def yes_no_text(answer: bool | None) -> str:
    if answer is None:
        return _("à préciser")
    return _("oui") if answer else _("non")


def line_cells(line: Line) -> dict[str, Cell]:
    """Every cell a house list's CSV may give of one line, by column name (COLUMN_HEADERS)."""
    stay, t = line.stay, line.traveller
    return {
        "arrival": Cell(stay.arrival, "date"),
        "departure": Cell(stay.departure, "date"),
        "rooms": Cell(line.rooms),
        "reference": Cell(stay.reference or ""),
        "organisation": Cell(stay.organisation),
        "traveller": Cell(line.name),
        "phone": Cell(t.phone if t else ""),
        "emergency_name": Cell(t.emergency_name if t else ""),
        "emergency_phone": Cell(t.emergency_phone if t else ""),
        "ariane": Cell(yes_no_text(t.ariane_registered if t else None)),
        "arrival_flight": Cell(t.arrival_flight if t else ""),
        "arrival_at": Cell(moment(t.arrival_at) if t else ""),
        "departure_flight": Cell(t.departure_flight if t else ""),
        "departure_at": Cell(moment(t.departure_at) if t else ""),
        "pickup": Cell(yes_no_text(t.pickup_wanted if t else None)),
        "contact_name": Cell(stay.contact_name),
        "contact_phone": Cell(stay.contact_phone),
        "contact_email": Cell(stay.contact_email),
        "state": Cell(state_of(stay)),
    }


COLUMN_HEADERS = {
    "arrival": _l("Arrivée"),
    "departure": _l("Départ"),
    "rooms": _l("Chambres"),
    "reference": _l("Référence"),
    "organisation": _l("Organisation"),
    "traveller": _l("Voyageur"),
    "phone": _l("Téléphone au Mali"),
    "emergency_name": _l("Contact d'urgence"),
    "emergency_phone": _l("Téléphone du contact d'urgence"),
    "ariane": _l("Inscrit sur Ariane"),
    "arrival_flight": _l("Vol d'arrivée"),
    "arrival_at": _l("Atterrissage (heure de Bamako)"),
    "departure_flight": _l("Vol de départ"),
    "departure_at": _l("Décollage (heure de Bamako)"),
    "pickup": _l("Accueil à l'aéroport"),
    "contact_name": _l("Contact de l'organisation"),
    "contact_phone": _l("Téléphone de l'organisation"),
    "contact_email": _l("E-mail de l'organisation"),
    "state": _l("État"),
}


def house_table(name: str, title: str, sections: list[tuple[str, list[Line]]], columns: list[str]) -> Table:
    """A house list as one table for its CSV download: a row per line of each section, these columns."""
    rows = []
    for section, lines in sections:
        for line in lines:
            cells = line_cells(line)
            rows.append([Cell(section), *(cells[column] for column in columns)])
    headers = [_("Rubrique"), *(str(COLUMN_HEADERS[column]) for column in columns)]
    return Table(name, title, headers, rows)


def sheet_table(sheet: Sheet) -> Table:
    """The whole sheet as one table, a row per traveller and section, for the CSV download."""
    sections = [
        (_("Arrivée du jour"), sheet.arrivals),
        (_("Départ du jour"), sheet.departures),
        (_("Présent ce soir"), sheet.tonight),
        (_("Arrivée des 7 jours suivants"), sheet.coming),
    ]
    columns = ["arrival", "departure", "rooms", "reference", "organisation", "traveller", "phone"]
    columns += ["emergency_name", "emergency_phone", "arrival_flight", "arrival_at", "departure_flight"]
    columns += ["departure_at", "pickup", "state"]
    return house_table("sheet", _("Feuille de la maison"), sections, columns)


def refusal(stay: StayRequest, action: str) -> str:
    """Why an arrival, a departure or a no-show cannot be recorded now, and what to do instead."""
    if stay.status != StayStatus.APPROVED:
        return _("Ce séjour est « %(status)s » : il n'y a rien à enregistrer.", status=stay.status.label)
    arrival = format_date(stay.arrival, "long")
    if action == "check_in":
        if stay.checked_in_at:
            return _("L'arrivée est déjà enregistrée : rien à refaire.")
        if today() < stay.arrival:
            return _("L'arrivée s'enregistre à partir du jour prévu, le %(date)s.", date=arrival)
        return _("La date de départ est passée : faites d'abord modifier les dates du séjour par le service.")
    if action == "check_out":
        if stay.checked_out_at:
            return _("Le départ est déjà enregistré : rien à refaire.")
        return _("Enregistrez d'abord l'arrivée des voyageurs, puis leur départ.")
    if stay.checked_in_at:
        return _("Les voyageurs sont arrivés : il n'y a pas d'absence à noter.")
    if stay.no_show_at:
        return _("L'absence est déjà notée : rien à refaire.")
    return _("Une absence se note à partir du jour d'arrivée prévu, le %(date)s.", date=arrival)
