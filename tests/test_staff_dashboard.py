"""The dashboard and a request's page as a staff member reads them: waiting times, change requests beside
the stay, the current page in the navigation, one way out for each state, timestamps that say their zone."""

import re
from datetime import UTC, datetime, timedelta
from html import unescape

from guesthouse.bookings.changes import ChangeRequest
from guesthouse.database import today, utcnow
from guesthouse.extensions import db


def text(response) -> str:
    html = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(unescape(html).replace("\xa0", " ").replace("\u202f", " ").split())


def test_each_pending_request_says_when_it_arrived_and_how_long_it_has_waited(client, auth, make_stay):
    auth.login()
    waiting = make_stay(organisation="Lycée David d'Angers")
    waiting.created_at = utcnow() - timedelta(days=3, hours=1)
    fresh = make_stay(organisation="CHU d'Angers", start=today() + timedelta(days=12))
    yesterday = make_stay(organisation="Université d'Angers", start=today() + timedelta(days=14))
    yesterday.created_at = utcnow() - timedelta(days=1, hours=1)
    db.session.commit()
    page = text(client.get("/staff/"))
    assert f"{waiting.reference} — Lycée David d'Angers Reçue le" in page
    assert "(heure de Paris) · en attente depuis 3 jours" in page
    assert "(heure de Paris) · en attente depuis 1 jour " in page
    assert "(heure de Paris) · en attente depuis moins d'un jour" in page
    assert fresh.reference in page and yesterday.reference in page


def test_a_change_request_shows_the_stay_as_it_is_beside_what_is_asked(client, auth, make_stay, make_room):
    staff = auth.login()
    stay = make_stay(guests=2)
    stay.approve(by=staff, rooms=[make_room(name="Djoliba"), make_room(name="Niger")])
    later = stay.departure + timedelta(days=2)
    ChangeRequest.open(
        stay,
        arrival=stay.arrival,
        departure=later,
        guests=3,
        travellers="",
        message="Deux jours de plus",
        pending=None,
    )
    db.session.commit()
    response = client.get("/staff/")
    html = response.get_data(as_text=True)
    section = text(response).split("Modifications demandées")[1]
    assert "Actuellement Demandé" in section
    assert "Chambres Djoliba, Niger à confirmer à l'acceptation" in section
    assert "Voyageurs 2 3" in section
    assert "Deux jours de plus" in section
    assert html.count("<ins>") >= 2  # the new dates and the new number of travellers


def test_the_navigation_marks_the_current_page(client, auth):
    public = client.get("/availability").get_data(as_text=True)
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', public) == ["/availability"]
    auth.login()
    pages = (("/staff/", "Tableau de bord"), ("/staff/planning", "Planning"), ("/staff/requests", "Demandes"))
    for path, label in pages:
        html = client.get(path).get_data(as_text=True)
        assert re.findall(r'<a href="([^"]+)" aria-current="page">([^<]+)</a>', html) == [(path, label)]


def test_staff_pages_use_a_laptops_width(client, auth):
    assert '<body class="staff">' not in client.get("/").get_data(as_text=True)
    auth.login()
    assert '<body class="staff">' in client.get("/staff/requests").get_data(as_text=True)


def test_a_pending_request_is_refused_and_only_an_approved_stay_is_cancelled(
    client, auth, make_stay, make_room
):
    staff = auth.login()
    pending = make_stay()
    page = text(client.get(f"/staff/requests/{pending.id}"))
    assert "Refuser la demande" in page and "Annuler" not in page.replace("Annulé", "")
    approved = make_stay(start=today() + timedelta(days=30))
    approved.approve(by=staff, rooms=[make_room()])
    db.session.commit()
    page = text(client.get(f"/staff/requests/{approved.id}"))
    assert "Annuler le séjour" in page and "Refuser la demande" not in page
    assert "ses chambres libérées aussitôt ; le motif est envoyé au demandeur" in page


def test_timestamps_shown_to_staff_are_paris_time_and_say_so(client, auth, make_stay):
    auth.login()
    stay = make_stay()
    stay.created_at = datetime(2027, 7, 1, 10, 5, tzinfo=UTC)  # summer: Paris is UTC+2
    stay.events[0].created_at = datetime(2027, 1, 15, 9, 30, tzinfo=UTC)  # winter: UTC+1
    db.session.commit()
    page = text(client.get(f"/staff/requests/{stay.id}"))
    assert "Reçue le 01/07/2027 12:05 (heure de Paris)" in page
    assert "15/01/2027 10:30 (heure de Paris) — Demande envoyée" in page
    client.set_cookie("lang", "en")
    english = text(client.get(f"/staff/requests/{stay.id}"))
    assert "01/07/2027, 12:05 (Paris time)" in english


def test_cancelling_a_pending_request_is_refused_with_a_message(client, auth, form_post, make_stay):
    auth.login()
    pending = make_stay()
    url = f"/staff/requests/{pending.id}"
    response = form_post(f"{url}/cancel", {"reason": "Doublon"}, page=url)
    assert response.status_code == 409
    assert "Une demande en attente se refuse : l'annulation concerne les séjours confirmés." in text(response)
    db.session.expire_all()
    assert pending.status.value == "pending"
