"""Who must be brought home: the evacuation list, its CSV, and the record of every viewing."""

import csv
import io
import re
from datetime import UTC, datetime, time, timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from guesthouse.access_log.models import AccessKind, AccessRecord
from guesthouse.bookings.models import BookingEvent, record_events
from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.staff.models import Role


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def section(page: str, name: str) -> str:
    start = page.index(f'<section aria-labelledby="{name}">')
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page[start : page.index("</section>", start)])).split())


@pytest.fixture
def house(make_room, make_stay, approve):
    """In the house tonight, arriving within 14 days, arriving later, gone yesterday, not come, pending."""
    djoliba, niger, maine = (make_room(name=n, beds=3) for n in ("Djoliba", "Niger", "Maine"))
    day = today()
    present = approve(
        make_stay(
            start=day - timedelta(days=2),
            nights=5,
            guests=2,
            travellers="Ousmane Diarra\nAwa Traoré",
            organisation="CHU d'Angers",
            contact_name="Claire Moreau",
            contact_phone="+33 2 41 00 00 00",
            contact_email="claire@chu.example",
        ),
        niger,
    )
    ousmane = present.traveller_records[0]
    ousmane.phone, ousmane.emergency_name, ousmane.emergency_phone = (
        "+223 70 12 34 56",
        "Aminata Diarra",
        "+33 6 12 34 56 78",
    )
    ousmane.ariane_registered = True
    ousmane.departure_flight = "AF 597"
    ousmane.departure_at = datetime.combine(day + timedelta(days=3), time(23, 55), UTC)
    present.checked_in_at = datetime.combine(day - timedelta(days=2), time(20), UTC)
    coming = approve(make_stay(start=day + timedelta(days=10), nights=2, travellers="Marc Dubois"), maine)
    marc = coming.traveller_records[0]
    marc.arrival_flight, marc.arrival_at = "ET 935", datetime.combine(day + timedelta(days=10), time(6), UTC)
    later = approve(make_stay(start=day + timedelta(days=20), nights=2, travellers="Plus Tard"), maine)
    gone = approve(make_stay(start=day - timedelta(days=4), nights=3, travellers="Parti Hier"), djoliba)
    absent = approve(make_stay(start=day - timedelta(days=1), nights=3, travellers="Jamais Venu"), djoliba)
    absent.no_show_at = datetime.combine(day, time(9), UTC)
    pending = make_stay(start=day + timedelta(days=1), nights=2, travellers="Pas Encore Confirmé")
    db.session.commit()
    return dict(present=present, coming=coming, later=later, gone=gone, absent=absent, pending=pending)


def listed_events(stay) -> list[BookingEvent]:
    return list(
        db.session.scalars(
            sa.select(BookingEvent).where(
                BookingEvent.stay_id == stay.id, BookingEvent.action == "evacuation_listed"
            )
        )
    )


def access_records(kind: AccessKind) -> list[AccessRecord]:
    return list(db.session.scalars(sa.select(AccessRecord).where(AccessRecord.kind == kind)))


@pytest.mark.parametrize("role", [Role.CARETAKER, Role.APPROVER])
def test_the_list_shows_who_is_here_tonight_and_who_arrives_in_14_days(client, auth, make_staff, house, role):
    auth.login(make_staff(role=role))
    response = client.get("/staff/sheet/evacuation")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    tonight = section(page, "tonight")
    for seen in (
        "Ousmane Diarra",
        "Awa Traoré",
        "Niger",
        "+223 70 12 34 56",
        "Aminata Diarra",
        "+33 6 12 34 56 78",
        "inscrit",
        "AF 597",
        "CHU d'Angers",
        "Claire Moreau",
        "+33 2 41 00 00 00",
        "claire@chu.example",
        house["present"].reference,
    ):
        assert seen in tonight, seen
    assert "À la maison ce soir (2\u00a0voyageurs)" in tonight or "(2 voyageurs)" in tonight
    coming = section(page, "coming")
    assert "Marc Dubois" in coming and "ET 935" in coming and "Maine" in coming
    whole = text(response)
    for absent in ("Plus Tard", "Parti Hier", "Jamais Venu", "Pas Encore Confirmé"):
        assert absent not in whole, absent


def test_the_window_follows_days(client, auth, house):
    auth.login()
    short = text(client.get("/staff/sheet/evacuation?days=5"))
    assert "Ousmane Diarra" in short and "Marc Dubois" not in short
    wide = text(client.get("/staff/sheet/evacuation?days=25"))
    assert "Marc Dubois" in wide and "Plus Tard" in wide and "Parti Hier" not in wide


@pytest.mark.parametrize("days", ["0", "61", "-1", "abc", "1.5", "²", "9" * 5000, "١٤"])
def test_a_bad_days_value_is_refused_in_words(client, auth, house, days):
    auth.login()
    for url in ("/staff/sheet/evacuation", "/staff/sheet/evacuation.csv"):
        response = client.get(url, query_string={"days": days})
        assert response.status_code == 400, (url, days)
        assert "Nombre de jours invalide" in text(response)
    assert access_records(AccessKind.EVACUATION) == [] and listed_events(house["present"]) == []


def test_the_refusal_speaks_english_to_an_english_reader(client, auth, house):
    auth.login()
    response = client.get("/staff/sheet/evacuation?days=0", headers={"Accept-Language": "en"})
    assert response.status_code == 400 and "Invalid number of days" in text(response)


def test_the_csv_lists_the_same_people(client, auth, house):
    auth.login()
    response = client.get("/staff/sheet/evacuation.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "no-store" in response.headers["Cache-Control"]
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert "Téléphone au Mali" in header and "Inscrit sur Ariane" in header
    by_name = {row[header.index("Voyageur")]: row for row in body}
    assert set(by_name) == {"Ousmane Diarra", "Awa Traoré", "Marc Dubois"}
    ousmane = by_name["Ousmane Diarra"]
    # The CSV quotes a leading "+" so that Excel reads a number, not a formula.
    assert ousmane[header.index("Téléphone au Mali")] == "'+223 70 12 34 56"
    assert ousmane[header.index("Inscrit sur Ariane")] == "oui"
    assert ousmane[header.index("Chambres")] == "Niger"
    assert ousmane[header.index("E-mail de l'organisation")] == "claire@chu.example"
    assert by_name["Marc Dubois"][header.index("Vol d'arrivée")] == "ET 935"


def test_each_viewing_is_written_in_the_history_and_the_access_log(client, auth, make_staff, house):
    caretaker = auth.login(make_staff(role=Role.CARETAKER, name="Boubacar Intendant"))
    client.get("/staff/sheet/evacuation")
    [event] = listed_events(house["present"])
    assert event.actor_id == caretaker.id and not event.mail_pending
    assert len(listed_events(house["coming"])) == 1
    assert listed_events(house["later"]) == [] and listed_events(house["gone"]) == []
    [record] = access_records(AccessKind.EVACUATION)
    assert record.user_id == caretaker.id
    assert set(record.reference_list) == {house["present"].reference, house["coming"].reference}
    client.get("/staff/sheet/evacuation.csv")
    assert len(listed_events(house["present"])) == 2
    assert len(access_records(AccessKind.EVACUATION_CSV)) == 1
    assert len(access_records(AccessKind.EVACUATION)) == 1
    history = text(client.get(f"/staff/requests/{house['present'].id}"))
    assert "Voyageurs lus sur la liste des personnes à rapatrier" in history
    assert "Voyageurs lus sur la liste des personnes à rapatrier (CSV)" in history


def test_the_daily_sheet_and_the_travellers_page_are_recorded(client, auth, house):
    member = auth.login()
    client.get("/staff/sheet")
    [sheet] = access_records(AccessKind.SHEET)
    assert sheet.user_id == member.id and house["present"].reference in sheet.reference_list
    client.get("/staff/sheet.csv")
    assert len(access_records(AccessKind.SHEET_CSV)) == 1
    assert client.get(f"/staff/requests/{house['present'].id}/travellers").status_code == 200
    [travellers] = access_records(AccessKind.TRAVELLERS)
    assert travellers.reference_list == [house["present"].reference]


def test_the_sheet_links_to_the_list(client, auth, house):
    auth.login(auth.make_staff(role=Role.CARETAKER))
    page = client.get("/staff/sheet").get_data(as_text=True)
    assert 'href="/staff/sheet/evacuation"' in page


def test_nobody_signed_out_or_with_a_requester_link_sees_it(client, house):
    for url in ("/staff/sheet/evacuation", "/staff/sheet/evacuation.csv"):
        response = client.get(url)
        assert response.status_code in (302, 303) and "/staff/login" in response.headers["Location"]
    # A requester's private link opens their own page, never the staff's list.
    assert client.get(f"/requests/{house['present'].access_token}").status_code == 200
    response = client.get("/staff/sheet/evacuation")
    assert response.status_code in (302, 303) and "/staff/login" in response.headers["Location"]
    assert access_records(AccessKind.EVACUATION) == [] and listed_events(house["present"]) == []


def test_an_event_that_sends_mail_is_never_written_in_bulk(house, make_staff):
    """The bulk history insert takes only silent events: a mail is promised stay by stay."""
    with pytest.raises(ValueError, match="record_event"):
        record_events([house["present"]], "approved", actor=make_staff())


def test_the_privacy_notice_says_what_the_caretakers_see(client):
    page = " ".join(
        unescape(client.get("/confidentialite").get_data(as_text=True)).replace("\xa0", " ").split()
    )
    assert "les séjours confirmés seulement" in page
    assert "le contact de l'organisation (sur la liste des personnes à rapatrier" in page
    assert "les notes du service sur ces séjours" in page
