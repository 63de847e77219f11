"""The statistics tests' dataset, hand-built so that every figure can be worked out by hand.

The dataset (fixture `march`) is about March 2027, the period [2027-03-01, 2027-04-01): 31 nights.

Rooms: Baobab (2 beds), Djoliba (3 beds), Niger (1 bed) are active; Ancienne (2 beds) is inactive
today but lodged S7 on the nights of 15 and 16 March before it was taken out of booking.
Closures: Niger on the nights 10-14 March (5 nights); the whole house on 20-21 March (2 nights);
Baobab on 31 March and 1 April (straddles the end of March).

Approved stays (room, nights [arrival, departure), guests, organisation / type / axis):
  S1 Baobab   25 Feb → 4 Mar  (7 nights, 3 in March)  2 guests  CHU d'Angers / health / public_health
  S2 Baobab+Djoliba 5 → 10 Mar (5 nights)              4 guests  Université d'Angers / university / education
  S3 Niger    6 → 9 Mar       (3 nights)               1 guest   Association Angers-Bamako / association / culture
  S4 Djoliba  28 Mar → 3 Apr  (6 nights, 4 in March)  3 guests  Compagnie Les Arts du Fleuve / arts / culture
  S5 Niger    24 → 27 Mar     (3 nights)  anonymised   2 guests  Ville de Rennes / other_french_actor / waste
                                                                   (not based in Angers; every other stay is)
  S6 Baobab   5 → 8 Apr       (3 nights, 0 in March)  2 guests  Université d'Angers / university / education
  S7 Ancienne 15 → 17 Mar     (2 nights)               1 guest   "chu  d'angers" (same organisation as S1)
Not counted: C1 (approved in Baobab 12 → 14 Mar then cancelled, axis sport), R1 (refused, axis other),
P1 (pending, axis other), and the archived requests (no stay at all).
"""

import csv
import io
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest

from guesthouse.bookings.choices import StayStatus
from guesthouse.extensions import db
from guesthouse.privacy.models import ArchivedRequest

MARCH = "/staff/stats?period=month&month=2027-03"
FEB_TO_APRIL = "/staff/stats?period=custom&start=2027-02-01&end=2027-04-30"


def at(day: str, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)


def d(day: str) -> date:
    return date.fromisoformat(day)


class Tables(HTMLParser):
    """The page's tables by caption, each a list of rows of cell texts (spaces normalised)."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.caption: str | None = None
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None
        self.in_caption = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.rows, self.caption = [], ""
        elif tag == "caption":
            self.in_caption = True
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self.in_caption = False
        elif tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(
                " ".join("".join(self.cell).replace("\xa0", " ").replace("\u202f", " ").split())
            )
            self.cell = None
        elif tag == "table":
            self.tables[self.caption] = self.rows

    def handle_data(self, data):
        if self.in_caption:
            self.caption += data.strip()
        elif self.cell is not None:
            self.cell.append(data)


def tables_of(response) -> dict[str, dict[str, list[str]]]:
    """Each table as {first cell of a row: the other cells}, header row included."""
    parsed = Tables(response.get_data(as_text=True)).tables
    return {caption: {row[0]: row[1:] for row in rows} for caption, rows in parsed.items()}


def text_of(response) -> str:
    return " ".join(response.get_data(as_text=True).replace("\xa0", " ").replace("\u202f", " ").split())


def read_csv(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


@pytest.fixture
def march(auth, make_room, make_stay, make_closure):
    """The dataset described at the top of this module; returns the staff member, logged in."""
    staff = auth.login()
    baobab = make_room(name="Baobab", beds=2)
    djoliba = make_room(name="Djoliba", beds=3)
    niger = make_room(name="Niger", beds=1)
    ancienne = make_room(name="Ancienne", beds=2)

    def approved(rooms, arrival, departure, guests, organisation, kind, axis, created, decided, **extra):
        stay = make_stay(
            arrival=d(arrival),
            departure=d(departure),
            guests=guests,
            organisation=organisation,
            organisation_type=kind,
            cooperation_axis=axis,
            created_at=created,
            **extra,
        )
        stay.approve(by=staff, rooms=rooms)
        stay.decided_at = decided
        db.session.commit()
        return stay

    stays = {
        "S1": approved(
            [baobab],
            "2027-02-25",
            "2027-03-04",
            2,
            "CHU d'Angers",
            "health",
            "public_health",
            at("2027-02-10", 9),
            at("2027-02-11", 9),
        ),
        "S2": approved(
            [baobab, djoliba],
            "2027-03-05",
            "2027-03-10",
            4,
            "Université d'Angers",
            "university",
            "education",
            at("2027-03-01", 9),
            at("2027-03-02", 9),
        ),  # decided in 24 h
        "S3": approved(
            [niger],
            "2027-03-06",
            "2027-03-09",
            1,
            "Association Angers-Bamako",
            "association",
            "culture",
            at("2027-03-02", 10),
            at("2027-03-02", 16),
        ),  # 6 h
        "S4": approved(
            [djoliba],
            "2027-03-28",
            "2027-04-03",
            3,
            "Compagnie Les Arts du Fleuve",
            "arts",
            "culture",
            at("2027-03-03", 8),
            at("2027-03-06", 8),
        ),  # 72 h
        "S5": approved(
            [niger],
            "2027-03-24",
            "2027-03-27",
            2,
            "Ville de Rennes",
            "other_french_actor",
            "waste",
            at("2027-01-05", 9),
            at("2027-01-06", 9),
            angers_based=False,
        ),
        "S6": approved(
            [baobab],
            "2027-04-05",
            "2027-04-08",
            2,
            "Université d'Angers",
            "university",
            "education",
            at("2027-03-31", 23),
            at("2027-04-01", 1),
        ),  # 2 h
        "S7": approved(
            [ancienne],
            "2027-03-15",
            "2027-03-17",
            1,
            "chu  d'angers",
            "health",
            "public_health",
            at("2027-02-28", 23, 59),
            at("2027-03-01", 10),
        ),
    }
    # Ancienne is taken out of booking after S7: it counts as available only on the nights it lodged S7.
    ancienne.active = False
    # The privacy purge anonymised S5: personal fields blanked, organisation, dates, guests, rooms kept.
    s5 = stays["S5"]
    s5.contact_name = s5.contact_email = s5.contact_phone = s5.travellers = s5.purpose = s5.notes = ""
    s5.anonymised_at = at("2027-09-01")
    db.session.commit()

    cancelled = approved(
        [baobab],
        "2027-03-12",
        "2027-03-14",
        2,
        "Club de sport",
        "association",
        "sport",
        at("2027-03-04", 12),
        at("2027-03-04", 14),
    )  # decided (approved) in 2 h
    cancelled.cancel(by=staff, reason="Mission reportée")
    refused = make_stay(
        arrival=d("2027-03-15"),
        departure=d("2027-03-18"),
        cooperation_axis="other",
        created_at=at("2027-03-05"),
    )
    refused.reject(by=staff, reason="Maison complète")
    refused.decided_at = at("2027-03-05", 12)  # 12 h
    make_stay(
        arrival=d("2027-03-25"),
        departure=d("2027-03-30"),
        cooperation_axis="other",
        created_at=at("2027-03-10", 8),
    )  # pending
    archived = dict(
        organisation_type="association",
        cooperation_axis="culture",
        arrival=d("2027-05-01"),
        departure=d("2027-05-05"),
        guests=2,
    )
    db.session.add_all(
        [
            ArchivedRequest(
                status=StayStatus.REJECTED,
                created_at=at("2027-03-15", 10),
                decided_at=at("2027-03-20", 10),
                **archived,
            ),  # 120 h
            # A withdrawal is the requester's act, not a decision: out of the median.
            ArchivedRequest(
                status=StayStatus.WITHDRAWN,
                created_at=at("2027-03-16", 10),
                decided_at=at("2027-03-16", 12),
                **archived,
            ),
            # Received at midnight on 1 April: April's, not March's.
            ArchivedRequest(
                status=StayStatus.CANCELLED, created_at=at("2027-04-01"), decided_at=None, **archived
            ),
        ]
    )
    make_closure(room_id=niger.id, start_date=d("2027-03-10"), end_date=d("2027-03-15"), reason="Peinture")
    make_closure(room_id=None, start_date=d("2027-03-20"), end_date=d("2027-03-22"), reason="Fête")
    make_closure(room_id=baobab.id, start_date=d("2027-03-31"), end_date=d("2027-04-02"), reason="Plomberie")
    db.session.commit()
    return staff
