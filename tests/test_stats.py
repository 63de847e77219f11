"""Activity reports: the figures staff see for the dataset of `stats_dataset`, worked out by hand."""

from datetime import date

import sqlalchemy as sa

from guesthouse.database import today
from guesthouse.extensions import db

from .stats_dataset import FEB_TO_APRIL, MARCH, Tables, tables_of, text_of


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
        # Nobody recorded an arrival nor a no-show in this dataset: the house's own figures are zero.
        "Nuits réellement passées (séjours dont l'arrivée est enregistrée)": ["0"],
        "Séjours sans personne arrivée (absences notées)": ["0"],
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
    assert "sur 7 demandes décidées" in text_of(response)
    assert "6 séjours confirmés ont au moins une nuit dans la période." in text_of(response)


def test_stays_straddling_months_split_their_nights(client, march):
    response = client.get(FEB_TO_APRIL)
    assert response.status_code == 200
    assert "Période : du 1er février 2027 au 30 avril 2027 — 89 nuits." in text_of(response)
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


def test_charts_are_accessible_svg_drawn_on_the_server(client, march):
    html = client.get(FEB_TO_APRIL).get_data(as_text=True)
    assert "<script" not in html and "style=" not in html
    occupancy = html[html.index('<svg class="chart" id="chart-occupancy"') : html.index("</svg>")]
    assert 'role="img"' in occupancy and 'aria-label="Taux d&#39;occupation par mois"' in occupancy
    assert "<title>Taux d&#39;occupation par mois</title>" in occupancy
    assert (
        "févr.\xa0: 4,8\xa0%\u202f; mars\xa0: 30,1\xa0%\u202f; avr.\xa0: 5,6\xa0%" in occupancy
    )  # the description
    assert occupancy.count("<rect") == 3
    axes = html[html.index('<svg class="chart" id="chart-axes"') :]
    axes = axes[: axes.index("</svg>")]
    assert 'aria-label="Nuitées par axe de coopération"' in axes
    assert "Éducation et petite enfance\xa0: 26" in axes
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
