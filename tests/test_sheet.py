"""The house's daily sheet, its CSV, and the arrivals, departures and no-shows recorded from it."""

import csv
import io
import re
from datetime import UTC, datetime, time, timedelta
from html import unescape

import pytest

from guesthouse.bookings.models import StayRequest
from guesthouse.cache import EXTENSION_KEY
from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.staff.models import Role

from .conftest import csrf_from
from .test_travellers import full_row


def text(response) -> str:
    return " ".join(unescape(response.get_data(as_text=True)).split())


def section(page: str, name: str) -> str:
    """The text of one section of the sheet (arrivals, departures, tonight, coming)."""
    start = page.index(f'<section aria-labelledby="{name}">')
    return " ".join(re.sub(r"<[^>]+>", " ", page[start : page.index("</section>", start)]).split())


@pytest.fixture
def house(make_room, make_stay, make_staff, approve):
    """Stays around today: arriving, present, leaving, coming this week, coming later, pending."""
    djoliba, niger, maine = (make_room(name=n, beds=3) for n in ("Djoliba", "Niger", "Maine"))
    day = today()
    arriving = approve(
        make_stay(start=day, nights=3, guests=2, travellers="Awa Traoré\nMoussa Keita"), djoliba
    )
    awa = arriving.traveller_records[0]
    awa.arrival_flight, awa.arrival_at, awa.pickup_wanted = (
        "AF 596",
        datetime.combine(day, time(18, 45), UTC),
        True,
    )
    present = approve(
        make_stay(
            start=day - timedelta(days=2), nights=3, travellers="Ousmane Diarra", organisation="CHU d'Angers"
        ),
        niger,
    )
    ousmane = present.traveller_records[0]
    ousmane.phone, ousmane.emergency_name, ousmane.emergency_phone = (
        "+223 70 12 34 56",
        "Aminata Diarra",
        "+33 6 12 34 56 78",
    )
    present.checked_in_at = datetime.combine(day - timedelta(days=2), time(20), UTC)
    leaving = approve(make_stay(start=day - timedelta(days=3), nights=3, travellers="Julien Lebrun"), maine)
    julien = leaving.traveller_records[0]
    julien.departure_flight, julien.departure_at = "ET 934", datetime.combine(day, time(23, 55), UTC)
    coming = approve(
        make_stay(start=day + timedelta(days=5), nights=2, guests=2, travellers="Marc Dubois"), maine
    )
    later = approve(make_stay(start=day + timedelta(days=9), nights=2, travellers="Plus Tard"), maine)
    pending = make_stay(start=day, nights=2, travellers="Pas Encore Confirmé")
    db.session.commit()
    return dict(
        arriving=arriving, present=present, leaving=leaving, coming=coming, later=later, pending=pending
    )


def test_the_sheet_lists_arrivals_departures_tonight_and_the_week(client, auth, house):
    auth.login()
    response = client.get("/staff/sheet")
    assert response.status_code == 200
    page = text(response)
    assert "Feuille de la maison du" in page and "Aujourd'hui" in page
    arrivals = section(page, "arrivals")
    assert "Awa Traoré" in arrivals and "Moussa Keita" in arrivals and "Djoliba" in arrivals
    assert "AF 596" in arrivals and "18:45" in arrivals and house["arriving"].reference in arrivals
    assert "Pas Encore Confirmé" not in page  # a pending request is nobody's arrival
    departures = section(page, "departures")
    assert "Julien Lebrun" in departures and "ET 934" in departures and "Awa" not in departures
    tonight = section(page, "tonight")
    assert "Ousmane Diarra" in tonight and "+223 70 12 34 56" in tonight
    assert "Aminata Diarra — +33 6 12 34 56 78" in tonight and "Arrivé le" in tonight
    assert "Awa Traoré" in tonight and "Julien Lebrun" not in tonight  # leaving today: not tonight
    coming = section(page, "coming")
    assert "Marc Dubois" in coming and "Voyageur 2 (nom à venir)" in coming and "Plus Tard" not in coming
    assert "heures de bamako (utc+0)" in page.lower()


def test_another_day_and_a_bad_date(client, auth, house):
    auth.login()
    later = house["later"]
    page = text(client.get(f"/staff/sheet?date={later.arrival.isoformat()}"))
    assert "Plus Tard" in section(page, "arrivals")
    for wrong in ("2027-02-30", "demain", "9999-12-31", "0001-01-01", "2027-1-1x"):
        response = client.get(f"/staff/sheet?date={wrong}")
        assert response.status_code == 400, wrong
        assert "Date invalide : choisissez une date réelle au format AAAA-MM-JJ" in text(response)
        assert client.get(f"/staff/sheet.csv?date={wrong}").status_code == 400


def test_the_csv_has_a_row_per_traveller_and_section(client, auth, house):
    auth.login()
    response = client.get("/staff/sheet.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="mpab-feuille-{today().isoformat()}.csv"'
    )
    assert "no-store" in response.headers["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[0] == "Rubrique" and "Téléphone au Mali" in header
    named = {(row[0], row[6]) for row in body}
    assert ("Arrivée du jour", "Awa Traoré") in named and ("Départ du jour", "Julien Lebrun") in named
    assert ("Présent ce soir", "Ousmane Diarra") in named
    assert ("Arrivée des 7 jours suivants", "Voyageur 2 (nom à venir)") in named
    ousmane = next(row for row in body if row[6] == "Ousmane Diarra")
    assert ousmane[7] == "'+223 70 12 34 56"  # a leading + would be read as a formula
    awa = next(row for row in body if row[6] == "Awa Traoré")
    assert awa[10:12] == ["AF 596", f"{today().isoformat()} 18:45"] and awa[14] == "oui"


def post(client, url: str, page: str, **data):
    return client.post(url, data={"csrf_token": csrf_from(client.get(page).get_data(as_text=True)), **data})


def test_check_in_from_the_sheet_writes_the_history_and_tells_the_requester(client, auth, house):
    user = auth.login()
    arriving = house["arriving"]
    response = post(client, f"/staff/requests/{arriving.id}/check-in", "/staff/sheet", next="/staff/sheet")
    assert response.status_code == 303 and response.headers["Location"] == "/staff/sheet"
    assert f"Arrivée de {arriving.reference} enregistrée." in text(client.get("/staff/sheet"))
    db.session.expire_all()
    stay = db.session.get(StayRequest, arriving.id)
    assert stay.checked_in_at is not None and stay.events[-1].action == "checked_in"
    assert stay.events[-1].actor_id == user.id and not stay.events[-1].mail_pending
    assert "Arrivée à la maison — Agent du service" in text(client.get(f"/staff/requests/{arriving.id}"))
    assert "Arrivé le" in text(client.get(f"/requests/{arriving.access_token}"))

    again = post(client, f"/staff/requests/{arriving.id}/check-in", "/staff/sheet", next="/staff/sheet")
    assert again.status_code == 409
    assert "L'arrivée est déjà enregistrée" in text(again)

    out = post(client, f"/staff/requests/{arriving.id}/check-out", f"/staff/requests/{arriving.id}")
    assert out.status_code == 303 and out.headers["Location"] == f"/staff/requests/{arriving.id}"
    page = text(client.get(out.headers["Location"]))
    assert "Départ de la maison" in page and "Parti le" in page


def test_what_cannot_be_recorded_is_refused_with_a_reason(client, auth, house):
    auth.login()
    coming, leaving, pending = house["coming"], house["leaving"], house["pending"]
    cases = [
        (f"/staff/requests/{coming.id}/check-in", "L'arrivée s'enregistre à partir du jour prévu"),
        (f"/staff/requests/{coming.id}/no-show", "Une absence se note à partir du jour d'arrivée prévu"),
        (f"/staff/requests/{leaving.id}/check-out", "Enregistrez d'abord l'arrivée des voyageurs"),
        (
            f"/staff/requests/{pending.id}/check-in",
            "Ce séjour est « En attente » : il n'y a rien à enregistrer",
        ),
        (f"/staff/requests/{house['present'].id}/no-show", "Les voyageurs sont arrivés"),
    ]
    for url, reason in cases:
        response = post(client, url, "/staff/sheet")
        assert response.status_code == 409, url
        assert reason in text(response), url
    assert post(client, "/staff/requests/999999/check-in", "/staff/sheet").status_code == 404
    # An address elsewhere is never followed: the stay's page instead.
    away = post(
        client,
        f"/staff/requests/{house['present'].id}/check-out",
        "/staff/sheet",
        next="https://evil.example/",
    )
    assert away.status_code == 303 and away.headers["Location"] == f"/staff/requests/{house['present'].id}"


def test_a_no_show_from_the_arrival_day_then_a_late_arrival(client, auth, house):
    auth.login()
    arriving = house["arriving"]
    response = post(client, f"/staff/requests/{arriving.id}/no-show", "/staff/sheet", next="/staff/sheet")
    assert response.status_code == 303
    page = text(client.get("/staff/sheet"))
    assert "Absent (noté le" in section(page, "arrivals") and "Awa Traoré" not in section(page, "tonight")
    assert "Personne n'est arrivé à la date prévue" in text(client.get(f"/requests/{arriving.access_token}"))
    late = post(client, f"/staff/requests/{arriving.id}/check-in", "/staff/sheet")
    assert late.status_code == 303
    db.session.expire_all()
    stay = db.session.get(StayRequest, arriving.id)
    assert stay.no_show_at is None and [e.action for e in stay.events][-2:] == ["no_show", "checked_in"]


def test_the_kept_sheet_shows_new_details_and_arrivals_at_once(client, auth, house):
    """The sheet's sections are kept by data version: what changes shows on the next view."""
    auth.login()
    present, arriving = house["present"], house["arriving"]
    assert "+223 76 00 00 01" not in text(client.get("/staff/sheet"))
    url = f"/staff/requests/{present.id}/travellers"
    row = full_row(0, full_name="Ousmane Diarra", phone="+223 76 00 00 01", arrival_at="", departure_at="")
    saved = client.post(url, data={**row, "csrf_token": csrf_from(client.get(url).get_data(as_text=True))})
    assert saved.status_code == 303
    page = client.get("/staff/sheet").get_data(as_text=True)
    assert "+223 76 00 00 01" in section(unescape(page), "tonight")
    # Every button submits the page's one form, which carries the token and the way back.
    assert page.count('form="presence"') == page.count('formaction="/staff/requests/')
    assert page.count('<form id="presence" method="post"') == 1 and ' action="/staff/requests/' not in page
    response = post(client, f"/staff/requests/{arriving.id}/check-in", "/staff/sheet", next="/staff/sheet")
    assert response.status_code == 303
    arrivals = section(text(client.get("/staff/sheet")), "arrivals")
    assert "Arrivé le" in arrivals and f"Arrivée {arriving.reference}" not in arrivals


def test_an_erasure_leaves_no_kept_copy_of_the_sheet(client, auth, app, house):
    """What the worker kept of the sheet leaves with the erased stay, not only its page."""
    auth.login()
    phone = "+223 70 12 34 56"
    assert phone in text(client.get("/staff/sheet"))
    token = csrf_from(client.get("/staff/privacy").get_data(as_text=True))
    email = house["present"].contact_email
    erased = client.post("/staff/privacy/erase", data={"email": email, "confirm": "y", "csrf_token": token})
    assert erased.status_code == 303
    assert phone not in text(client.get("/staff/sheet"))
    # The worker's store itself, read directly: a value of the old version would still hold the number.
    assert all(phone not in repr(value) for value in app.extensions[EXTENSION_KEY]._values.values())


def test_the_statistics_count_no_shows_and_nights_really_spent(client, auth, house):
    leaving = house["leaving"]
    leaving.checked_in_at = datetime.combine(
        leaving.arrival + timedelta(days=1), time(9), UTC
    )  # a night late
    leaving.checked_out_at = datetime.combine(leaving.departure, time(8), UTC)
    house["arriving"].no_show_at = datetime.now(UTC)
    db.session.commit()
    auth.login()
    year = today().year
    response = client.get(
        f"/staff/stats/summary.csv?period=custom&start={year - 1}-01-01&end={year + 1}-12-31"
    )
    rows = dict(
        row[:2]
        for row in csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    # present: checked in two nights ago, still there tonight: 3 nights; leaving: 2 of its 3 nights.
    assert rows["Nuits réellement passées (séjours dont l'arrivée est enregistrée)"] == str(3 + 2)
    assert rows["Séjours sans personne arrivée (absences notées)"] == "1"
    assert int(rows["Nuits (une par séjour et par nuit)"]) == sum(
        s.nights for key, s in house.items() if key != "pending"
    )


def test_a_caretaker_sees_the_sheet_and_stays_but_no_decision(client, auth, make_staff, house):
    caretaker = make_staff(role=Role.CARETAKER, email="intendance@angers.example", name="Boubacar Intendant")
    page = client.get("/staff/login").get_data(as_text=True)
    response = client.post(
        "/staff/login",
        data={
            "email": caretaker.email,
            "password": "correct horse battery staple",
            "csrf_token": csrf_from(page),
        },
    )
    assert response.status_code == 303 and response.headers["Location"] == "/staff/sheet"
    sheet = text(client.get("/staff/sheet"))
    assert "Ousmane Diarra" in sheet and f"Arrivée {house['arriving'].reference}" in section(
        sheet, "arrivals"
    )
    for hidden in ("Statistiques", "Données personnelles</a>", "Tableau de bord", "Administration"):
        assert hidden not in sheet, hidden
    stay_page = text(client.get(f"/staff/requests/{house['arriving'].id}"))
    assert "Awa Traoré" in stay_page and "Compléter ou corriger les voyageurs" in stay_page
    for button in (
        "Annuler le séjour",
        "Remplacer le lien privé",
        "Modifier les dates, chambres ou voyageurs",
    ):
        assert button not in stay_page, button
    assert client.get(f"/staff/requests/{house['pending'].id}").status_code == 403
    for url in (
        "/staff/",
        "/staff/stats",
        "/staff/privacy",
        "/staff/accounts",
        "/staff/closures",
        "/staff/requests",
    ):
        assert client.get(url).status_code == 403, url
    token = csrf_from(client.get("/staff/sheet").get_data(as_text=True))
    for action in ("approve", "reject", "cancel", "revoke-link"):
        refused = client.post(
            f"/staff/requests/{house['pending'].id}/{action}", data={"csrf_token": token, "reason": "x"}
        )
        assert refused.status_code == 403, action
    arrived = client.post(f"/staff/requests/{house['arriving'].id}/check-in", data={"csrf_token": token})
    assert arrived.status_code == 303
    db.session.expire_all()
    assert db.session.get(StayRequest, house["arriving"].id).events[-1].actor_id == caretaker.id
    profile = text(client.get("/staff/profile"))
    assert "Intendance" in profile and "Mon agenda du service" not in profile


def test_caretaker_accounts_are_made_by_the_command_and_the_accounts_page(client, auth, runner):
    result = runner.invoke(
        args=["staff", "create", "gardien@angers.example", "--name", "Gardien", "--role", "caretaker"],
        input="correct horse battery staple\ncorrect horse battery staple\n",
    )
    assert result.exit_code == 0, result.output
    assert "(caretaker)" in result.output
    auth.login_admin()
    page = client.get("/staff/accounts").get_data(as_text=True)
    assert '<option value="caretaker">Intendance</option>' in page
    response = client.post(
        "/staff/accounts",
        data={
            "email": "intendante@angers.example",
            "name": "Intendante",
            "role": "caretaker",
            "password_mode": "generate",
            "csrf_token": csrf_from(page),
        },
    )
    assert response.status_code == 200
    listing = text(client.get("/staff/accounts"))
    assert listing.count("Intendance") >= 2


def test_a_member_made_caretaker_loses_the_staff_calendar_feed(client, auth, make_staff, staff_token):
    colleague = make_staff(email="collegue@angers.example")
    token = staff_token(colleague)
    assert client.get(f"/calendar/staff/{token}.ics").status_code == 200
    auth.login_admin()
    page = client.get(f"/staff/accounts/{colleague.id}").get_data(as_text=True)
    response = client.post(
        f"/staff/accounts/{colleague.id}/role", data={"role": "caretaker", "csrf_token": csrf_from(page)}
    )
    assert response.status_code == 303
    assert "Rôle de Agent du service : Intendance." in text(client.get(response.headers["Location"]))
    # The feed holds pending requests: the service's, not the caretakers'.
    assert client.get(f"/calendar/staff/{token}.ics").status_code == 404
