"""House rules set by admins in the dashboard, and applied to the request form."""

from datetime import timedelta
from html import unescape

from guesthouse.database import today
from guesthouse.staff.models import Role

from .conftest import valid_request_form

SETTINGS = {
    "max_nights": "5",
    "min_notice_days": "7",
    "max_advance_days": "60",
    "check_in_time": "15:30",
    "check_out_time": "10:00",
    "rules_fr": "Pas de visiteurs après 22 h.",
    "rules_en": "No visitors after 10 pm.",
    "practical_fr": "Le gardien s'appelle Mamadou.",
    "practical_en": "The caretaker is Mamadou.",
}


def test_only_admins_edit_the_rules(client, auth, make_staff):
    auth.login(make_staff(role=Role.APPROVER))
    assert client.get("/staff/house/").status_code == 403


def test_rules_apply_to_the_request_form(client, auth, make_room, form_post):
    make_room(beds=4)
    auth.login_admin()
    response = form_post("/staff/house/", SETTINGS, follow_redirects=True)
    assert "Règles de la maison enregistrées" in unescape(response.get_data(as_text=True))
    form_page = unescape(client.get("/requests/new").get_data(as_text=True))
    assert "Pas de visiteurs après 22 h." in form_page and "15:30" in form_page and "10:00" in form_page
    assert "au plus 5 nuits" in form_page

    soon = today() + timedelta(days=3)
    far = today() + timedelta(days=90)
    cases = [
        (
            {"arrival": soon.isoformat(), "departure": (soon + timedelta(days=2)).isoformat()},
            "au moins 7 jours avant l'arrivée",
        ),
        (
            {"arrival": far.isoformat(), "departure": (far + timedelta(days=2)).isoformat()},
            "s'ouvrent 60 jours à l'avance",
        ),
        ({"departure": (today() + timedelta(days=26)).isoformat()}, "Un séjour compte au plus 5 nuits"),
    ]
    for overrides, message in cases:
        response = form_post("/requests/new", valid_request_form(**overrides))
        assert response.status_code == 400, message
        assert message in unescape(response.get_data(as_text=True))
    ok = form_post("/requests/new", valid_request_form(departure=(today() + timedelta(days=24)).isoformat()))
    assert ok.status_code == 303


def test_the_blank_form_kept_for_visitors_shows_new_rules_and_beds_at_once(
    client, auth, make_room, form_post
):
    make_room(beds=4)
    before = " ".join(unescape(client.get("/requests/new").get_data(as_text=True)).split())
    assert "La maison compte 4 lits" in before and "au plus 5 nuits" not in before
    auth.login_admin()
    assert form_post("/staff/house/", SETTINGS).status_code == 303
    ruled = " ".join(unescape(client.get("/requests/new").get_data(as_text=True)).split())
    assert "au plus 5 nuits" in ruled and "Pas de visiteurs après 22 h." in ruled
    make_room(beds=2)
    assert "La maison compte 6 lits" in unescape(client.get("/requests/new").get_data(as_text=True))


def test_bad_settings_are_refused_and_nothing_changes(client, auth, form_post):
    auth.login_admin()
    response = form_post("/staff/house/", {**SETTINGS, "check_in_time": "25:00", "max_nights": "0"})
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Heure invalide" in html and "Entre 1 et 365 nuits" in html and "Rien n'a été enregistré" in html
    assert "Pas de visiteurs" not in unescape(client.get("/requests/new").get_data(as_text=True))
