"""Calendar objects carry no secret: they sync to third parties, so the private link stays in the mails.

A requester's stay is one event, whether it arrives as a download, a subscription or an invitation;
after staff replace a leaked link, a calendar subscribed to the old address drops the event quietly.
"""

from datetime import UTC, datetime, timedelta

import icalendar
import sqlalchemy as sa

from guesthouse.bookings.models import ReplacedToken, StayRequest
from guesthouse.database import today
from guesthouse.extensions import db

from .calendars import calendar_properties, parse, unfolded
from .conftest import deliver_mail

HOME = "http://mpab.test/"  # the testing BASE_URL's home page: public
SERVICE = "mpab@localhost"


def invitation_of(message) -> bytes:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return part.get_content().encode()


def mail_text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def download(client, token: str):
    response = client.get(f"/calendar/requests/{token}.ics")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return response.data


def approve_by_staff(auth, form_post, stay, room) -> None:
    """Staff approve; the mail worker then writes and sends the confirmation."""
    auth.login()
    page = f"/staff/requests/{stay.id}"
    assert form_post(f"{page}/approve", {"rooms": [room.id]}, page=page).status_code == 303
    deliver_mail()


def assert_no_secret(body: bytes, token: str) -> None:
    """Neither the token nor any private page's address, even split across folded lines."""
    for text in (body.decode(), unfolded(body)):
        assert token not in text
        assert "/requests/" not in text.replace("/calendar/requests/", "")


def test_invitation_and_download_hold_no_private_link_and_say_the_same(
    client, auth, form_post, make_room, make_stay, smtp_server
):
    stay = make_stay(start=today() + timedelta(days=20), nights=4)
    approve_by_staff(auth, form_post, stay, make_room(name="Djoliba"))
    invitation = invitation_of(smtp_server.one("claire@example.org", "Séjour confirmé"))
    db.session.expire_all()
    body = download(client, stay.access_token)

    assert_no_secret(invitation, stay.access_token)
    assert_no_secret(body, stay.access_token)
    # The private link is in the mail's body, and only there.
    assert f"http://mpab.test/requests/{stay.access_token}" in mail_text(
        smtp_server.one("claire@example.org", "Séjour confirmé")
    )

    [invited] = parse(invitation)
    [downloaded] = parse(body)
    assert (invited.uid, invited.summary, invited.location, invited.description) == (
        downloaded.uid,
        downloaded.summary,
        downloaded.location,
        downloaded.description,
    )
    assert invited.uid == stay.ical_uid
    assert downloaded.summary == "Séjour — Maison du Partenariat Angers-Bamako"
    assert downloaded.location == "Maison du Partenariat Angers-Bamako, Bamako, Mali"
    lines = downloaded.description.splitlines()
    assert f"Référence : {stay.reference}" in lines and "Chambres : Djoliba" in lines
    assert any(HOME in line for line in lines)  # the house's public page
    assert any(SERVICE in line for line in lines)  # and how to reach the service
    for ics in (invitation, body):
        [event] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
        assert str(event["URL"]) == HOME
        assert SERVICE in str(event["CONTACT"])
    # One PRODID for every calendar object the service writes.
    assert calendar_properties(invitation)["PRODID"] == calendar_properties(body)["PRODID"]
    assert calendar_properties(invitation)["METHOD"] == "REQUEST"
    assert "METHOD" not in calendar_properties(body)


def test_a_backslash_n_stays_as_written_and_a_line_break_is_written_backslash_n(
    client, auth, form_post, make_room, make_stay, smtp_server
):
    stay = make_stay()
    approve_by_staff(auth, form_post, stay, make_room(name="Salle C:\\Niger"))
    invitation = invitation_of(smtp_server.one("claire@example.org", "Séjour confirmé"))
    db.session.expire_all()
    for ics in (invitation, download(client, stay.access_token)):
        [event] = parse(ics)  # icalendar, vobject and ical read the same text
        assert "Chambres : Salle C:\\Niger" in event.description.splitlines()
        text = unfolded(ics)
        assert "Salle C:\\\\Niger" in text  # the backslash escaped, not read as a line break
        assert f"Référence : {stay.reference}\\n" in text  # RFC 5545 line break: backslash, small n
        assert "\\N" not in text.replace("\\\\N", "")


def test_a_replaced_link_feed_answers_a_valid_empty_calendar_and_the_mail_gives_the_new_address(
    client, auth, form_post, make_room, make_stay, approve, smtp_server
):
    stay = approve(make_stay(), make_room(name="Djoliba"))
    old_token = stay.access_token
    subscribed = download(client, old_token)
    assert len(parse(subscribed)) == 1

    auth.login()
    page = f"/staff/requests/{stay.id}"
    assert form_post(f"{page}/revoke-link", {}, page=page).status_code == 303
    deliver_mail()
    db.session.expire_all()
    new_token = db.session.get(StayRequest, stay.id).access_token

    calendar_app = client.application.test_client()  # a calendar client: no staff session
    replaced = calendar_app.get(f"/calendar/requests/{old_token}.ics")
    assert replaced.status_code == 200
    assert replaced.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert replaced.headers["Cache-Control"] == "private, no-cache"
    assert parse(replaced.data) == []  # a valid calendar for every parser, without the event
    assert b"BEGIN:VEVENT" not in replaced.data
    assert calendar_properties(replaced.data)["NAME"] == calendar_properties(subscribed)["NAME"]
    assert_no_secret(replaced.data, new_token)
    assert len(parse(download(client, new_token))) == 1

    deliver_mail()
    body = mail_text(smtp_server.one("claire@example.org", "Nouveau lien"))
    assert f"webcal://mpab.test/calendar/requests/{new_token}.ics" in body
    assert f"http://mpab.test/calendar/requests/{new_token}.ics" in body
    assert old_token not in body

    # Only a token that was really replaced: anything else is still unknown.
    assert client.get("/calendar/requests/not-a-real-token-at-all-000000000000.ics").status_code == 404
    assert client.get(f"/calendar/requests/{old_token[:-2]}xx.ics").status_code == 404
    assert client.get(f"/requests/{old_token}").status_code == 404  # the page itself stays gone


def test_replaced_links_leave_with_the_purge(client, runner, make_room, make_stay, make_staff, approve):
    admin = make_staff()
    long_ago = today() - timedelta(days=3 * 365)
    kept = approve(make_stay(start=long_ago), make_room())
    dropped = make_stay(start=long_ago)
    dropped.reject(by=admin, reason="Complet")
    dropped.decided_at = datetime.combine(long_ago, datetime.min.time(), UTC)
    old_tokens = []
    for stay in (kept, dropped):
        old_tokens.append(stay.access_token)
        stay.revoke_link(by=admin)
    db.session.commit()
    for token in old_tokens:
        assert client.get(f"/calendar/requests/{token}.ics").status_code == 200

    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "anonymised 1 approved stay " in result.output and "deleted 1 closed request " in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReplacedToken)) == 0
    for token in old_tokens:
        assert client.get(f"/calendar/requests/{token}.ics").status_code == 404
