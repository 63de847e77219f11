"""What a requester can do from their private page, without an account."""

from datetime import timedelta
from html import unescape

import sqlalchemy as sa

from guesthouse.bookings.choices import StayStatus
from guesthouse.database import utcnow
from guesthouse.extensions import db
from guesthouse.mail.models import LinkRequest

from .conftest import csrf_from, deliver_mail
from .test_query_counts import counting_statements


def test_withdraw_a_pending_request(client, make_stay, form_post):
    stay = make_stay()
    url = f"/requests/{stay.access_token}"
    assert "Retirer ma demande" in client.get(url).get_data(as_text=True)
    response = form_post(f"{url}/withdraw", {"reason": "Mission reportée"}, page=url, follow_redirects=True)
    html = unescape(response.get_data(as_text=True))
    assert "est retirée" in html and "Retiré" in html and "Mission reportée" in html
    assert "Retirer ma demande" not in html
    db.session.expire_all()
    assert stay.status == StayStatus.WITHDRAWN
    again = form_post(f"{url}/withdraw", {"reason": ""}, page="/staff/login")  # a stale tab
    assert again.status_code == 409 and "n'est plus possible" in unescape(again.get_data(as_text=True))


def test_cancel_an_approved_stay_needs_a_reason(client, make_stay, make_staff, make_room, form_post):
    staff, room = make_staff(), make_room()
    stay = make_stay()
    stay.approve(by=staff, rooms=[room])
    db.session.commit()
    url = f"/requests/{stay.access_token}"
    html = client.get(url).get_data(as_text=True)
    assert "Annuler mon séjour" in html and "Retirer ma demande" not in html
    response = form_post(f"{url}/cancel", {"reason": " "}, page=url)
    assert response.status_code == 400
    assert "Indiquez le motif de l'annulation" in unescape(response.get_data(as_text=True))
    response = form_post(f"{url}/cancel", {"reason": "Vol annulé"}, page=url, follow_redirects=True)
    assert "est annulé" in unescape(response.get_data(as_text=True))
    db.session.expire_all()
    assert stay.status == StayStatus.CANCELLED and stay.assignments == []
    assert stay.events[-1].actor_kind == "requester" and stay.events[-1].message == "Vol annulé"


def test_actions_need_the_right_token_and_csrf(client, make_stay, form_post):
    stay = make_stay()
    url = f"/requests/{stay.access_token}"
    assert form_post("/requests/wrong-token/withdraw", {}, page=url).status_code == 404
    assert client.post(f"{url}/withdraw", data={}).status_code == 400  # no CSRF token
    assert client.get(f"{url}/withdraw").status_code == 405
    db.session.expire_all()
    assert stay.status == StayStatus.PENDING


def test_staff_revoke_a_private_link(client, auth, make_stay, form_post):
    stay = make_stay()
    old = f"/requests/{stay.access_token}"
    auth.login()
    url = f"/staff/requests/{stay.id}"
    response = form_post(f"{url}/revoke-link", {}, page=url, follow_redirects=True)
    assert "l'ancien ne fonctionne plus" in unescape(response.get_data(as_text=True))
    assert "Lien privé remplacé" in unescape(response.get_data(as_text=True))
    assert client.get(old).status_code == 404
    db.session.expire_all()
    assert client.get(f"/requests/{stay.access_token}").status_code == 200


def mail_text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_requester_cancellation_mails_both_sides_with_calendar_cancel(
    client, make_stay, make_staff, make_room, form_post, smtp_server
):
    stay = make_stay()
    stay.approve(by=make_staff(), rooms=[make_room()])
    db.session.commit()
    url = f"/requests/{stay.access_token}"
    form_post(f"{url}/cancel", {"reason": "Vol annulé"}, page=url)
    deliver_mail()
    mine = smtp_server.one("claire@example.org", "Séjour annulé")
    assert "Vol annulé" in mail_text(mine)
    calendar = [part for part in mine.walk() if part.get_content_type() == "text/calendar"][0]
    assert calendar.get_param("method") == "CANCEL"
    service = smtp_server.one("mpab@localhost", "Annulation")
    assert "Vol annulé" in mail_text(service)


def test_withdrawal_tells_the_service(client, make_stay, form_post, smtp_server):
    stay = make_stay()
    url = f"/requests/{stay.access_token}"
    form_post(f"{url}/withdraw", {"reason": "Projet abandonné"}, page=url)
    deliver_mail()
    assert "Projet abandonné" in mail_text(smtp_server.one("mpab@localhost", "Annulation"))


def test_a_replaced_link_is_mailed_and_works(client, auth, make_stay, form_post, smtp_server):
    stay = make_stay()
    old_token = stay.access_token
    auth.login()
    url = f"/staff/requests/{stay.id}"
    form_post(f"{url}/revoke-link", {}, page=url)
    deliver_mail()
    body = mail_text(smtp_server.one("claire@example.org", "Nouveau lien"))
    new_link = next(line for line in body.splitlines() if "/requests/" in line).strip()
    assert old_token not in body
    assert client.get(new_link.replace("http://mpab.test", "")).status_code == 200
    assert client.get(f"/requests/{old_token}").status_code == 404


def test_lost_link_answers_the_same_and_mails_only_the_owner(client, make_stay, form_post, smtp_server):
    first = make_stay(contact_email="Awa@Example.org")
    second = make_stay(contact_email="awa@example.org")
    make_stay(contact_email="someone@else.org")
    known = form_post("/requests/lost", {"contact_email": "awa@example.org"}, follow_redirects=True)
    unknown = form_post("/requests/lost", {"contact_email": "nobody@example.org"}, follow_redirects=True)
    message = "Si des demandes ont été faites avec cette adresse"
    assert message in unescape(known.get_data(as_text=True))
    assert message in unescape(unknown.get_data(as_text=True))
    assert known.status_code == unknown.status_code == 200
    deliver_mail()
    mails = [m for m in smtp_server.messages if "Vos demandes de séjour" in m["Subject"]]
    assert len(mails) == 1
    body = mail_text(mails[0])
    assert first.access_token in body and second.access_token in body
    assert smtp_server.to("nobody@example.org") == []
    bad = form_post("/requests/lost", {"contact_email": "pas une adresse"})
    assert bad.status_code == 400 and "Adresse e-mail invalide" in unescape(bad.get_data(as_text=True))


def link_requests() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(LinkRequest.email)))


def test_lost_link_form_does_the_same_work_for_a_known_and_an_unknown_address(client, make_stay, smtp_server):
    make_stay(contact_email="awa@example.org")
    deliver_mail()  # the request's own acknowledgement and notice, out of the way
    before, connections = len(smtp_server.messages), smtp_server.connections
    token = csrf_from(client.get("/requests/lost").get_data(as_text=True))

    def ask(address: str) -> list[str]:
        with counting_statements() as statements:
            response = client.post("/requests/lost", data={"contact_email": address, "csrf_token": token})
        assert response.status_code == 303
        return statements

    ask("warm-up@example.org")  # what a first request of a process may read once
    known, unknown = ask("awa@example.org"), ask("nobody@example.org")
    # The same statements, in the same order: the answer's cost cannot tell whether the address has
    # requests. Only the address is stored; the mail worker looks it up.
    assert known == unknown
    assert sorted(link_requests()) == ["awa@example.org", "nobody@example.org", "warm-up@example.org"]
    assert smtp_server.connections == connections and len(smtp_server.messages) == before

    deliver_mail()
    [mail] = smtp_server.messages[before:]  # to the known address only
    assert mail["Subject"] == "Vos demandes de séjour à la Maison du Partenariat Angers-Bamako"
    assert smtp_server.envelopes[before][1] == ["awa@example.org"]
    assert link_requests() == []  # an address, kept no longer than it takes to answer it


def test_lost_link_requests_left_unanswered_are_purged_after_a_day(client, form_post, runner):
    form_post("/requests/lost", {"contact_email": "old@example.org"})
    form_post("/requests/lost", {"contact_email": "new@example.org"})
    # No mail worker ran: the rows wait. The older one is two days old.
    db.session.execute(
        sa.update(LinkRequest)
        .where(LinkRequest.email == "old@example.org")
        .values(created_at=utcnow() - timedelta(days=2))
    )
    db.session.commit()
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 lost-link request left unanswered for over a day" in result.output
    assert link_requests() == ["new@example.org"]
