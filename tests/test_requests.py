"""The public side: the home page, the request form and the requester's private page."""

from datetime import timedelta
from html import unescape

import sqlalchemy as sa

from guesthouse.bookings.models import StayRequest
from guesthouse.database import today
from guesthouse.extensions import db

from .conftest import valid_request_form


def count_requests() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(StayRequest))


def test_home_shows_availability_without_personal_data(client, make_room, make_stay, auth):
    room = make_room(name="Djoliba", beds=2)
    make_room(name="Niger", beds=3)
    stay = make_stay(
        contact_name="Secret Person", organisation="Hidden Org", start=today() + timedelta(days=1)
    )
    auth.login()
    client.post(f"/staff/requests/{stay.id}/approve")  # no CSRF: refused, nothing changes
    html = client.get("/").get_data(as_text=True)
    assert "Maison du Partenariat Angers-Bamako" in html
    assert "Disponibilités" in html
    assert "Secret Person" not in html and "Hidden Org" not in html
    assert "5</td>" in html  # all beds free on the first nights
    assert room.name not in html  # rooms are counted, not listed


def test_submit_request_redirects_to_private_page(client, make_room, form_post):
    make_room(beds=4)
    response = form_post("/requests/new", valid_request_form())
    assert response.status_code == 303
    token_url = response.headers["Location"]
    stay = db.session.scalar(sa.select(StayRequest))
    assert token_url.endswith(f"/requests/{stay.access_token}")
    assert str(stay.id) not in token_url.rsplit("/", 1)[1][:3] or len(stay.access_token) >= 43
    assert len(stay.access_token) >= 43  # 32 random bytes, url-safe
    page = client.get(token_url).get_data(as_text=True)
    assert stay.reference in page
    assert stay.reference.startswith(f"MPAB-{stay.created_at.year}-")
    assert "En attente" in page
    assert "Compagnie Les Arts du Fleuve" in page
    assert "Moussa Keita" in page
    assert "Demande envoyée" in page


def test_form_prefills_from_query_parameters(client, make_room):
    make_room(beds=4)
    html = client.get("/requests/new?organisation=CHU%20d%27Angers&guests=3&cooperation_axis=sport").get_data(
        as_text=True
    )
    assert 'value="CHU d&#39;Angers"' in html
    assert 'value="3"' in html
    assert '<option selected value="sport">' in html
    assert "Ce champ est obligatoire" not in html  # a prefilled form is not validated


def test_each_rule_has_a_french_message_next_to_its_field(client, make_room, form_post):
    make_room(beds=2)
    cases = {
        "arrival": (
            {"arrival": today().isoformat(), "departure": (today() + timedelta(days=2)).isoformat()},
            "L'arrivée doit être dans le futur",
        ),
        "departure": (
            {"departure": (today() + timedelta(days=20)).isoformat()},
            "Le départ doit être après l'arrivée",
        ),
        "departure_max": (
            {"departure": (today() + timedelta(days=51)).isoformat()},
            "Un séjour compte au plus 30 nuits",
        ),
        "guests": ({"guests": "3"}, "La maison accueille au plus 2 personnes"),
        "guests_zero": ({"guests": "0", "travellers": ""}, "Indiquez au moins un voyageur"),
        "guests_text": ({"guests": "deux"}, "Saisissez un nombre entier"),
        "guests_huge": ({"guests": "9" * 40}, "Saisissez un nombre entier"),
        "email": ({"contact_email": "pas-une-adresse"}, "Adresse e-mail invalide"),
        "rules": ({"accept_rules": ""}, "Cochez cette case pour accepter le règlement"),
        "bad_date": (
            {"arrival": "2027-02-30"},
            "Date invalide : saisissez une date réelle au format AAAA-MM-JJ",
        ),
        "type": ({"organisation_type": "pirates"}, "Choisissez un type d'organisation dans la liste"),
        "names": ({"guests": "1"}, "plus de noms que de voyageurs"),
        "missing": ({"contact_name": ""}, "Ce champ est obligatoire"),
    }
    for name, (overrides, message) in cases.items():
        response = form_post("/requests/new", valid_request_form(**overrides))
        html = unescape(response.get_data(as_text=True))
        assert response.status_code == 400, name
        assert message in html, name
        assert "à corriger\u00a0:" in html, name
        assert 'class="error"' in html, name
    assert count_requests() == 0


def test_values_are_kept_after_an_error(client, make_room, form_post):
    make_room(beds=2)
    html = form_post("/requests/new", valid_request_form(accept_rules="")).get_data(as_text=True)
    assert "Résidence de création avec le conservatoire de Bamako" in html
    assert 'value="awa@example.org"' in html


def test_post_without_csrf_token_is_refused(client, make_room):
    make_room(beds=2)
    response = client.post("/requests/new", data=valid_request_form())
    assert response.status_code == 400
    assert "Rechargez la page" in response.get_data(as_text=True)
    assert count_requests() == 0


def test_unknown_or_wrong_token_is_404(client, make_stay):
    stay = make_stay()
    assert client.get("/requests/not-a-real-token").status_code == 404
    assert client.get(f"/requests/{stay.access_token[:-1]}x").status_code == 404
    assert client.get(f"/requests/{stay.id}").status_code == 404
    assert client.get(f"/requests/{stay.access_token}").status_code == 200


def test_healthz_answers_with_json(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_unknown_page_is_a_french_404(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def test_home_page_shows_a_closure_and_a_booking_at_once(client, make_room, make_stay, make_closure, approve):
    room = make_room(name="Djoliba", beds=2)
    assert "Maison fermée" not in page(client, "/")

    make_closure(room_id=None, start_date=today() + timedelta(days=3), end_date=today() + timedelta(days=5))
    assert page(client, "/").count("Maison fermée") == 2

    stay = make_stay(start=today() + timedelta(days=1), nights=1)
    approve(stay, room)
    home = page(client, "/")
    tomorrow = home[home.index("<tbody>") :].split("</tr>")[1]
    assert "<td>0</td><td>0</td>" in tomorrow  # its one room is taken that night


def test_visitors_get_their_language_and_staff_their_menu(client, auth, make_room):
    make_room()
    assert "Demander un séjour" in page(client, "/")
    client.set_cookie("lang", "en")
    english = page(client, "/")
    assert "Request a stay" in english and "Demander un séjour" not in english
    client.delete_cookie("lang")
    auth.login()
    staff = page(client, "/")
    assert "Se déconnecter" in staff and "Espace du service" not in staff
