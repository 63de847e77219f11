"""One record per traveller: made from the form's names, completed by the requester and by staff, kept
private, exported, erased with the stay, and migrated from the old free text."""

import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from guesthouse.bookings.models import StayRequest
from guesthouse.bookings.travellers import Traveller
from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.staff.models import Role

from .conftest import csrf_from, deliver_mail, valid_request_form


def text(response) -> str:
    """The page's text, its spaces (French typography's no-break ones included) made plain."""
    return " ".join(unescape(response.get_data(as_text=True)).split())


def full_row(index: int, **overrides) -> dict:
    """The fields of one traveller's block on the travellers' page, all filled."""
    arrival = today() + timedelta(days=10)
    values = {
        "full_name": "Awa Traoré",
        "phone": "+223 70 12 34 56",
        "emergency_name": "Fatou Traoré",
        "emergency_phone": "0033 6 12 34 56 78",
        "ariane_registered": "yes",
        "arrival_flight": "AF 596",
        "arrival_at": f"{arrival.isoformat()}T18:45",
        "departure_flight": "AF 597",
        "departure_at": f"{(arrival + timedelta(days=3)).isoformat()}T23:55",
        "pickup_wanted": "yes",
    }
    values.update(overrides)
    return {f"travellers-{index}-{key}": value for key, value in values.items()}


@pytest.fixture
def approved_stay(make_stay, make_room, approve):
    """An approved stay of two travellers whose names were given, three places in all."""
    stay = make_stay(guests=3, travellers="Awa Traoré\n  Moussa   Keita \n\n")
    return approve(stay, make_room(name="Djoliba", beds=3))


def test_the_request_form_makes_one_record_per_name(client, form_post, make_room):
    make_room(beds=4)
    response = form_post(
        "/requests/new", valid_request_form(guests="3", travellers="Awa Traoré\n\nMoussa Keita\n")
    )
    assert response.status_code == 303
    stay = db.session.scalar(sa.select(StayRequest))
    assert [(t.position, t.full_name) for t in stay.traveller_records] == [
        (0, "Awa Traoré"),
        (1, "Moussa Keita"),
    ]
    page = text(client.get(response.headers["Location"]))
    assert "Awa Traoré, Moussa Keita" in page
    # Pending: the details wait for the approval.
    assert "Compléter les informations des voyageurs" not in page
    refused = client.get(f"/requests/{stay.access_token}/travellers")
    assert refused.status_code == 303
    assert "une fois le séjour confirmé" in text(client.get(refused.headers["Location"]))


def test_the_requester_completes_the_details_and_sees_what_is_missing(client, approved_stay):
    url = f"/requests/{approved_stay.access_token}/travellers"
    private = text(client.get(f"/requests/{approved_stay.access_token}"))
    assert "Compléter les informations des voyageurs" in private
    assert "Moussa Keita — téléphone joignable au Mali" in private
    assert "Voyageur 3 — nom complet" in private

    page = client.get(url)
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["Cache-Control"] == "no-store"
    html = text(page)
    assert html.count('name="travellers-2-full_name"') == 1 and 'name="travellers-3-full_name"' not in html
    assert "heure de Bamako, UTC+0" in html

    data = {
        **full_row(0),
        **full_row(1, full_name="Moussa Keita", phone="+223 7612", pickup_wanted=""),
        **{f"travellers-2-{k}": "" for k in ("full_name", "phone", "arrival_flight")},
        "csrf_token": csrf_from(html),
    }
    refused = client.post(url, data=data)
    assert refused.status_code == 400
    assert "Numéro invalide : écrivez-le au format international" in text(refused)
    db.session.expire_all()
    assert db.session.get(StayRequest, approved_stay.id).traveller_records[0].phone == ""  # nothing saved

    data["travellers-1-phone"] = "+223 76.12.34.56"
    data["travellers-2-full_name"] = "Ibrahim Coulibaly"
    saved = client.post(url, data=data)
    assert saved.status_code == 303
    assert "Informations des voyageurs enregistrées" in text(client.get(saved.headers["Location"]))
    db.session.expire_all()
    awa, moussa, ibrahim = db.session.get(StayRequest, approved_stay.id).traveller_records
    assert (awa.phone, awa.emergency_phone, awa.ariane_registered) == (
        "+223 70 12 34 56",
        "+33 6 12 34 56 78",
        True,
    )
    arrival = today() + timedelta(days=10)
    assert awa.arrival_at == datetime(arrival.year, arrival.month, arrival.day, 18, 45, tzinfo=UTC)
    assert (awa.pickup_wanted, moussa.pickup_wanted, moussa.phone) == (True, None, "+223 76 12 34 56")
    assert (ibrahim.full_name, ibrahim.position) == ("Ibrahim Coulibaly", 2)

    private = text(client.get(f"/requests/{approved_stay.access_token}"))
    assert "Moussa Keita — accueil à l'aéroport (oui ou non)" in private
    assert "Ibrahim Coulibaly — téléphone joignable au Mali" in private and "Awa Traoré —" not in private
    assert "Informations des voyageurs mises à jour" in private


def test_a_known_traveller_keeps_a_name_and_a_row_without_name_is_refused(client, approved_stay):
    url = f"/requests/{approved_stay.access_token}/travellers"
    token = csrf_from(text(client.get(url)))
    response = client.post(
        url,
        data={
            **full_row(0, full_name=""),
            **full_row(1, full_name="Moussa Keita"),
            **full_row(2, full_name=""),
            "csrf_token": token,
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert "Indiquez le nom complet de ce voyageur." in page
    assert "Indiquez le nom complet de ce voyageur, ou videz les champs de cette ligne." in page
    rows = {**full_row(0), **full_row(1), **full_row(2), **full_row(3)}
    too_many = client.post(url, data={**rows, "csrf_token": token})
    assert too_many.status_code == 400 and "Trop de voyageurs pour ce séjour" in text(too_many)


def test_bad_dates_and_times_say_the_format(client, approved_stay):
    url = f"/requests/{approved_stay.access_token}/travellers"
    token = csrf_from(text(client.get(url)))
    response = client.post(
        url,
        data={
            **full_row(0, arrival_at="demain soir", departure_at=""),
            **full_row(
                1, full_name="Moussa Keita", arrival_at="2027-03-14T18:00", departure_at="2027-03-14T17:00"
            ),
            "csrf_token": token,
        },
    )
    assert response.status_code == 400
    page = text(response)
    assert "Date et heure invalides : saisissez-les au format AAAA-MM-JJ HH:MM" in page
    assert "Le départ doit suivre l'arrivée" in page


def test_the_travellers_page_closes_after_the_departure_day(client, make_stay, make_room, approve):
    stay = approve(make_stay(start=today() - timedelta(days=5), nights=4, travellers="Awa"), make_room())
    response = client.get(f"/requests/{stay.access_token}/travellers")
    assert response.status_code == 303
    assert (
        client.get(
            f"/requests/{stay.access_token}/travellers".replace(stay.access_token, "x" * 43)
        ).status_code
        == 404
    )


def test_staff_see_and_edit_the_details_and_the_history_says_who(client, auth, approved_stay):
    approved_stay.traveller_records[0].phone = "+223 70 00 00 01"
    db.session.commit()
    user = auth.login()
    page = text(client.get(f"/staff/requests/{approved_stay.id}"))
    assert "+223 70 00 00 01" in page and "Voyageur 3 — nom complet" in page
    url = f"/staff/requests/{approved_stay.id}/travellers"
    token = csrf_from(text(client.get(url)))
    response = client.post(
        url, data={**full_row(0), **full_row(1, full_name="Moussa Keita"), "csrf_token": token}
    )
    assert response.status_code == 303
    page = text(client.get(response.headers["Location"]))
    assert "Informations des voyageurs mises à jour — Agent du service" in " ".join(page.split())
    assert "AF 596" in page
    db.session.expire_all()
    event = db.session.get(StayRequest, approved_stay.id).events[-1]
    assert (event.action, event.actor_id, event.details, event.mail_pending) == (
        "travellers_updated",
        user.id,
        {},
        False,
    )


def test_changing_the_names_keeps_the_details_of_those_still_there(client, auth, approved_stay, form_post):
    awa = approved_stay.traveller_records[0]
    awa.phone = "+223 70 00 00 01"
    db.session.commit()
    auth.login_admin()
    url = f"/staff/requests/{approved_stay.id}/edit"
    response = form_post(
        url,
        {
            "arrival": approved_stay.arrival.isoformat(),
            "departure": approved_stay.departure.isoformat(),
            "guests_count": "3",
            "travellers": "Ibrahim Coulibaly\nAwa Traoré",
            "rooms": [approved_stay.assignments[0].room_id],
            "message": "",
        },
    )
    assert response.status_code == 303, text(response)
    db.session.expire_all()
    records = db.session.get(StayRequest, approved_stay.id).traveller_records
    assert [(t.full_name, t.phone) for t in records] == [
        ("Ibrahim Coulibaly", ""),
        ("Awa Traoré", "+223 70 00 00 01"),
    ]


def test_the_reminder_lists_what_is_missing_with_the_link(
    app, runner, smtp_server, make_stay, make_room, approve
):
    stay = make_stay(start=today() + timedelta(days=3), guests=2, travellers="Awa Traoré")
    stay.decided_at = None
    approve(stay, make_room())
    stay.decided_at = datetime.now(UTC) - timedelta(days=20)
    db.session.commit()
    result = runner.invoke(args=["mail", "reminders", "--days", "5"])
    assert result.exit_code == 0, result.output
    deliver_mail()
    mail = smtp_server.one("claire@example.org", "Votre arrivée à Bamako")
    body = mail.get_body(("plain",)).get_content()
    body = body.replace("\r\n", "\n")
    assert "\n- Awa Traoré — téléphone joignable au Mali, contact en cas d'urgence," in body
    assert "\n- Voyageur 2 — nom complet\n" in body
    assert re.search(
        rf"Complétez-les ici\u00a0: https?://\S+/requests/{stay.access_token}/travellers\n", body
    )
    html = mail.get_body(("html",)).get_content()
    assert "<li" in html and "Voyageur 2 — nom complet</li>" in html


def test_export_erasure_and_purge_take_the_travellers_with_the_stay(
    client, auth, runner, app, approved_stay, make_stay
):
    record = approved_stay.traveller_records[0]
    record.phone, record.emergency_name, record.arrival_flight = "+223 70 00 00 01", "Fatou Traoré", "AF 596"
    db.session.commit()
    auth.login()
    page = client.get("/staff/privacy")
    token = csrf_from(text(page))
    exported = client.post("/staff/privacy/export", data={"email": "claire@example.org", "csrf_token": token})
    data = json.loads(exported.get_data(as_text=True))
    [awa, moussa] = data["stay_requests"][0]["travellers"]
    assert awa["phone"] == "+223 70 00 00 01" and awa["emergency_contact_name"] == "Fatou Traoré"
    assert awa["arrival_flight"] == "AF 596" and moussa["full_name"] == "Moussa Keita"

    erased = client.post(
        "/staff/privacy/erase", data={"email": "claire@example.org", "confirm": "y", "csrf_token": token}
    )
    assert erased.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Traveller)) == 0

    old = make_stay(start=today() - timedelta(days=800), nights=2, travellers="Ancien Voyageur")
    old.status = old.status.APPROVED
    db.session.commit()
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert db.session.scalars(sa.select(Traveller.full_name)).all() == []


def test_a_caretaker_edits_an_approved_stays_travellers_not_a_pending_ones(
    client, auth, make_staff, make_stay, approved_stay
):
    pending = make_stay(travellers="Quelqu'un")
    auth.login(make_staff(role=Role.CARETAKER, email="intendance@angers.example"))
    assert client.get(f"/staff/requests/{approved_stay.id}/travellers").status_code == 200
    assert client.get(f"/staff/requests/{pending.id}/travellers").status_code == 403
    assert client.get(f"/staff/requests/{pending.id}").status_code == 403


def test_the_migration_moves_each_line_into_a_record_and_back(app):
    db.session.remove()
    downgrade(revision="travellers-1")
    try:
        db.session.execute(
            sa.text(
                "INSERT INTO stay_requests (reference, access_token, ical_uid, status, contact_name, contact_email,"
                " contact_phone, organisation, organisation_type, cooperation_axis, arrival, departure, guests,"
                " travellers, purpose, notes, locale, rules_accepted_at, sequence, created_at, updated_at)"
                " VALUES ('MPAB-2026-0001', 't1', 'u1', 'approved', 'Claire', 'c@example.org', '', 'Asso',"
                " 'association', 'culture', '2026-03-01', '2026-03-04', 3, :text, '', '', 'fr',"
                " '2026-01-01 00:00:00+00:00', 1, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')"
            ),
            {"text": "Awa Traoré\r\n\n  Moussa  Keita  \n" + "N" * 300},
        )
        db.session.commit()
        db.session.remove()
        upgrade(revision="travellers")
        rows = db.session.execute(
            sa.text("SELECT position, full_name FROM travellers ORDER BY position")
        ).all()
        assert [tuple(r) for r in rows] == [(0, "Awa Traoré"), (1, "Moussa Keita"), (2, "N" * 300)]
        db.session.remove()
        downgrade(revision="travellers-1")
        joined = db.session.scalar(sa.text("SELECT travellers FROM stay_requests"))
        assert joined == "Awa Traoré\nMoussa Keita\n" + "N" * 300
        db.session.execute(sa.text("DELETE FROM booking_events"))
        db.session.execute(sa.text("DELETE FROM stay_requests"))
        db.session.commit()
    finally:
        db.session.remove()
        upgrade()
