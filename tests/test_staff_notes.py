"""Notes between staff: shown to staff, never to the requester (page, mails, feeds, public pages); in the
person's data export; erased with the request's personal data."""

import json
import re
from datetime import timedelta
from html import unescape

import sqlalchemy as sa

from guesthouse.access_log.models import AccessKind, AccessRecord
from guesthouse.bookings.notes import StaffNote
from guesthouse.database import today, utcnow
from guesthouse.extensions import db
from guesthouse.mail.models import OutboxMessage
from guesthouse.staff.models import Role

from .conftest import csrf_from, deliver_mail

NOTE = "Délégation sensible : prévoir l'escorte Kéléya de la mairie"
SECRET = "Kéléya"  # a word of the note that no page, mail or feed holds otherwise


def text(response) -> str:
    """What the page says, tags removed."""
    html = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(unescape(html).replace("\xa0", " ").split())


def note_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(StaffNote))


def add_note(form_post, stay, body=NOTE):
    url = f"/staff/requests/{stay.id}"
    return form_post(f"{url}/notes", {"body": body}, page=url)


def test_a_note_shows_on_the_staff_page_with_who_and_when(client, auth, form_post, make_stay):
    agent = auth.login()
    stay = make_stay()
    response = add_note(form_post, stay)
    assert response.status_code == 303 and response.headers["Location"].endswith(
        f"/staff/requests/{stay.id}#notes"
    )
    page = text(client.get(f"/staff/requests/{stay.id}"))
    assert "Notes du service 1" in page
    assert f"{agent.name} — " in page and "(heure de Paris)" in page and NOTE in page
    assert "Note enregistrée." in page


def test_a_caretaker_adds_a_note_on_an_approved_stay_not_on_a_pending_one(
    client, auth, form_post, make_staff, make_stay, make_room, approve
):
    stay = approve(make_stay(), make_room())
    pending = make_stay()
    auth.login(make_staff(role=Role.CARETAKER, email="intendance@angers.example", name="Boubacar Intendant"))
    response = add_note(form_post, stay, body="Chauffeur prévenu pour l'arrivée de 18 h 45")
    assert response.status_code == 303
    page = text(client.get(f"/staff/requests/{stay.id}"))
    assert "Boubacar Intendant — " in page and "Chauffeur prévenu pour l'arrivée de 18 h 45" in page
    token = csrf_from(client.get(f"/staff/requests/{stay.id}").get_data(as_text=True))
    refused = client.post(f"/staff/requests/{pending.id}/notes", data={"body": "x", "csrf_token": token})
    assert refused.status_code == 403 and note_count() == 1

    def viewings() -> int:
        found = sa.select(sa.func.count()).where(
            AccessRecord.kind == AccessKind.REQUEST, AccessRecord.stay_references.contains(stay.reference)
        )
        return db.session.scalar(found)

    before = viewings()
    empty = add_note(form_post, stay, body="  ")  # the page, for its token, then the note
    assert empty.status_code == 400 and "Écrivez la note avant de l'enregistrer." in text(empty)
    # The page shown again with the message holds the request's details: that viewing is recorded too.
    assert viewings() == before + 2


def test_an_empty_note_is_refused_with_a_message(client, auth, form_post, make_stay):
    auth.login()
    stay = make_stay()
    response = add_note(form_post, stay, body="   ")
    assert response.status_code == 400
    assert "Écrivez la note avant de l'enregistrer." in text(response)
    assert add_note(form_post, stay, body="x" * 4001).status_code == 400
    assert note_count() == 0
    assert client.post("/staff/requests/999999/notes", data={"body": "x"}).status_code in (400, 404)


def test_notes_never_reach_the_requester(
    client, auth, form_post, make_stay, make_room, smtp_server, staff_token
):
    auth.login()
    room = make_room(name="Djoliba")
    stay = make_stay(contact_email="awa@example.org")
    assert add_note(form_post, stay).status_code == 303
    url = f"/staff/requests/{stay.id}"
    assert (
        form_post(f"{url}/approve", {"rooms": [room.id], "message": "Bienvenue"}, page=url).status_code == 303
    )
    assert add_note(form_post, stay, body=NOTE + " (bis)").status_code == 303

    public = [
        f"/requests/{stay.access_token}",
        f"/calendar/requests/{stay.access_token}.ics",
        f"/calendar/staff/{staff_token()}.ics",
        "/calendar/occupancy.ics",
        f"/calendar/rooms/{room.id}.ics",
        "/",
        "/availability",
    ]
    for path in public:
        response = client.get(path)
        assert response.status_code == 200, path
        assert SECRET not in response.get_data(as_text=True), path
    assert form_post(f"{url}/cancel", {"reason": "Mission reportée"}, page=url).status_code == 303
    deliver_mail()
    assert smtp_server.to("awa@example.org"), "the requester got the approval and the cancellation"
    for mail in smtp_server.messages:
        for part in mail.walk():
            if not part.is_multipart():
                assert SECRET not in str(part.get_content()), mail["Subject"]
    for message in db.session.scalars(sa.select(OutboxMessage)):
        assert SECRET not in message.text_body + message.html_body + (message.ics or "")


def test_notes_are_in_the_export_and_go_with_the_erasure(client, auth, form_post, make_stay, make_staff):
    auth.login(make_staff(role=Role.ADMIN, email="admin@angers.example"))
    stay = make_stay(contact_email="awa@example.org")
    other = make_stay(contact_email="quelquun@example.org")
    add_note(form_post, stay)
    add_note(form_post, other, body="Autre note")

    token = csrf_from(client.get("/staff/privacy").get_data(as_text=True))
    response = client.post("/staff/privacy/export", data={"email": "awa@example.org", "csrf_token": token})
    [exported] = json.loads(response.get_data(as_text=True))["stay_requests"]
    assert [(n["by"], n["text"]) for n in exported["staff_notes"]] == [("staff", NOTE)]
    assert exported["staff_notes"][0]["at"]

    erased = client.post(
        "/staff/privacy/erase", data={"email": "awa@example.org", "confirm": "y", "csrf_token": token}
    )
    assert erased.status_code == 303
    db.session.expire_all()
    assert [n.body for n in db.session.scalars(sa.select(StaffNote))] == ["Autre note"]
    page = text(client.get(f"/staff/requests/{stay.id}"))
    assert NOTE not in page and "Notes du service 0" in page
    refused = add_note(form_post, stay, body="Encore une")
    assert refused.status_code == 409 and "elle ne reçoit plus de notes" in text(refused)
    assert note_count() == 1


def test_the_purge_erases_notes_of_old_stays(runner, auth, form_post, make_stay, make_room):
    agent = auth.login()
    old = today() - timedelta(days=3 * 365)
    approved = make_stay(start=old, contact_email="ancien@example.org")
    approved.approve(by=agent, rooms=[make_room()])
    refused = make_stay(start=old + timedelta(days=10))
    refused.reject(by=agent, reason="Complet")
    refused.decided_at = utcnow() - timedelta(days=3 * 365)
    db.session.commit()
    add_note(form_post, approved)
    add_note(form_post, refused)
    assert note_count() == 2
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert note_count() == 0  # erased with the approved stay's data, deleted with the refused request
    assert "anonymised 1 approved stay ended" in result.output
    assert "deleted 1 closed request over" in result.output
