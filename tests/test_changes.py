"""Changing an approved stay: staff edits, and change requests from the requester."""

import re
from datetime import timedelta
from html import unescape

import icalendar
import sqlalchemy as sa
from babel.dates import format_date

from guesthouse.bookings.changes import ChangeRequest, ChangeStatus
from guesthouse.bookings.operations import approve_stay
from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.house.models import HouseSettings

from .conftest import deliver_mail


def text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def approved_stay(make_stay, make_staff, rooms, **overrides):
    stay = make_stay(**overrides)
    approver = make_staff(email=f"approver{stay.id}@angers.example")
    approve_stay(stay, by=approver, room_ids=[room.id for room in rooms], message="")
    db.session.commit()
    return stay


def test_staff_move_a_stay_with_the_conflict_check(
    client, auth, make_stay, make_staff, make_room, form_post, smtp_server
):
    djoliba, niger = make_room(name="Djoliba", beds=2), make_room(name="Niger", beds=2)
    start = today() + timedelta(days=20)
    stay = approved_stay(make_stay, make_staff, [djoliba], start=start, nights=3)
    approved_stay(make_stay, make_staff, [niger], start=start + timedelta(days=5), nights=3)
    auth.login()
    url = f"/staff/requests/{stay.id}/edit"
    page = unescape(client.get(url).get_data(as_text=True))
    assert f'value="{start.isoformat()}"' in page
    moved = start + timedelta(days=4)
    data = {
        "arrival": moved.isoformat(),
        "departure": (moved + timedelta(days=3)).isoformat(),
        "guests_count": "2",
        "travellers": "Claire Moreau\nAwa Traoré",
        "rooms": [niger.id],
        "message": "",
    }
    response = form_post(url, data)
    assert response.status_code == 409
    assert "Impossible de modifier" in unescape(response.get_data(as_text=True))
    response = form_post(url, {**data, "rooms": [djoliba.id], "message": "Nouvelles dates de vol"})
    assert response.status_code == 303
    db.session.expire_all()
    assert (stay.arrival, stay.guests, stay.assignments[0].arrival) == (moved, 2, moved)
    html = unescape(client.get(f"/staff/requests/{stay.id}").get_data(as_text=True))
    assert "Séjour modifié" in html and "Nouvelles dates de vol" in html
    deliver_mail()
    mail = smtp_server.one("claire@example.org", "Séjour modifié")
    calendar = icalendar.Calendar.from_ical(
        next(p for p in mail.walk() if p.get_content_type() == "text/calendar").get_payload(decode=True)
    )
    event = calendar.walk("VEVENT")[0]
    assert event["SEQUENCE"] == 2 and event.decoded("DTSTART") == moved
    assert form_post(url, {**data, "rooms": [djoliba.id], "departure": moved.isoformat()}).status_code == 400


def ask_change(client, form_post, stay, **data):
    url = f"/requests/{stay.access_token}/change"
    return form_post(url, data, page=url)


def test_requester_asks_and_staff_accept_after_a_new_check(
    client, auth, make_stay, make_staff, make_room, form_post, smtp_server
):
    djoliba, niger = make_room(name="Djoliba", beds=2), make_room(name="Niger", beds=2)
    start = today() + timedelta(days=20)
    stay = approved_stay(make_stay, make_staff, [djoliba], start=start, nights=3)
    page = unescape(client.get(f"/requests/{stay.access_token}").get_data(as_text=True))
    assert "Demander une modification" in page
    same = {
        "arrival": start.isoformat(),
        "departure": (start + timedelta(days=3)).isoformat(),
        "guests": "1",
        "travellers": "",
        "message": "",
    }
    response = ask_change(client, form_post, stay, **same)
    assert response.status_code == 400 and "Rien n'a changé" in unescape(response.get_data(as_text=True))
    later = {**same, "departure": (start + timedelta(days=6)).isoformat(), "message": "Mission prolongée"}
    assert ask_change(client, form_post, stay, **later).status_code == 303
    db.session.expire_all()
    assert stay.departure == start + timedelta(days=3)  # unchanged until staff decide
    deliver_mail()
    assert "Mission prolongée" in text(smtp_server.one("mpab@localhost", "Modification demandée"))
    # Meanwhile someone else takes Djoliba on the extra nights.
    approved_stay(make_stay, make_staff, [djoliba], start=start + timedelta(days=4), nights=2)

    auth.login()
    detail = f"/staff/requests/{stay.id}"
    html = unescape(client.get(detail).get_data(as_text=True))
    assert "Modification demandée le" in html and "Mission prolongée" in html and "<ins>" in html
    dashboard = unescape(client.get("/staff/").get_data(as_text=True))
    assert "Modifications demandées" in dashboard and stay.reference in dashboard
    change = db.session.scalar(sa.select(ChangeRequest))
    response = form_post(f"/staff/changes/{change.id}/accept", {"rooms": [djoliba.id]}, page=detail)
    assert response.status_code == 409 and "Impossible de confirmer" in unescape(
        response.get_data(as_text=True)
    )
    response = form_post(f"/staff/changes/{change.id}/accept", {"rooms": [niger.id]}, page=detail)
    assert response.status_code == 303
    db.session.expire_all()
    assert change.status == ChangeStatus.ACCEPTED
    assert stay.departure == start + timedelta(days=6) and [a.room_id for a in stay.assignments] == [niger.id]
    deliver_mail()
    assert smtp_server.one("claire@example.org", "Séjour modifié")


def test_staff_refuse_a_change_with_a_message(
    client, auth, make_stay, make_staff, make_room, form_post, smtp_server
):
    stay = approved_stay(make_stay, make_staff, [make_room()])
    earlier = stay.arrival - timedelta(days=1)
    data = {
        "arrival": earlier.isoformat(),
        "departure": stay.departure.isoformat(),
        "guests": "1",
        "travellers": "",
    }
    ask_change(client, form_post, stay, **data)
    ask_change(client, form_post, stay, **{**data, "guests": "2"})  # replaces the first one
    changes = db.session.scalars(sa.select(ChangeRequest).order_by(ChangeRequest.id)).all()
    assert [c.status for c in changes] == [ChangeStatus.SUPERSEDED, ChangeStatus.PENDING]
    auth.login()
    detail = f"/staff/requests/{stay.id}"
    response = form_post(f"/staff/changes/{changes[1].id}/refuse", {"message": ""}, page=detail)
    assert response.status_code == 400
    assert "Expliquez au demandeur" in unescape(response.get_data(as_text=True))
    form_post(
        f"/staff/changes/{changes[1].id}/refuse", {"message": "La maison est pleine la veille."}, page=detail
    )
    db.session.expire_all()
    assert changes[1].status == ChangeStatus.REFUSED and stay.arrival == earlier + timedelta(days=1)
    deliver_mail()
    assert "La maison est pleine la veille." in text(
        smtp_server.one("claire@example.org", "Modification refusée")
    )
    page = unescape(client.get(f"/requests/{stay.access_token}").get_data(as_text=True))
    assert "Modification refusée" in page and "Modification en attente" not in page


def test_change_pages_exist_only_for_approved_stays(client, auth, make_stay):
    stay = make_stay()
    assert client.get(f"/requests/{stay.access_token}/change").status_code == 404
    auth.login()
    assert client.get(f"/staff/requests/{stay.id}/edit").status_code == 404


def test_a_cancelled_stay_closes_its_pending_change(
    client, auth, make_stay, make_staff, make_room, form_post
):
    stay = approved_stay(make_stay, make_staff, [make_room()])
    later = {
        "arrival": stay.arrival.isoformat(),
        "departure": (stay.departure + timedelta(days=1)).isoformat(),
        "guests": "1",
        "travellers": "",
        "message": "Un jour de plus",
    }
    ask_change(client, form_post, stay, **later)
    change = db.session.scalar(sa.select(ChangeRequest))
    url = f"/requests/{stay.access_token}"
    form_post(f"{url}/cancel", {"reason": "Mission annulée"}, page=url)
    db.session.expire_all()
    assert change.status == ChangeStatus.CLOSED
    auth.login()
    assert "Modifications demandées" not in unescape(client.get("/staff/").get_data(as_text=True))
    response = form_post(f"/staff/changes/{change.id}/refuse", {"message": "Non"}, page="/staff/")
    assert response.status_code == 409  # nothing to refuse any more, and no "your stay stands" mail
    assert not [e for e in stay.events if e.action == "change_refused"]


def test_travellers_can_change_close_to_arrival(client, make_stay, make_staff, make_room, form_post):
    settings = db.session.get(HouseSettings, 1)
    settings.min_notice_days, settings.max_nights = 14, 2
    db.session.commit()
    stay = approved_stay(make_stay, make_staff, [make_room()], start=today() + timedelta(days=5), nights=3)
    same_dates = {
        "arrival": stay.arrival.isoformat(),
        "departure": stay.departure.isoformat(),
        "guests": "1",
        "travellers": "Awa Traoré",
        "message": "",
    }
    assert ask_change(client, form_post, stay, **same_dates).status_code == 303
    longer = {**same_dates, "departure": (stay.departure + timedelta(days=1)).isoformat()}
    response = ask_change(client, form_post, stay, **longer)
    assert response.status_code == 400 and "au plus 2 nuits" in unescape(response.get_data(as_text=True))


def room_state(html: str, room_id: int) -> str:
    return re.search(rf'id="edit-room-{room_id}-state">(.*?)</span>', html, re.S).group(1)


def test_staff_edit_shows_beds_and_which_rooms_are_free(
    client, auth, make_stay, make_staff, make_room, make_closure, form_post
):
    djoliba, niger = make_room(name="Djoliba", beds=2), make_room(name="Niger", beds=3)
    maine = make_room(name="Maine", beds=1)
    start = today() + timedelta(days=20)
    stay = approved_stay(make_stay, make_staff, [djoliba], start=start, nights=3)
    other = approved_stay(make_stay, make_staff, [niger], start=start + timedelta(days=5), nights=3)
    make_closure(room_id=maine.id, start_date=start + timedelta(days=1), end_date=start + timedelta(days=2))
    auth.login()
    url = f"/staff/requests/{stay.id}/edit"

    # On the stay's own dates: its own room is free for it, the closed one says why.
    html = unescape(client.get(url).get_data(as_text=True))
    assert f'<label for="edit-room-{djoliba.id}">Djoliba — 2 lits</label>' in html
    assert f'<label for="edit-room-{niger.id}">Niger — 3 lits</label>' in html
    assert f'<label for="edit-room-{maine.id}">Maine — 1 lit</label>' in html
    assert room_state(html, djoliba.id) == room_state(html, niger.id) == "libre"
    assert "occupée ou fermée" in room_state(html, maine.id) and "Travaux" in room_state(html, maine.id)
    assert re.search(rf'<input[^>]*id="edit-room-{djoliba.id}"[^>]*checked', html)

    # After a refused submission, on the dates asked for.
    moved = start + timedelta(days=5)
    data = {
        "arrival": moved.isoformat(),
        "departure": (moved + timedelta(days=2)).isoformat(),
        "guests_count": "1",
        "rooms": [niger.id],
    }
    response = form_post(url, data)
    assert response.status_code == 409
    html = unescape(response.get_data(as_text=True))
    assert "occupée ou fermée" in room_state(html, niger.id) and other.reference in room_state(html, niger.id)
    assert room_state(html, maine.id) == room_state(html, djoliba.id) == "libre"
    assert f"Disponibilités pour un séjour du {format_date(moved, 'medium', locale='fr')}" in html
    response = form_post(url, {**data, "guests_count": "x"})
    assert response.status_code == 400
    assert "occupée ou fermée" in room_state(unescape(response.get_data(as_text=True)), niger.id)
    assert form_post(url, {**data, "rooms": [maine.id]}).status_code == 303
