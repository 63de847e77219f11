"""Notifications: who gets which mail, in which language, with links that work."""

from datetime import timedelta
from html import unescape
from urllib.parse import urlsplit

import icalendar
import sqlalchemy as sa

from guesthouse.bookings.models import StayRequest
from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.house.models import HouseSettings
from guesthouse.mail.models import OutboxMessage, OutboxStatus

from .conftest import deliver_mail, valid_request_form

SERVICE = "mpab@localhost"


def text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")


def links(message, base="http://mpab.test/") -> list[str]:
    return [word for word in text(message).split() if word.startswith(base)]


def outbox(kind: str | None = None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def submit(form_post, **overrides):
    response = form_post("/requests/new", valid_request_form(**overrides), **overrides.pop("_kwargs", {}))
    assert response.status_code == 303, response.get_data(as_text=True)
    return db.session.scalar(sa.select(StayRequest).order_by(StayRequest.id.desc()))


def approve(client, form_post, auth, stay, rooms, message=""):
    auth.login()
    response = form_post(
        f"/staff/requests/{stay.id}/approve",
        {"rooms": [r.id for r in rooms], "message": message},
        page=f"/staff/requests/{stay.id}",
    )
    assert response.status_code == 303, response.get_data(as_text=True)


def test_submission_mails_requester_and_service_with_working_links(
    client, form_post, make_room, auth, smtp_server
):
    make_room(beds=4)
    stay = submit(form_post)
    deliver_mail()

    ack = smtp_server.one("awa@example.org", "Demande de séjour reçue")
    assert ack["Subject"] == f"Demande de séjour reçue — {stay.reference}"
    assert ack["To"].addresses[0].display_name == "Awa Traoré"
    assert ack["Content-Language"] == "fr"
    assert ack["Auto-Submitted"] == "auto-generated"
    assert ack["Reply-To"].addresses[0].addr_spec == SERVICE
    assert "Nous avons bien reçu votre demande" in text(ack)
    assert "Nous avons bien reçu votre demande" in unescape(html(ack))
    assert "Moussa Keita" in text(ack)
    # The link in the mail is the private page, and it works.
    [link] = links(ack)
    assert link == f"http://mpab.test/requests/{stay.access_token}"
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200 and stay.reference in page.get_data(as_text=True)

    notice = smtp_server.one(SERVICE, "Nouvelle demande")
    assert stay.reference in notice["Subject"] and "Compagnie Les Arts du Fleuve" in notice["Subject"]
    # Staff answer the requester directly.
    assert notice["Reply-To"].addresses[0].addr_spec == "awa@example.org"
    assert "Résidence de création avec le conservatoire de Bamako" in text(notice)
    [staff_link] = links(notice)
    assert staff_link == f"http://mpab.test/staff/requests/{stay.id}"
    assert client.get(urlsplit(staff_link).path).status_code == 302  # staff only: the login page
    auth.login()
    assert stay.organisation in unescape(client.get(urlsplit(staff_link).path).get_data(as_text=True))

    # Only those two, each marked sent under the Message-ID it went out with.
    assert len(smtp_server.messages) == 2
    rows = outbox()
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    assert {row.message_id for row in rows} == {ack["Message-ID"], notice["Message-ID"]}


def test_requester_mails_use_the_requests_language_and_staff_mails_french(
    client, form_post, make_room, smtp_server
):
    make_room(beds=4)
    arrival = today() + timedelta(days=20)
    stay = submit(form_post, _kwargs={"headers": {"Accept-Language": "en-GB,en;q=0.9"}})
    assert stay.locale == "en"
    deliver_mail()
    ack = smtp_server.one("awa@example.org", stay.reference)
    notice = smtp_server.one(SERVICE, stay.reference)
    assert ack["Content-Language"] == "en" and notice["Content-Language"] == "fr"
    assert '<html lang="en">' in html(ack) and '<html lang="fr">' in html(notice)
    # Dates are formatted in the reader's language: the locale reaches the rendering.
    assert arrival.strftime("%B") in text(ack)  # an English month name
    assert f"{arrival.day} " in text(notice) and arrival.strftime("%B") not in text(notice)
    assert [row.locale for row in outbox()] == ["en", "fr"]


def test_links_use_base_url_never_the_host_header(client, form_post, make_room, app, smtp_server):
    make_room(beds=4)
    app.config["BASE_URL"] = "https://reservations.angers.example/mpab/"
    response = form_post(
        "http://evil.example/requests/new", valid_request_form(), page="http://evil.example/requests/new"
    )
    assert response.status_code == 303
    stay = db.session.scalar(sa.select(StayRequest))
    deliver_mail()
    ack = smtp_server.one("awa@example.org", stay.reference)
    assert "evil.example" not in ack.as_string()
    expected = f"https://reservations.angers.example/mpab/requests/{stay.access_token}"
    assert links(ack, "https://") == [expected]


def test_approval_mail_has_rooms_message_and_practicalities(
    client, form_post, auth, make_room, make_stay, smtp_server
):
    djoliba = make_room(name="Djoliba", beds=2)
    stay = make_stay(guests=2, contact_email="claire@example.org")
    approve(client, form_post, auth, stay, [djoliba], message="Le chauffeur vous attendra à l'aéroport.")
    deliver_mail()
    mail = smtp_server.one("claire@example.org", "Séjour confirmé")
    body = text(mail)
    assert stay.reference in mail["Subject"]
    for expected in (
        "Djoliba",
        "Le chauffeur vous attendra à l'aéroport.",
        "Maison du Partenariat Angers-Bamako, Bamako, Mali",
        "Arrivée à partir de 14:00, départ avant 11:00.",
        "gardée jour et nuit",
        "visa pour le Mali",
        "fièvre jaune",
        "Ariane",
        "https://pastel.diplomatie.gouv.fr/fildariane/",
    ):
        assert expected in body, expected
        assert expected in unescape(html(mail)), expected
    assert client.get(urlsplit(links(mail)[0]).path).status_code == 200


def test_practicalities_follow_the_configuration(
    client, form_post, auth, make_room, make_stay, app, smtp_server
):
    app.config.update(HOUSE_ADDRESS="Rue 000, Bamako", HOUSE_PHONE="+223 20 00 00 00")
    settings = db.session.get(HouseSettings, 1)
    settings.check_in_time, settings.check_out_time = "15:30", "10:00"
    settings.rules_fr = "Pas de visiteurs après 22 h."
    settings.practical_fr = "Le chauffeur s'appelle Moussa."
    db.session.commit()
    room = make_room()
    stay = make_stay()
    approve(client, form_post, auth, stay, [room])
    deliver_mail()
    body = text(smtp_server.one("claire@example.org", "Séjour confirmé"))
    assert "Adresse de la maison\u00a0: Rue 000, Bamako" in body
    assert "+223 20 00 00 00" in body
    assert "Arrivée à partir de 15:30, départ avant 10:00." in body
    assert "Pas de visiteurs après 22 h." in body and "Le chauffeur s'appelle Moussa." in body


def test_refusal_mail_gives_the_reason_and_how_to_reach_the_service(
    client, form_post, auth, make_stay, smtp_server
):
    stay = make_stay()
    auth.login()
    response = form_post(
        f"/staff/requests/{stay.id}/reject",
        {"reason": "La maison est complète à ces dates.\nEssayez la semaine suivante."},
        page=f"/staff/requests/{stay.id}",
    )
    assert response.status_code == 303
    deliver_mail()
    mail = smtp_server.one("claire@example.org", "refusée")
    assert mail["Subject"] == f"Demande {stay.reference} refusée"
    assert "La maison est complète à ces dates.\nEssayez la semaine suivante." in text(mail)
    assert SERVICE in text(mail)
    assert mail.get_body(preferencelist=("calendar",)) is None
    # Nothing for the service about the refusal (it decided): only the notice of the request itself.
    [notice] = smtp_server.to(SERVICE)
    assert notice["Subject"].startswith(f"Nouvelle demande {stay.reference}")


def test_cancellation_mails_requester_and_service(client, form_post, auth, make_room, make_stay, smtp_server):
    room = make_room()
    stay = make_stay()
    approve(client, form_post, auth, stay, [room])
    response = form_post(
        f"/staff/requests/{stay.id}/cancel",
        {"reason": "Mission reportée."},
        page=f"/staff/requests/{stay.id}",
    )
    assert response.status_code == 303
    deliver_mail()
    mail = smtp_server.one("claire@example.org", "Séjour annulé")
    assert "Mission reportée." in text(mail)
    assert "retire le séjour de votre agenda" in text(mail)
    notice = smtp_server.one(SERVICE, "Annulation")
    assert "Agent du service a annulé" in text(notice) and "Mission reportée." in text(notice)
    assert "de nouveau libres" in text(notice)


def test_withdrawing_a_pending_request_sends_no_calendar_cancellation(
    client, form_post, make_stay, smtp_server
):
    stay = make_stay()
    page = f"/requests/{stay.access_token}"
    assert form_post(f"{page}/withdraw", {"reason": "Doublon."}, page=page).status_code == 303
    deliver_mail()
    mail = smtp_server.one("claire@example.org", "Demande annulée")
    assert mail.get_body(preferencelist=("calendar",)) is None
    assert not any(p.get_content_type() == "application/ics" for p in mail.walk())


def test_mail_is_queued_in_the_transaction_of_the_change(client, form_post, auth, make_room, make_stay):
    room = make_room()
    taken = make_stay()
    stay = make_stay()
    taken.approve(by=auth.make_staff(), rooms=[room])
    db.session.commit()
    auth.login()
    response = form_post(
        f"/staff/requests/{stay.id}/approve", {"rooms": [room.id]}, page=f"/staff/requests/{stay.id}"
    )
    assert response.status_code == 409  # the room is taken: rolled back, and no mail with it
    deliver_mail()
    [approved] = outbox("approved")
    assert approved.stay_id == taken.id
    assert len(outbox()) == 5  # two per submission, and the one confirmation


def test_demo_loader_queues_the_mails_of_its_requests(runner, app):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    deliver_mail()
    kinds = [row.kind for row in outbox()]
    assert kinds.count("request_received") == kinds.count("staff_new_request") == 6
    assert kinds.count("approved") == 2 and kinds.count("refused") == 1 and kinds.count("cancelled") == 1


def test_long_lines_are_wrapped_for_smtp(client, form_post, make_room, smtp_server):
    make_room(beds=4)
    submit(form_post, purpose="Mission " + "très longue " * 330)
    deliver_mail()
    notice = smtp_server.one(SERVICE, "Nouvelle demande")
    assert "très longue " * 330 in text(notice)
    raw = notice.as_bytes()
    assert max(len(line) for line in raw.split(b"\n")) <= 998


def test_sender_reply_to_and_signature_follow_the_configuration(
    client, form_post, auth, make_room, make_stay, app, smtp_server
):
    app.config.update(
        MAIL_DEFAULT_SENDER="Relations Internationales <ri@angers.example>",
        MAIL_REPLY_TO="Accueil MPAB <accueil@angers.example>",
        MAIL_SIGNATURE="Service des Relations Internationales\nHôtel de Ville, Angers",
    )
    room = make_room()
    stay = make_stay()
    approve(client, form_post, auth, stay, [room])
    deliver_mail()
    mail = smtp_server.one("claire@example.org", "Séjour confirmé")
    assert mail["From"].addresses[0].addr_spec == "ri@angers.example"
    assert mail["From"].addresses[0].display_name == "Relations Internationales"
    assert mail["Reply-To"].addresses[0].addr_spec == "accueil@angers.example"
    assert mail["Message-ID"].endswith("@angers.example>")
    # The text part ends with a line break, as every text MIME part the email package writes.
    assert text(mail).endswith("-- \nService des Relations Internationales\nHôtel de Ville, Angers\n")
    ics = mail.get_body(preferencelist=("calendar",)).get_content()
    [event] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert str(event["ORGANIZER"]) == "mailto:ri@angers.example"  # the invitation's organizer is the sender
