"""One message to every stay concerned: the list, the preview, the confirmation, the mails, once."""

from datetime import timedelta
from html import unescape

import icalendar
import sqlalchemy as sa

from guesthouse.bookings.choices import StayStatus
from guesthouse.bookings.models import BookingEvent, StayRequest
from guesthouse.database import today
from guesthouse.extensions import db

from .conftest import csrf_from, deliver_mail

MESSAGE = {
    "message_fr": "Sur avis du ministère, la maison ferme. Nous vous appelons pour organiser votre retour.",
    "message_en": "On the ministry's advice, the house is closing. We will call you to organise your return.",
}


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def plain(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def house(make_room, make_stay, approve):
    """An approved stay in French, one in English, a pending request, and a stay before the window."""
    room, other = make_room(name="Djoliba", beds=4), make_room(name="Niger", beds=4)
    start = today() + timedelta(days=10)
    french = approve(make_stay(start=start, contact_email="claire@example.org"), room)
    english = approve(
        make_stay(start=start + timedelta(days=1), contact_email="jane@example.org", locale="en"), other
    )
    pending = make_stay(start=start + timedelta(days=20), contact_email="awa@example.org")
    before = approve(
        make_stay(start=today() + timedelta(days=2), nights=2, contact_email="old@example.org"), room
    )
    return start, french, english, pending, before


def preview(client, start, action="notify"):
    page = f"/staff/stays/notify?start={start.isoformat()}"
    token = csrf_from(client.get(page).get_data(as_text=True))
    data = {**MESSAGE, "start": start.isoformat(), "end": "", "action": action, "csrf_token": token}
    response = client.post("/staff/stays/notify", data=data)
    assert response.status_code == 200, text_of(response)
    html = response.get_data(as_text=True)
    confirm = html.split('name="confirm" value="')[1].split('"')[0] if 'name="confirm"' in html else None
    return {**data, "confirm": confirm}, text_of(response)


def test_the_list_counts_the_stays_and_requests_from_a_date(client, auth, make_room, make_stay, approve):
    start, french, english, pending, before = house(make_room, make_stay, approve)
    auth.login_admin()
    html = text_of(client.get(f"/staff/stays/notify?start={start.isoformat()}"))
    assert "3 séjours ou demandes concernés" in html
    assert "2 séjours confirmés, 1 demande pas encore décidée." in html
    assert all(stay.reference in html for stay in (french, english, pending))
    assert before.reference not in html
    bounded = text_of(
        client.get(
            f"/staff/stays/notify?start={start.isoformat()}&end={(start + timedelta(days=5)).isoformat()}"
        )
    )
    assert "2 séjours ou demandes concernés" in bounded and pending.reference not in bounded


def test_the_preview_shows_who_gets_what_then_each_requester_gets_one_mail_in_their_language(
    client, auth, make_room, make_stay, approve, smtp_server
):
    start, french, english, pending, _before = house(make_room, make_stay, approve)
    auth.login_admin()
    deliver_mail()
    smtp_server.messages.clear(), smtp_server.envelopes.clear()
    data, html = preview(client, start)
    assert "3 demandeurs recevront le message dans leur langue\u202f; rien d'autre ne change." in html
    assert MESSAGE["message_en"] in html and MESSAGE["message_fr"] in html
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(BookingEvent).where(BookingEvent.action == "notified")
        )
        == 0
    )

    response = client.post("/staff/stays/notify", data=data)
    assert response.status_code == 303
    assert "3 demandeurs reçoivent le message." in text_of(client.get(response.headers["Location"]))
    deliver_mail()
    assert sorted(rcpt for _from, rcpts in smtp_server.envelopes for rcpt in rcpts) == [
        "awa@example.org",
        "claire@example.org",
        "jane@example.org",
    ]
    assert MESSAGE["message_fr"] in plain(smtp_server.one("claire@example.org", french.reference))
    mail = smtp_server.one("jane@example.org", english.reference)
    assert mail["Subject"] == f"A message from the service about your stay {english.reference}"
    assert MESSAGE["message_en"] in plain(mail)
    for stay in (french, english, pending):
        db.session.refresh(stay)
        assert stay.status in (StayStatus.APPROVED, StayStatus.PENDING)
    assert "Message du service à tous les séjours concernés" in text_of(
        client.get(f"/staff/requests/{french.id}")
    )
    assert MESSAGE["message_fr"] in text_of(client.get(f"/requests/{french.access_token}"))

    # The same message again: nobody is mailed twice, and the preview says so.
    again, html = preview(client, start)
    assert "3 ont déjà reçu ce message et ne le recevront pas de nouveau." in html
    assert 'name="confirm"' not in html
    deliver_mail()
    assert len(smtp_server.messages) == 3


def test_notify_and_cancel_cancels_them_all_with_the_calendar_cancellation(
    client, auth, make_room, make_stay, approve, smtp_server
):
    start, french, english, pending, before = house(make_room, make_stay, approve)
    auth.login_admin()
    deliver_mail()
    smtp_server.messages.clear(), smtp_server.envelopes.clear()
    data, html = preview(client, start, action="cancel")
    assert "3 séjours ou demandes seront annulés" in html
    assert client.post("/staff/stays/notify", data=data).status_code == 303
    for stay in (french, english, pending):
        db.session.refresh(stay)
        assert stay.status == StayStatus.CANCELLED
        assert stay.events[-1].message == (
            MESSAGE["message_en"] if stay.locale == "en" else MESSAGE["message_fr"]
        )
    db.session.refresh(before)
    assert before.status == StayStatus.APPROVED
    deliver_mail()
    # One mail per requester, none to the service for each of them.
    assert len(smtp_server.messages) == 3
    mail = smtp_server.one("jane@example.org", english.reference)
    assert mail["Subject"] == f"Stay cancelled — {english.reference}"
    assert MESSAGE["message_en"] in plain(mail)
    calendar = next(part for part in mail.walk() if part.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "CANCEL"
    [event] = icalendar.Calendar.from_ical(calendar.get_content()).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    request_mail = smtp_server.one("awa@example.org", pending.reference)
    assert request_mail["Subject"] == f"Demande annulée — {pending.reference}"
    assert all(part.get_content_type() != "text/calendar" for part in request_mail.walk())


def test_a_list_changed_since_the_preview_is_shown_again_and_nothing_is_sent(
    client, auth, make_room, make_stay, approve, smtp_server
):
    start, *_ = house(make_room, make_stay, approve)
    auth.login_admin()
    data, _html = preview(client, start)
    late = make_stay(start=start + timedelta(days=3), contact_email="late@example.org")
    response = client.post("/staff/stays/notify", data=data)
    assert response.status_code == 409
    html = text_of(response)
    assert (
        "La liste des séjours a changé depuis l'aperçu\u00a0: vérifiez-la, puis confirmez de nouveau." in html
    )
    assert late.reference in html
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(BookingEvent).where(BookingEvent.action == "notified")
        )
        == 0
    )


def test_a_message_must_be_written_in_both_languages(client, auth, make_room, make_stay, approve):
    start, *_ = house(make_room, make_stay, approve)
    auth.login_admin()
    token = csrf_from(client.get(f"/staff/stays/notify?start={start.isoformat()}").get_data(as_text=True))
    data = {
        "message_fr": "Fermeture",
        "message_en": "",
        "start": start.isoformat(),
        "action": "notify",
        "csrf_token": token,
    }
    response = client.post("/staff/stays/notify", data=data)
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in text_of(response)
    assert client.get("/staff/stays/notify?start=2027-02-30").status_code == 400


def test_an_approver_cannot_message_every_stay(client, auth):
    auth.login()
    assert client.get("/staff/stays/notify").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StayRequest)) == 0
