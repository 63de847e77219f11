"""Kept pages (guesthouse/pagecache.py) are never stale: each change shows on the next view, in every language."""

from datetime import timedelta
from html import unescape

from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.house.models import house_settings

from .conftest import RequestClient, csrf_from, valid_request_form
from .test_changes import approved_stay, ask_change


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def test_home_page_shows_a_closure_and_a_booking_at_once(
    client, make_room, make_staff, make_stay, make_closure
):
    room = make_room(name="Djoliba", beds=2)
    assert "Maison fermée" not in page(client, "/")

    make_closure(room_id=None, start_date=today() + timedelta(days=3), end_date=today() + timedelta(days=5))
    assert page(client, "/").count("Maison fermée") == 2

    stay = make_stay(start=today() + timedelta(days=1), nights=1)
    stay.approve(by=make_staff(), rooms=[room])
    db.session.commit()
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


def test_a_message_is_shown_once_and_never_kept_for_the_next_visitor(client, app, make_room):
    make_room()
    warned = page(client, "/availability?month=2020-01")
    assert "Ce mois n'est pas consultable" in warned
    assert "Ce mois n'est pas consultable" not in page(client, "/availability")
    app.test_client_class = RequestClient
    other = app.test_client()
    assert "Ce mois n'est pas consultable" not in page(other, "/availability")
    assert "Ce mois n'est pas consultable" in page(other, "/availability?month=2020-01")


def test_availability_calendar_follows_the_house_settings(client, auth, make_room):
    make_room()
    far = (today() + timedelta(days=200)).strftime("%Y-%m")
    assert "Ce mois n'est pas consultable" not in page(client, f"/availability?month={far}")
    settings = house_settings()
    settings.max_advance_days = 60
    db.session.commit()
    assert "Ce mois n'est pas consultable" in page(client, f"/availability?month={far}")


def test_dashboard_shows_new_requests_and_change_requests_at_once(
    app, client, auth, make_room, make_staff, make_stay
):
    room = make_room(name="Djoliba")
    auth.login()
    assert "Aucune demande en attente." in page(client, "/staff/")

    app.test_client_class = RequestClient
    visitor = app.test_client()

    def visitor_post(url, data, page=None):
        token = csrf_from(visitor.get(page or url).get_data(as_text=True))
        return visitor.post(url, data={**data, "csrf_token": token})

    assert (
        visitor_post("/requests/new", valid_request_form(organisation="Orchestre Baobab")).status_code == 303
    )
    dashboard = page(client, "/staff/")
    assert "Orchestre Baobab" in dashboard and "Aucune demande en attente." not in dashboard

    stay = approved_stay(make_stay, make_staff, [room], start=today() + timedelta(days=30), nights=2)
    assert "Modifications demandées" not in page(client, "/staff/")
    later = {
        "arrival": stay.arrival.isoformat(),
        "departure": (stay.departure + timedelta(days=2)).isoformat(),
        "guests": "1",
        "travellers": "",
        "message": "Mission prolongée",
    }
    assert ask_change(visitor, visitor_post, stay, **later).status_code == 303
    dashboard = page(client, "/staff/")
    assert "Modifications demandées" in dashboard and "Mission prolongée" in dashboard
