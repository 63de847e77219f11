"""Stays entered by staff for people who did not use the public form: with or without an address,
pending or approved in the same step, with the same locked conflict check as any approval."""

from datetime import timedelta
from html import unescape

import sqlalchemy as sa

from guesthouse.bookings.choices import StayStatus
from guesthouse.bookings.models import StayRequest
from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.mail.models import OutboxMessage

from .conftest import deliver_mail, valid_request_form
from .stats_dataset import tables_of

URL = "/staff/requests/new"


def entered(**overrides) -> dict:
    defaults = {
        "contact_name": "Délégation de Ségou",
        "contact_email": "",
        "organisation": "Ville d'Angers — mission municipale",
        "organisation_type": "local_authority",
        "cooperation_axis": "education",
    }
    return valid_request_form(**{**defaults, **overrides})


def text(response) -> str:
    return " ".join(unescape(response.get_data(as_text=True)).replace("\xa0", " ").split())


def stays() -> list[StayRequest]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(StayRequest).order_by(StayRequest.id)))


def test_the_form_asks_the_public_fields_with_an_optional_address(client, auth):
    auth.login()
    html = text(client.get(URL))
    for label in (
        "Nom et prénom de la personne à contacter",
        "Adresse e-mail (facultative)",
        "Type d'organisation",
        "Axe de coopération",
        "Objet de la mission",
        "Noms des voyageurs",
        "Le règlement de la maison a été transmis aux voyageurs",
        "Confirmer tout de suite (facultatif)",
    ):
        assert label in html
    assert 'name="website"' not in client.get(URL).get_data(as_text=True)  # no honeypot for staff


def test_without_an_address_no_mail_is_sent_and_the_page_says_so(
    client, auth, form_post, make_room, smtp_server
):
    make_room(name="Djoliba", beds=2)
    agent = auth.login()
    response = form_post(URL, entered(), follow_redirects=True)
    assert response.status_code == 200
    shown = text(response)
    [stay] = stays()
    assert stay.status == StayStatus.PENDING and stay.contact_email == ""
    assert f"Demande {stay.reference} saisie" in shown
    assert "Aucune adresse e-mail : le demandeur ne recevra aucun message" in shown
    assert "pas d'adresse e-mail : le demandeur ne reçoit aucun message" in shown
    assert f"Demande saisie par {agent.name}" in shown
    assert (stay.organisation_type, stay.cooperation_axis) == ("local_authority", "education")
    deliver_mail()
    assert smtp_server.messages == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


def test_without_an_address_an_approval_and_a_cancellation_mail_only_the_service(
    client, auth, form_post, make_room, smtp_server
):
    djoliba = make_room(name="Djoliba", beds=2)
    auth.login()
    response = form_post(URL, entered(rooms=[djoliba.id]))
    assert response.status_code == 303
    [stay] = stays()
    assert stay.status == StayStatus.APPROVED
    url = f"/staff/requests/{stay.id}"
    assert form_post(f"{url}/cancel", {"reason": "Mission reportée"}, page=url).status_code == 303
    deliver_mail()
    # The service hears of the cancellation; nothing is written to nobody, and nothing failed.
    assert [m["Subject"] for m in smtp_server.messages] == [
        f"Annulation {stay.reference} — {stay.organisation}"
    ]
    assert [(m.kind, m.status.value) for m in db.session.scalars(sa.select(OutboxMessage))] == [
        ("staff_cancelled", "sent")
    ]


def test_with_an_address_the_requester_gets_the_private_link(client, auth, form_post, make_room, smtp_server):
    make_room(name="Djoliba", beds=2)
    auth.login()
    assert form_post(URL, entered(contact_email="segou@example.org")).status_code == 303
    [stay] = stays()
    deliver_mail()
    mail = smtp_server.one("segou@example.org", "Demande de séjour reçue")
    assert stay.access_token in mail.get_body(preferencelist=("plain",)).get_content()
    assert smtp_server.to("mpab@localhost") == []  # staff entered it: nothing to tell the service
    assert "Demande saisie par le service" in text(client.get(f"/requests/{stay.access_token}"))


def test_approved_in_the_same_step_with_the_rooms_ticked(client, auth, form_post, make_room, smtp_server):
    djoliba = make_room(name="Djoliba", beds=2)
    agent = auth.login()
    response = form_post(URL, entered(contact_email="segou@example.org", rooms=[djoliba.id]))
    assert response.status_code == 303
    [stay] = stays()
    assert stay.status == StayStatus.APPROVED and [r.name for r in stay.rooms] == ["Djoliba"]
    page = text(client.get(response.headers["Location"]))
    assert f"Demande saisie par {agent.name}" in page and "Séjour confirmé (Djoliba)" in page
    deliver_mail()
    # One mail, the confirmation, which carries the private link: no acknowledgement before it.
    [mail] = smtp_server.to("segou@example.org")
    assert mail["Subject"].startswith(f"Séjour confirmé — {stay.reference}")


def test_a_taken_room_is_refused_with_409_and_nothing_is_stored(
    client, auth, form_post, make_room, make_stay
):
    djoliba = make_room(name="Djoliba", beds=2)
    agent = auth.login()
    arrival = today() + timedelta(days=20)
    holder = make_stay(start=arrival + timedelta(days=2), nights=3)
    holder.approve(by=agent, rooms=[djoliba])
    db.session.commit()
    response = form_post(URL, entered(rooms=[djoliba.id]))
    assert response.status_code == 409
    shown = text(response)
    assert "Rien n'a été enregistré : une chambre choisie est déjà prise" in shown
    assert f"séjour {holder.reference}" in shown
    assert [s.id for s in stays()] == [holder.id]


def test_rooms_must_hold_the_travellers_and_fields_are_checked(client, auth, form_post, make_room):
    djoliba = make_room(name="Djoliba", beds=1)
    make_room(name="Niger", beds=2)
    auth.login()
    response = form_post(URL, entered(rooms=[djoliba.id]))
    assert response.status_code == 400
    assert "Ces chambres comptent 1 lit pour 2 voyageurs" in text(response)
    response = form_post(URL, entered(organisation_type="", cooperation_axis="", accept_rules=""))
    assert response.status_code == 400
    shown = text(response)
    assert "Choisissez le type de votre organisation." in shown
    assert "Choisissez l'axe de coopération de votre mission." in shown
    assert "Cochez cette case une fois le règlement transmis aux voyageurs." in shown
    yesterday = today() - timedelta(days=1)
    response = form_post(URL, entered(arrival=yesterday.isoformat(), departure=today().isoformat()))
    assert response.status_code == 400 and "L'arrivée est passée" in text(response)
    assert stays() == []


def test_staff_may_enter_a_stay_arriving_today(client, auth, form_post, make_room):
    make_room(name="Djoliba", beds=2)
    auth.login()
    data = entered(arrival=today().isoformat(), departure=(today() + timedelta(days=2)).isoformat())
    assert form_post(URL, data).status_code == 303
    assert [s.arrival for s in stays()] == [today()]


def test_an_entered_stay_counts_in_the_statistics(client, auth, form_post, make_room):
    djoliba = make_room(name="Djoliba", beds=2)
    auth.login()
    arrival = today() + timedelta(days=3)
    data = entered(
        arrival=arrival.isoformat(), departure=(arrival + timedelta(days=2)).isoformat(), rooms=[djoliba.id]
    )
    assert form_post(URL, data).status_code == 303
    start, end = today().replace(day=1), arrival + timedelta(days=5)
    response = client.get(f"/staff/stats?period=custom&start={start.isoformat()}&end={end.isoformat()}")
    tables = tables_of(response)
    assert tables["Chiffres clés"]["Nuits-chambres occupées"] == ["2"]
    requests = tables["Demandes reçues dans la période"]
    assert requests["Demandes reçues"] == ["1"] and requests["dont confirmées"] == ["1"]
