"""The requester's own changes from the private page: correcting a pending request, taking back a change
request, asking for a new stay from an earlier one; and what staff see of them."""

import re
from datetime import timedelta
from html import unescape

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from guesthouse.bookings.changes import ChangeRequest, ChangeStatus
from guesthouse.bookings.choices import StayStatus
from guesthouse.bookings.models import StayRequest
from guesthouse.database import today, utcnow
from guesthouse.extensions import db

from .conftest import csrf_from, valid_request_form

NBSP = "\u00a0"


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def correction(stay, **overrides) -> dict:
    data = {
        "arrival": stay.arrival.isoformat(),
        "departure": stay.departure.isoformat(),
        "guests": str(stay.guests),
        "travellers": stay.travellers,
        "purpose": stay.purpose,
    }
    data.update(overrides)
    return data


def test_a_pending_request_is_corrected_and_staff_see_what_changed(
    client, auth, make_room, make_stay, form_post
):
    make_room(beds=4)
    stay = make_stay(guests=1, travellers="Claire Moreau")
    url = f"/requests/{stay.access_token}"
    assert 'href="' + url + '/edit"' in text_of(client.get(url))
    form = text_of(client.get(f"{url}/edit"))
    assert "Mission santé" in form and stay.arrival.isoformat() in form
    new_arrival = stay.arrival + timedelta(days=2)
    data = correction(
        stay,
        arrival=new_arrival.isoformat(),
        departure=(new_arrival + timedelta(days=4)).isoformat(),
        guests="2",
        travellers="Claire Moreau\nPaul Diarra",
        purpose="Mission santé et formation",
    )
    response = form_post(f"{url}/edit", data, follow_redirects=True)
    html = text_of(response)
    assert "Votre demande est corrigée" in html and "Demande corrigée par le demandeur" in html
    assert "Paul Diarra" in html and "Mission santé et formation" in html
    db.session.expire_all()
    assert (stay.arrival, stay.guests, stay.status) == (new_arrival, 2, StayStatus.PENDING)
    event = stay.events[-1]
    assert event.action == "corrected" and event.actor_kind == "requester"
    assert set(event.details["after"]) == {"arrival", "departure", "guests", "travellers", "purpose"}

    auth.login()
    detail = text_of(client.get(f"/staff/requests/{stay.id}"))
    history = detail[detail.index("Historique") :]
    assert "Demande corrigée par le demandeur" in history and "le demandeur" in history
    assert "<del>Mission santé</del>" in history and "<ins>Mission santé et formation</ins>" in history
    dashboard = text_of(client.get("/staff/"))
    card = dashboard[dashboard.index(stay.reference) :]
    assert "Corrigée par le demandeur le" in card[: card.index("</li>")]


def test_a_correction_follows_the_house_rules_and_must_change_something(
    client, make_room, make_stay, form_post
):
    make_room(beds=2)
    stay = make_stay()
    url = f"/requests/{stay.access_token}/edit"
    response = form_post(url, correction(stay))
    assert response.status_code == 400 and "Rien n'a changé" in text_of(response)
    response = form_post(url, correction(stay, arrival=today().isoformat(), purpose=""))
    html = text_of(response)
    assert response.status_code == 400
    assert html.index("<title>Erreur") >= 0
    assert "L'arrivée doit être dans le futur" in html and "Ce champ est obligatoire." in html
    db.session.expire_all()
    assert stay.purpose == "Mission santé" and stay.events[-1].action == "submitted"


def test_only_a_pending_request_is_corrected(client, make_room, make_stay, approve, form_post):
    room = make_room()
    stay = approve(make_stay(), room)
    url = f"/requests/{stay.access_token}"
    assert "/edit" not in text_of(client.get(url))
    assert client.get(f"{url}/edit").status_code == 404
    response = form_post(f"{url}/edit", correction(stay, purpose="Autre"), page=url)
    assert response.status_code == 409 and "n'est plus possible" in text_of(response)
    db.session.expire_all()
    assert stay.purpose == "Mission santé"


def test_a_correction_in_english(client, make_room, make_stay, form_post):
    make_room(beds=2)
    stay = make_stay(locale="en")
    client.get("/lang/en")
    url = f"/requests/{stay.access_token}"
    response = form_post(f"{url}/edit", correction(stay, purpose="Health mission"), follow_redirects=True)
    html = text_of(response)
    assert "Your request is corrected" in html and "Request corrected by the requester" in html


def pending_change_of(stay) -> ChangeRequest:
    change = ChangeRequest.open(
        stay,
        arrival=stay.arrival,
        departure=stay.departure + timedelta(days=1),
        guests=stay.guests,
        travellers=stay.travellers,
        message="Un jour de plus",
        pending=None,
    )
    db.session.add(change)
    db.session.commit()
    return change


def test_a_pending_change_request_is_withdrawn(client, auth, make_room, make_stay, approve, form_post):
    room = make_room()
    stay = approve(make_stay(), room)
    change = pending_change_of(stay)
    url = f"/requests/{stay.access_token}"
    assert "Retirer cette demande de modification" in text_of(client.get(url))
    response = form_post(f"{url}/change/withdraw", {}, page=url, follow_redirects=True)
    html = text_of(response)
    assert "Votre demande de modification est retirée" in html
    assert "Demande de modification retirée" in html and "Retirer cette demande de modification" not in html
    db.session.expire_all()
    assert change.status == ChangeStatus.WITHDRAWN and stay.status == StayStatus.APPROVED
    assert stay.departure == change.departure - timedelta(days=1)
    again = form_post(f"{url}/change/withdraw", {}, page=url)  # a second tab
    assert again.status_code == 409 and "Aucune modification n'attend de réponse" in text_of(again)
    auth.login()
    assert "Modifications demandées" not in text_of(client.get("/staff/"))
    assert "Demande de modification retirée" in text_of(client.get(f"/staff/requests/{stay.id}"))


def test_a_new_request_from_an_earlier_one_copies_who_and_not_when(client, make_room, make_stay, form_post):
    make_room(beds=4)
    stay = make_stay(
        organisation="Compagnie Les Arts du Fleuve",
        organisation_type="arts",
        cooperation_axis="culture",
        angers_based=False,
        guests=2,
        travellers="Awa Traoré\nMoussa Keita",
        contact_name="Awa Traoré",
        contact_email="awa@example.org",
    )
    url = f"/requests/{stay.access_token}"
    assert f'href="{url}/again"' in text_of(client.get(url))
    response = client.get(f"{url}/again")
    html = text_of(response)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert 'value="Compagnie Les Arts du Fleuve"' in html and 'value="awa@example.org"' in html
    assert '<option selected value="arts">' in html and '<option selected value="culture">' in html
    assert re.search(r'<input checked id="angers_based-1"[^>]*value="no"', html)
    assert "Awa Traoré\nMoussa Keita</textarea>" in html
    assert stay.arrival.isoformat() not in html and "Mission santé" not in html
    # The form is sent to the ordinary address: nothing personal goes into a URL.
    assert '<form method="post" action="/requests/new" ' in html
    assert all("awa" not in href.lower() for href in re.findall(r'(?:href|action)="([^"]*)"', html))
    start = today() + timedelta(days=40)
    data = valid_request_form(
        arrival=start.isoformat(), departure=(start + timedelta(days=3)).isoformat(), angers_based="no"
    )
    response = client.post("/requests/new", data={**data, "csrf_token": csrf_from(html)})
    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StayRequest)) == 2


def test_the_form_asks_whether_the_organisation_is_based_in_angers(client, auth, make_room, form_post):
    make_room(beds=4)
    form = text_of(client.get("/requests/new"))
    assert "Votre structure est-elle basée à Angers ou dans Angers Loire Métropole\u202f?" in form
    missing = {k: v for k, v in valid_request_form().items() if k != "angers_based"}
    for data in (missing, valid_request_form(angers_based="peut-être")):
        response = form_post("/requests/new", data)
        assert response.status_code == 400
        assert "Répondez oui ou non" in text_of(response)
    paris = valid_request_form(organisation="Association Paris-Mali", organisation_type="association")
    assert form_post("/requests/new", {**paris, "angers_based": "no"}).status_code == 303
    stay = db.session.scalar(sa.select(StayRequest))
    assert stay.angers_based is False and stay.organisation_type == "association"
    auth.login()
    # An association from Paris is not an Angers actor, on the dashboard nor in the statistics.
    assert "Acteur angevin" not in text_of(client.get("/staff/"))
    detail = text_of(client.get(f"/staff/requests/{stay.id}"))
    assert "Acteur angevin" not in detail.split("<main")[1]
    assert "Basée à Angers ou dans Angers Loire Métropole</dt><dd>Non" in detail


def test_statistics_count_angers_actors_by_the_answer(client, auth, make_room, make_stay, approve):
    room = make_room(beds=4)
    start = today() + timedelta(days=10)
    approve(make_stay(start=start, organisation_type="association", angers_based=False, guests=2), room)
    approve(
        make_stay(start=start + timedelta(days=5), organisation_type="other_french_actor", angers_based=True),
        room,
    )
    auth.login()
    period = f"period=custom&start={start.isoformat()}&end={(start + timedelta(days=20)).isoformat()}"
    rows = text_of(client.get(f"/staff/stats/origins.csv?{period}")).splitlines()
    angers = next(row for row in rows if row.startswith("Acteurs angevins")).split(";")
    others = next(row for row in rows if row.startswith("Autres acteurs")).split(";")
    assert (angers[1], angers[2]) == ("1", "1") and (others[1], others[2]) == ("1", "2")
    stays = text_of(client.get(f"/staff/stats/stays.csv?{period}"))
    assert "Acteur angevin" in stays.splitlines()[0]


def test_the_migration_answers_for_older_requests_by_their_type(app):
    db.session.remove()
    downgrade(revision="0011_health_check")
    columns = "reference, access_token, ical_uid, status, contact_name, contact_email, contact_phone, organisation, cooperation_axis, arrival, departure, guests, travellers, purpose, notes, locale, rules_accepted_at, sequence, created_at, updated_at"
    for n, kind in enumerate(("association", "other_french_actor", "health")):
        db.session.execute(
            sa.text(
                f"INSERT INTO stay_requests ({columns}, organisation_type) VALUES (:ref, :token, :uid, 'pending', "
                "'X', 'x@example.org', '', 'Org', 'culture', :arrival, :departure, 1, '', '', '', 'fr', :now, 0, "
                ":now, :now, :kind)"
            ),
            {
                "ref": f"MPAB-OLD-{n}",
                "token": f"token-{n}",
                "uid": f"uid-{n}",
                "arrival": today() + timedelta(days=5),
                "departure": today() + timedelta(days=7),
                "now": utcnow(),
                "kind": kind,
            },
        )
    db.session.commit()
    db.session.remove()
    upgrade()
    answers = dict(
        db.session.execute(sa.select(StayRequest.organisation_type, StayRequest.angers_based)).all()
    )
    assert answers == {"association": True, "other_french_actor": False, "health": True}


def test_staff_see_the_requesters_language_on_the_request_and_its_forms(
    client, auth, make_room, make_stay, approve
):
    room = make_room()
    english = make_stay(locale="en")
    french = make_stay(start=today() + timedelta(days=30))
    auth.login()
    html = text_of(client.get(f"/staff/requests/{english.id}"))
    assert f"Langue du demandeur</dt><dd>Anglais — lit l'anglais{NBSP}: écrivez en anglais" in html
    # Above the approval message and the refusal reason (staff cancel approved stays only).
    assert html.count(f"Le demandeur lit l'anglais{NBSP}: écrivez en anglais.") == 2
    assert "lit l'anglais" in text_of(client.get("/staff/"))
    html = text_of(client.get(f"/staff/requests/{french.id}"))
    assert html.count(f"Le demandeur lit le français{NBSP}: écrivez en français.") == 2
    approve(english, room)
    pending_change_of(english)
    html = text_of(client.get(f"/staff/requests/{english.id}"))
    # Accepting or refusing the change, and cancelling the stay.
    assert html.count(f"Le demandeur lit l'anglais{NBSP}: écrivez en anglais.") == 3
    assert f"Le demandeur lit l'anglais{NBSP}: écrivez en anglais." in text_of(
        client.get(f"/staff/requests/{english.id}/edit")
    )


def test_erasing_a_request_erases_what_its_corrections_held(client, make_room, make_stay, form_post):
    make_room(beds=2)
    stay = make_stay(travellers="Claire Moreau")
    data = correction(stay, travellers="Claire Moreau\nPaul Diarra", guests="2", purpose="Mission secrète")
    assert form_post(f"/requests/{stay.access_token}/edit", data).status_code == 303
    stay.anonymise(by=None, action="anonymised")
    db.session.commit()
    corrected = next(event for event in stay.events if event.action == "corrected")
    assert corrected.details == {}
