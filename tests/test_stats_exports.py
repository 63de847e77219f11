"""Activity reports: the CSV exports (Excel-ready, no contact details, no formulas)."""

from guesthouse.extensions import db

from .stats_dataset import d, read_csv


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
        "Acteur angevin",
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
            "Oui",
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
            "Oui",
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
            "Oui",
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
            "Oui",
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
            "Non",
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
            "Oui",
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
    # By the answer, not the type: Rennes (S5, 2 × 3 = 6 person-nights) is the one stay from elsewhere.
    origins = {row[0]: row[1:] for row in csv_of("origins")}
    assert origins["Autres acteurs"] == ["1", "2", "3", "6", "8,7"]
    assert origins["Acteurs angevins (Angers ou Angers Loire Métropole)"] == ["6", "13", "26", "63", "91,3"]
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
