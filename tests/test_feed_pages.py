"""The pages around the feeds: the staff profile, the subscription help, the requester's links."""

from datetime import date, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

from guesthouse.database import today
from guesthouse.extensions import db

from .calendars import parse


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def test_staff_pages_need_a_login(client):
    for url in ("/staff/profile", "/calendar/help"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/staff/login" in response.headers["Location"]


def test_profile_shows_a_new_feed_address_once(client, auth, form_post, make_stay):
    user = auth.login()
    html = page(client, "/staff/")
    assert 'href="/staff/profile"' in html and 'href="/calendar/help"' in html  # navigation
    html = page(client, "/staff/profile")
    assert "Vous n'avez pas encore d'adresse d'agenda privée." in html
    assert "Générer mon adresse d'agenda" in html

    # Post, redirect, get: reloading the page that shows the address cannot post again.
    response = form_post("/staff/profile/calendar-token", {}, page="/staff/profile")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/profile#agenda"
    db.session.refresh(user)
    stored = user.calendar_token_hash
    response = client.get("/staff/profile")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = unescape(response.get_data(as_text=True))
    assert "elle ne sera plus jamais affichée" in html
    url = html.split('value="http://mpab.test/calendar/staff/')[1].split('"')[0]
    token = url.removesuffix(".ics")
    assert f'href="webcal://mpab.test/calendar/staff/{token}.ics"' in html
    # A field to select by hand, and the copy button's script, served from the site as the CSP wants.
    assert 'id="feed-url" class="copyable"' in html and "readonly" in html
    assert 'data-copy-label="Copier l\'adresse"' in html
    assert '<script src="/static/copy.js" defer></script>' in html
    assert "<script>" not in html
    make_stay()
    assert len(parse(client.get(f"/calendar/staff/{token}.ics").data)) == 1

    html = page(client, "/staff/profile")  # reloaded: the address is gone, and still the same
    assert token not in html
    assert "copy.js" not in html
    assert "Une adresse privée est active" in html
    assert "Générer une nouvelle adresse" in html and "Désactiver l'adresse" in html
    db.session.refresh(user)
    assert user.calendar_token_hash == stored
    assert client.get(f"/calendar/staff/{token}.ics").status_code == 200


def test_help_explains_each_client_and_lists_the_public_addresses(client, auth, make_room):
    auth.login()
    room = make_room(name="Djoliba")
    make_room(name="Fermée", active=False)
    html = page(client, "/calendar/help")
    assert 'value="http://mpab.test/calendar/occupancy.ics"' in html
    assert f'value="http://mpab.test/calendar/rooms/{room.id}.ics"' in html
    assert f'href="webcal://mpab.test/calendar/rooms/{room.id}.ics"' in html
    assert "Fermée" not in html
    for client_name in ("Google Agenda", "Outlook", "Calendrier d'Apple", "Thunderbird"):
        assert f"<h2>{client_name}</h2>" in html
    assert "toutes les 12 à 24 heures" in html
    assert "créez-la sur" in html


def test_requester_page_offers_the_calendar_links_once_approved(client, make_room, make_stay, approve):
    stay = make_stay(start=date(2031, 3, 14), nights=5)
    html = page(client, f"/requests/{stay.access_token}")
    assert "Ajouter à mon agenda" not in html

    approve(stay, make_room(name="Djoliba"))
    html = page(client, f"/requests/{stay.access_token}")
    assert "Ajouter à mon agenda" in html
    download = f"/calendar/requests/{stay.access_token}.ics"
    assert f'href="{download}" download' in html
    assert f'href="webcal://mpab.test{download}"' in html
    google = html.split('href="https://calendar.google.com/calendar/render?')[1].split('"')[0]
    query = parse_qs(google)
    assert query["action"] == ["TEMPLATE"]
    assert query["dates"] == ["20310314/20310319"]  # all day, the end exclusive like DTEND
    assert query["text"] == ["Séjour — Maison du Partenariat Angers-Bamako"]
    assert stay.access_token not in google  # Google never learns the private link
    assert 'rel="noopener noreferrer"' in html.split("calendar.google.com")[1].split(">")[0]
    assert len(parse(client.get(download).data)) == 1
    assert urlsplit(f"webcal://mpab.test{download}").scheme == "webcal"


def test_requester_links_disappear_when_the_stay_is_cancelled(client, make_room, make_stay, approve):
    stay = approve(make_stay(start=today() + timedelta(days=9)), make_room())
    stay.cancel(by=None, reason="Mission reportée", actor_kind="requester")
    db.session.commit()
    html = page(client, f"/requests/{stay.access_token}")
    assert "Ajouter à mon agenda" not in html
