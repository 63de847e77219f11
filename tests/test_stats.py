"""Activity reports: every figure of a small hand-built dataset, worked out by hand below.

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
import sqlalchemy as sa

from guesthouse.bookings.choices import StayStatus
from guesthouse.bookings.models import ArchivedRequest
from guesthouse.database import today
from guesthouse.extensions import db

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


def test_march_figures_match_the_hand_counts(client, march):
    response = client.get(MARCH)
    assert response.status_code == 200
    assert "Période : mars 2027 — 31 nuits." in text_of(response)
    tables = tables_of(response)

    # Available room-nights: 31 nights × 3 active rooms = 93; the house closure takes 2 nights × 3 rooms
    # = 6 (87); Niger's closure 5 (82); Baobab's closure, 31 March only, 1 (81); Ancienne, inactive,
    # lodged S7 on 2 nights (83).
    # Occupied: S1 Baobab 1-3 Mar = 3; S2 2 rooms × 5 = 10; S3 3; S4 Djoliba 28-31 Mar = 4; S5 3; S7 2 → 25.
    # Rate: 25 / 83 = 30.12 %. The cancelled C1 holds no room any more.
    # Stays with a night in March: S1 S2 S3 S4 S5 S7 = 6 (S6 starts in April); travellers
    # 2 + 4 + 1 + 3 + 2 + 1 = 13; nights 3 + 5 + 3 + 4 + 3 + 2 = 20;
    # person-nights 2×3 + 4×5 + 1×3 + 3×4 + 2×3 + 1×2 = 6 + 20 + 3 + 12 + 6 + 2 = 49; 20 / 6 = 3.3 nights each.
    assert tables["Chiffres clés"] == {
        "Indicateur": ["Valeur"],
        "Taux d'occupation": ["30,1 %"],
        "Nuits-chambres occupées": ["25"],
        "Nuits-chambres disponibles (hors fermetures)": ["83"],
        "Séjours": ["6"],
        "Voyageurs": ["13"],
        "Nuits (une par séjour et par nuit)": ["20"],
        "Nuitées (une par voyageur et par nuit)": ["49"],
        "Durée moyenne d'un séjour dans la période (nuits)": ["3,3"],
    }
    months = tables["Occupation et séjours par mois"]
    assert months["mars 2027"] == ["83", "25", "30,1 %", "6", "13", "20", "49"]
    assert months["Période entière"] == ["83", "25", "30,1 %", "6", "13", "20", "49"]

    # Shares of the 49 person-nights: 8/49 = 16.3 %, 6/49 = 12.2 %, 20/49 = 40.8 %, 15/49 = 30.6 %.
    # Sport (the cancelled C1) and Autre (refused R1, pending P1) stay at zero.
    assert tables["Par axe de coopération"] == {
        "Axe de coopération": ["Séjours", "Voyageurs", "Nuits", "Nuitées", "Part des nuitées"],
        "Santé publique": ["2", "3", "5", "8", "16,3 %"],  # S1 + S7
        "Gestion des déchets": ["1", "2", "3", "6", "12,2 %"],  # S5, anonymised
        "Éducation et petite enfance": ["1", "4", "5", "20", "40,8 %"],  # S2
        "Sport": ["0", "0", "0", "0", "0,0 %"],
        "Culture": ["2", "4", "7", "15", "30,6 %"],  # S3 (1×3) + S4 (3×4)
        "Autre": ["0", "0", "0", "0", "0,0 %"],
        "Total": ["6", "13", "20", "49", "100,0 %"],
    }
    # 3/49 = 6.1 %, 12/49 = 24.5 %.
    types = tables["Par type d'organisation"]
    assert types["Association"] == ["1", "1", "3", "3", "6,1 %"]
    assert types["Université / école"] == ["1", "4", "5", "20", "40,8 %"]
    assert types["Entreprise"] == ["0", "0", "0", "0", "0,0 %"]
    assert types["Compagnie artistique / culturelle"] == ["1", "3", "4", "12", "24,5 %"]
    assert types["Établissement de santé"] == ["2", "3", "5", "8", "16,3 %"]
    assert types["Autre acteur français de coopération"] == ["1", "2", "3", "6", "12,2 %"]

    # Most person-nights first; "chu  d'angers" (S7) is the CHU of S1, under S1's spelling.
    organisations = Tables(response.get_data(as_text=True)).tables["Par organisation"]
    assert organisations[1:] == [
        ["Université d'Angers", "1", "4", "5", "20", "40,8 %"],
        ["Compagnie Les Arts du Fleuve", "1", "3", "4", "12", "24,5 %"],
        ["CHU d'Angers", "2", "3", "5", "8", "16,3 %"],
        ["Ville de Rennes", "1", "2", "3", "6", "12,2 %"],
        ["Association Angers-Bamako", "1", "1", "3", "3", "6,1 %"],
        ["Total", "6", "13", "20", "49", "100,0 %"],
    ]

    # Received in March: S2 S3 S4 S6 (31 Mar, 23:00) C1 R1 P1 and the archived refusal and withdrawal = 9;
    # not S1, S7 (28 Feb, 23:59) nor S5, nor the archived request of 1 April at midnight.
    # Decision times: S2 24 h, S3 6 h, S4 72 h, S6 2 h, C1 2 h, R1 12 h, archived refusal 120 h
    # → sorted 2 2 6 12 24 72 120 → median 12 h (the withdrawal, 2 h, would have made it 9 h).
    assert tables["Demandes reçues dans la période"] == {
        "Demandes": ["Valeur"],
        "Demandes reçues": ["9"],
        "dont confirmées": ["4"],
        "dont refusées": ["2"],
        "dont annulées": ["1"],
        "dont retirées par le demandeur": ["1"],
        "dont encore en attente": ["1"],
        "Délai médian de décision": ["12 heures"],
    }
    assert "sur 7 demande(s) décidée(s)" in text_of(response)
    assert "6 séjours confirmés ont au moins une nuit dans la période." in text_of(response)


def test_stays_straddling_months_split_their_nights(client, march):
    response = client.get(FEB_TO_APRIL)
    assert response.status_code == 200
    assert "Période : du 1 février 2027 au 30 avril 2027 — 89 nuits." in text_of(response)
    months = tables_of(response)["Occupation et séjours par mois"]
    # February (28 nights, no closure): 3 active rooms × 28 = 84 available; S1 in Baobab on the
    # nights of 25-28 Feb = 4 occupied → 4.8 %; S1 only: 2 guests × 4 nights = 8 person-nights.
    assert months["février 2027"] == ["84", "4", "4,8 %", "1", "2", "4", "8"]
    assert months["mars 2027"] == ["83", "25", "30,1 %", "6", "13", "20", "49"]
    # April (30 nights): 3 × 30 = 90, minus Baobab closed on 1 April = 89; occupied: S4 Djoliba
    # 1-2 Apr = 2, S6 Baobab 5-7 Apr = 3 → 5, 5.6 %. Stays S4 (3 guests × 2) and S6 (2 × 3): 12.
    assert months["avril 2027"] == ["89", "5", "5,6 %", "2", "5", "5", "12"]
    # The whole period: 84 + 83 + 89 = 256 available, 4 + 25 + 5 = 34 occupied → 13.3 %.
    # Seven distinct stays (S1 and S4 appear in two months each): travellers 13 + 2 (S6) = 15;
    # nights S1 7 + S2 5 + S3 3 + S4 6 + S5 3 + S6 3 + S7 2 = 29;
    # person-nights 14 + 20 + 3 + 18 + 6 + 6 + 2 = 69.
    assert months["Période entière"] == ["256", "34", "13,3 %", "7", "15", "29", "69"]
    summary = tables_of(response)["Chiffres clés"]
    assert summary["Durée moyenne d'un séjour dans la période (nuits)"] == ["4,1"]  # 29 / 7
    requests = tables_of(response)["Demandes reçues dans la période"]
    # Now S1 (10 Feb), S7 (28 Feb) and the archived cancellation of 1 April are in: 9 + 3 = 12.
    assert requests["Demandes reçues"] == ["12"]
    assert requests["dont confirmées"] == ["6"]
    assert requests["dont annulées"] == ["2"]
    # 2 2 6 10.0 (S7) 12 24 (S1) 24 72 120: still 12 h; the archived cancellation has no decision time.
    assert requests["Délai médian de décision"] == ["12 heures"]


def test_csv_of_the_stays_has_no_contact_details(client, march):
    response = client.get("/staff/stats/stays.csv?period=month&month=2027-03")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="mpab-stays-2027-03.csv"'
    raw = response.get_data(as_text=True)
    # make_stay's contact: Claire Moreau, claire@example.org, +33 6 00 00 00 00.
    assert "@" not in raw and "+33" not in raw and "Claire" not in raw
    rows = read_csv(response)
    assert rows[0] == [
        "Référence",
        "Arrivée",
        "Départ",
        "Nuits dans la période",
        "Voyageurs",
        "Nuitées dans la période",
        "Organisation",
        "Type d'organisation",
        "Axe de coopération",
        "Chambres",
        "Statut",
    ]
    # Soonest first: S1, S2, S3, S7, S5 (anonymised, still counted), S4.
    body = [row[1:] for row in rows[1:]]
    assert body == [
        [
            "2027-02-25",
            "2027-03-04",
            "3",
            "2",
            "6",
            "CHU d'Angers",
            "Établissement de santé",
            "Santé publique",
            "Baobab",
            "Confirmé",
        ],
        [
            "2027-03-05",
            "2027-03-10",
            "5",
            "4",
            "20",
            "Université d'Angers",
            "Université / école",
            "Éducation et petite enfance",
            "Baobab, Djoliba",
            "Confirmé",
        ],
        [
            "2027-03-06",
            "2027-03-09",
            "3",
            "1",
            "3",
            "Association Angers-Bamako",
            "Association",
            "Culture",
            "Niger",
            "Confirmé",
        ],
        [
            "2027-03-15",
            "2027-03-17",
            "2",
            "1",
            "2",
            "chu  d'angers",
            "Établissement de santé",
            "Santé publique",
            "Ancienne",
            "Confirmé",
        ],
        [
            "2027-03-24",
            "2027-03-27",
            "3",
            "2",
            "6",
            "Ville de Rennes",
            "Autre acteur français de coopération",
            "Gestion des déchets",
            "Niger",
            "Confirmé",
        ],
        [
            "2027-03-28",
            "2027-04-03",
            "4",
            "3",
            "12",
            "Compagnie Les Arts du Fleuve",
            "Compagnie artistique / culturelle",
            "Culture",
            "Djoliba",
            "Confirmé",
        ],
    ]
    assert all(row[0].startswith("MPAB-2027-") for row in rows[1:])


def test_csv_of_each_table_matches_the_page(client, march):
    def csv_of(name: str) -> list[list[str]]:
        response = client.get(f"/staff/stats/{name}.csv?period=custom&start=2027-02-01&end=2027-04-30")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="mpab-{name}-2027-02-01_2027-04-30.csv"'
        )
        assert b";" in response.get_data()
        return read_csv(response)

    # Bare numbers with a decimal comma, months and dates in ISO form: what French Excel reads as numbers.
    # Units go into the names: cells stay bare numbers.
    assert csv_of("summary")[1:3] == [["Taux d'occupation (%)", "13,3"], ["Nuits-chambres occupées", "34"]]
    assert csv_of("months") == [
        [
            "Mois",
            "Nuits-chambres disponibles",
            "Nuits-chambres occupées",
            "Taux d'occupation (%)",
            "Séjours",
            "Voyageurs",
            "Nuits",
            "Nuitées",
        ],
        ["2027-02", "84", "4", "4,8", "1", "2", "4", "8"],
        ["2027-03", "83", "25", "30,1", "6", "13", "20", "49"],
        ["2027-04", "89", "5", "5,6", "2", "5", "5", "12"],
        ["Période entière", "256", "34", "13,3", "7", "15", "29", "69"],
    ]
    axes = {row[0]: row[1:] for row in csv_of("axes")}
    # Éducation: S2 (4 × 5) + S6 (2 × 3) = 26 of 69 person-nights = 37.7 %.
    assert axes["Éducation et petite enfance"] == ["2", "6", "8", "26", "37,7"]
    assert axes["Total"] == ["7", "15", "29", "69", "100,0"]
    assert axes["Axe de coopération"][-1] == "Part des nuitées (%)"
    types = {row[0]: row[1:] for row in csv_of("types")}
    assert types["Université / école"] == ["2", "6", "8", "26", "37,7"]
    organisations = csv_of("organisations")
    # S1: 2 × 7 = 14, S7: 1 × 2 = 2 → the CHU has 16 person-nights, 23.2 %.
    assert organisations[1] == ["Université d'Angers", "2", "6", "8", "26", "37,7"]
    assert ["CHU d'Angers", "2", "3", "9", "16", "23,2"] in organisations
    requests = {row[0]: row[1:] for row in csv_of("requests")}
    assert requests["Demandes reçues"] == ["12"]
    assert requests["Délai médian de décision (h)"] == ["12,0"]


def test_csv_cells_cannot_become_formulas(client, auth, make_room, make_stay):
    staff = auth.login()
    room = make_room()
    for i, name in enumerate(('=HYPERLINK("http://evil.example")', "+1+2", "-2+3", "@SUM(A1)", "Normal")):
        stay = make_stay(arrival=d("2027-03-01").replace(day=1 + 3 * i), nights=2, organisation=name)
        stay.approve(by=staff, rooms=[room])
        db.session.commit()
    rows = read_csv(client.get("/staff/stats/stays.csv?period=month&month=2027-03"))
    assert [row[6] for row in rows[1:]] == [
        '\'=HYPERLINK("http://evil.example")',
        "'+1+2",
        "'-2+3",
        "'@SUM(A1)",
        "Normal",
    ]
    organisations = read_csv(client.get("/staff/stats/organisations.csv?period=month&month=2027-03"))
    assert all(not row[0].startswith(("=", "+", "-", "@")) for row in organisations)


def test_charts_are_accessible_svg_drawn_on_the_server(client, march):
    html = client.get(FEB_TO_APRIL).get_data(as_text=True)
    assert "<script" not in html and "style=" not in html
    occupancy = html[html.index('<svg class="chart" id="chart-occupancy"') : html.index("</svg>")]
    assert 'role="img"' in occupancy and 'aria-label="Taux d&#39;occupation par mois"' in occupancy
    assert "<title>Taux d&#39;occupation par mois</title>" in occupancy
    assert "févr. : 4,8\xa0%; mars : 30,1\xa0%; avr. : 5,6\xa0%" in occupancy  # the description
    assert occupancy.count("<rect") == 3
    axes = html[html.index('<svg class="chart" id="chart-axes"') :]
    axes = axes[: axes.index("</svg>")]
    assert 'aria-label="Nuitées par axe de coopération"' in axes
    assert "Éducation et petite enfance : 26" in axes
    # Bars are proportional: the longest (Éducation, 26 person-nights) spans the 340 px of the plot;
    # Culture has S3 1 × 3 + S4 3 × 6 = 21 → 340 × 21 / 26 = 274.6 px.
    assert 'width="340.0"' in axes and 'width="274.6"' in axes
    assert "http" not in occupancy.replace("http://www.w3.org/2000/svg", "")


def test_many_months_still_draw(client, march):
    response = client.get("/staff/stats?period=custom&start=2026-01-01&end=2028-12-31")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    occupancy = html[html.index('id="chart-occupancy"') :]
    occupancy = occupancy[: occupancy.index("</svg>")]
    assert occupancy.count("<rect") == 36
    assert "janv. 26" in occupancy


def test_default_period_is_the_current_year(client, auth):
    auth.login()
    response = client.get("/staff/stats")
    assert response.status_code == 200
    assert f"Période : année {today().year}" in text_of(response)
    html = response.get_data(as_text=True)
    assert f'value="{today().year}"' in html
    assert f"/staff/stats/stays.csv?period=year&amp;year={today().year}" in html
    # No room, no stay: figures are zero or a dash, never an error.
    assert tables_of(response)["Chiffres clés"]["Taux d'occupation"] == ["—"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=month&month=2027-13", "Mois invalide : saisissez-le au format AAAA-MM"),
        ("period=month&month=", "Indiquez un mois au format AAAA-MM"),
        ("period=year&year=deux-mille", "Saisissez un nombre entier"),
        ("period=year&year=1999", "Choisissez une année entre 2000 et 2100."),
        ("period=year&year=99999999999999", "Saisissez un nombre entier"),
        ("period=custom&start=2027-02-30&end=2027-03-01", "Date invalide"),
        ("period=custom&start=2027-03-01", "Indiquez la date de début et la date de fin"),
        ("period=custom&start=2027-03-10&end=2027-03-01", "La date de fin doit suivre la date de début"),
        ("period=custom&start=2015-01-01&end=2025-01-01", "La période ne peut pas dépasser 10 ans"),
        ("period=custom&start=9999-12-31&end=9999-12-31", "Choisissez une année entre 2000 et 2100."),
        ("period=week", "Période inconnue : choisissez une année, un mois ou des dates."),
    ],
)
def test_bad_periods_say_what_to_do_and_show_the_current_year(client, auth, query, message):
    auth.login()
    response = client.get(f"/staff/stats?{query}")
    assert response.status_code == 400
    text = text_of(response)
    assert message in text
    assert f"voici les chiffres de l'année {today().year}" in text
    assert f"Période : année {today().year}" in text
    export = client.get(f"/staff/stats/summary.csv?{query}")
    assert export.status_code == 400
    assert message in text_of(export) and "Période invalide" in text_of(export)


def test_ten_years_exactly_is_allowed_and_a_single_day_too(client, auth):
    auth.login()
    response = client.get("/staff/stats?period=custom&start=2021-01-01&end=2030-12-31")
    assert response.status_code == 200
    assert "— 3652 nuits." in text_of(response)
    response = client.get("/staff/stats?start=2027-03-05&end=2027-03-05")  # `period` guessed from the fields
    assert response.status_code == 200
    assert "Période : du 5 mars 2027 au 5 mars 2027 — 1 nuits." in text_of(response)


def test_statistics_are_for_staff_only(client, auth):
    for url in ("/staff/stats", "/staff/stats/stays.csv", "/staff/stats/summary.csv?year=2027"):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    auth.login()
    assert 'href="/staff/stats">Statistiques</a>' in client.get("/staff/").get_data(as_text=True)
    assert client.get("/staff/stats/unknown.csv").status_code == 404
    assert client.get("/").get_data(as_text=True).count("/staff/stats") == 1  # the nav link, staff only


def test_a_fixed_number_of_queries_whatever_the_number_of_stays(client, march, make_room, make_stay):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def queries(url: str) -> int:
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    before = {url: queries(url) for url in (MARCH, "/staff/stats/stays.csv?period=month&month=2027-03")}
    room = make_room(name="Annexe", beds=4)
    staff = march
    for day in range(1, 29, 2):  # 14 more approved stays, each with its room
        stay = make_stay(arrival=date(2027, 3, day), nights=2, organisation=f"Organisation {day}")
        stay.approve(by=staff, rooms=[room])
        db.session.commit()
    for url, count_before in before.items():
        assert count_before <= 10  # the logged-in user, then the report's seven queries
        assert queries(url) == count_before
    assert "20 séjours confirmés" in text_of(client.get(MARCH))
