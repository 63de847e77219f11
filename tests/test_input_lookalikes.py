"""Input that looks like something else: invisible names, text that reverses its own direction, digits of
other scripts. Refused in every form, with a message saying what to do; ordinary scripts pass."""

from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from guesthouse.bookings.models import StayRequest
from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.rooms.models import Closure, Room
from guesthouse.staff.models import Role, StaffUser

from .conftest import valid_request_form

INVISIBLE = "Ce texte ne contient que des caractères invisibles"
INVISIBLE_LINE = "Une ligne de ce texte ne contient que des caractères invisibles"
DIRECTION = "Ce texte contient des caractères invisibles qui changent le sens de l'écriture"
DIGITS = "Écrivez le nombre avec les chiffres 0 à 9"

# Zero-width space, non-joiner, joiner, word joiner, byte-order mark, Hangul filler.
BLANK_NAMES = ["\u200b", "\u200b\u200c\u200d", "\u2060 \ufeff", "\u3164"]
# Right-to-left override and embedding, left-to-right isolate with its closing pop.
REVERSED = ["Awa \u202eerèiv\u202c", "\u202bAwa", "\u2066Awa\u2069 Traoré"]


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def stays() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(StayRequest))


@pytest.mark.parametrize("field", ["contact_name", "contact_phone", "organisation", "purpose", "notes"])
def test_the_request_form_refuses_invisible_or_reversed_text(client, form_post, make_room, field):
    make_room(beds=4)
    for value, message in [(v, INVISIBLE) for v in BLANK_NAMES] + [(v, DIRECTION) for v in REVERSED]:
        response = form_post("/requests/new", valid_request_form(**{field: value}))
        assert response.status_code == 400, (field, value)
        html = text_of(response)
        assert f'id="{field}-error">{message}' in html, (field, value)
        assert "retapez-le au clavier au lieu de le coller." in html
    assert stays() == 0


def test_a_blank_line_of_travellers_is_refused_and_ordinary_names_pass(client, form_post, make_room):
    make_room(beds=4)
    response = form_post("/requests/new", valid_request_form(travellers="Awa Traoré\n\u200b\u200b"))
    assert response.status_code == 400
    assert f'id="travellers-error">{INVISIBLE_LINE}' in text_of(response)
    response = form_post("/requests/new", valid_request_form(travellers="\u2067عائشة\u2069\nMoussa"))
    assert DIRECTION in text_of(response)
    assert stays() == 0

    # Joiners inside emoji and scripts that need them, right-to-left names, spaces between lines: fine.
    for name in ("Zoé 👩🏽\u200d🔬", "محمد الأمين", "क्\u200dष", "Ngóc Ành"):
        response = form_post(
            "/requests/new",
            valid_request_form(contact_name=name, travellers=f"{name}\n   \nMoussa", guests="3"),
        )
        assert response.status_code == 303, (name, text_of(response))
    assert [s.contact_name for s in db.session.scalars(sa.select(StayRequest).order_by(StayRequest.id))] == [
        "Zoé 👩🏽\u200d🔬",
        "محمد الأمين",
        "क्\u200dष",
        "Ngóc Ành",
    ]


def test_public_forms_of_a_requester_refuse_them_too(client, form_post, make_stay, make_room, make_staff):
    response = form_post("/requests/lost", {"contact_email": "\u202eawa@example.org"})
    assert response.status_code == 400 and DIRECTION in text_of(response)

    pending = make_stay()
    url = f"/requests/{pending.access_token}/withdraw"
    response = form_post(url, {"reason": "\u200b\u200b"}, page=f"/requests/{pending.access_token}")
    assert response.status_code == 400 and INVISIBLE in text_of(response)

    approved = make_stay(contact_email="awa@example.org")
    approved.approve(by=make_staff(), rooms=[make_room(beds=4)])
    db.session.commit()
    url = f"/requests/{approved.access_token}/change"
    data = {
        "arrival": approved.arrival.isoformat(),
        "departure": approved.departure.isoformat(),
        "guests": "2",
        "travellers": "Claire Moreau\n\u202eAwa",
        "message": "\u2060",
    }
    response = form_post(url, data, page=url)
    assert response.status_code == 400
    html = text_of(response)
    assert f'id="travellers-error">{DIRECTION}' in html and f'id="message-error">{INVISIBLE}' in html


def test_staff_forms_refuse_them_and_store_nothing(client, form_post, auth, make_stay, make_room):
    admin = auth.login_admin()
    room = make_room(name="Djoliba", beds=2)
    pending = make_stay()
    request_page = f"/staff/requests/{pending.id}"
    approved = make_stay(start=today() + timedelta(days=60))
    approved.approve(by=admin, rooms=[room])
    db.session.commit()
    cases = [
        ("/staff/rooms", {"name": "\u200b", "beds": "2", "active": "y"}, INVISIBLE),
        ("/staff/rooms", {"name": "Niger", "beds": "2", "description": "\u202eoiduts"}, DIRECTION),
        (f"/staff/rooms/{room.id}", {"name": "\ufeff\u200d", "beds": "2"}, INVISIBLE),
        (
            "/staff/closures",
            {"start_date": "2030-01-01", "end_date": "2030-01-02", "reason": "\u2060"},
            INVISIBLE,
        ),
        (
            "/staff/accounts",
            {"name": "\u200b \u200b", "email": "n@angers.example", "role": "approver"},
            INVISIBLE,
        ),
        (
            "/staff/accounts",
            {"name": "\u202dAdmin", "email": "n@angers.example", "role": "approver"},
            DIRECTION,
        ),
        (f"{request_page}/reject", {"reason": "\u200c"}, INVISIBLE),
        (f"{request_page}/approve", {"rooms": [room.id], "message": "\u2068Bienvenue\u2069"}, DIRECTION),
        (f"/staff/requests/{approved.id}/cancel", {"reason": "\u3164"}, INVISIBLE),
        ("/staff/privacy", {"email": "\u202eawa@example.org"}, DIRECTION),
    ]
    for url, data, message in cases:
        response = form_post(url, data, page="/staff/rooms")
        assert response.status_code == 400, (url, data)
        assert message in text_of(response), (url, data)
    settings = {
        "max_nights": "30",
        "min_notice_days": "3",
        "max_advance_days": "365",
        "check_in_time": "14:00",
        "check_out_time": "11:00",
        "rules_fr": "Règlement\n\u202eeniam ed",
        "rules_en": "Rules",
        "practical_fr": "Infos",
        "practical_en": "Info",
    }
    response = form_post("/staff/house/", settings)
    assert response.status_code == 400 and DIRECTION in text_of(response)

    db.session.expire_all()
    assert [r.name for r in db.session.scalars(sa.select(Room))] == ["Djoliba"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Closure)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StaffUser)) == 1
    assert pending.status.value == "pending"


def test_numbers_are_written_with_the_digits_0_to_9(
    client, form_post, auth, make_room, make_stay, make_staff
):
    room = make_room(beds=4)
    for guests in ("٣", "３", "৩", "²"):  # Arabic-Indic, fullwidth, Bengali, superscript
        response = form_post("/requests/new", valid_request_form(guests=guests))
        assert response.status_code == 400, guests
        assert f'id="guests-error">{DIGITS}, par exemple 2.' in text_of(response), guests
    assert stays() == 0
    assert form_post("/requests/new", valid_request_form(guests="3")).status_code == 303

    auth.login(make_staff(role=Role.ADMIN, email="admin@angers.example"))
    response = form_post(f"/staff/rooms/{room.id}", {"name": room.name, "beds": "٢"})
    assert response.status_code == 400 and DIGITS in text_of(response)
    db.session.refresh(room)
    assert room.beds == 4
    settings = {"max_nights": "٣٠", "min_notice_days": "3", "max_advance_days": "365"}
    response = form_post("/staff/house/", settings)
    assert response.status_code == 400 and f'id="max_nights-error">{DIGITS}' in text_of(response)

    stay = make_stay(guests=1)
    stay.approve(by=make_staff(), rooms=[room])
    db.session.commit()
    url = f"/staff/requests/{stay.id}/edit"
    data = {
        "arrival": stay.arrival.isoformat(),
        "departure": stay.departure.isoformat(),
        "guests_count": "٢",
        "rooms": [room.id],
    }
    response = form_post(url, data)
    assert response.status_code == 400 and f'id="guests_count-error">{DIGITS}' in text_of(response)

    response = client.get("/staff/stats?period=month&month=٢٠٢٧-٠٣")
    assert response.status_code == 400
    assert "Mois invalide" in text_of(response)
