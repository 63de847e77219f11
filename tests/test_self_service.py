"""What a requester can do from their private page, without an account."""

from html import unescape

from guesthouse.bookings.choices import StayStatus
from guesthouse.extensions import db


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
