"""The waiting lists: full dates said before sending, joining, being told in order, leaving, the purge."""

from datetime import timedelta
from html import unescape

import sqlalchemy as sa

from guesthouse.closing.models import WaitlistEntry
from guesthouse.database import today
from guesthouse.extensions import db

from .conftest import csrf_from, deliver_mail, valid_request_form


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def plain(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def dates(start, nights=3) -> dict:
    return {"arrival": start.isoformat(), "departure": (start + timedelta(days=nights)).isoformat()}


def join(client, email, language, start, guests=2, **extra):
    token = csrf_from(client.get("/waitlist/dates").get_data(as_text=True))
    data = {
        **dates(start),
        "guests": str(guests),
        "contact_name": "Awa Traoré",
        "email": email,
        "locale": language,
        "website": "",
        "csrf_token": token,
        **extra,
    }
    return client.post("/waitlist/dates", data=data)


def full_house(make_room, make_stay, approve):
    """One room of two beds, held by an approved stay; a second room closed to booking."""
    room = make_room(name="Djoliba", beds=2)
    spare = make_room(name="Niger", beds=2, active=False)
    start = today() + timedelta(days=20)
    held = approve(make_stay(start=start, nights=5, guests=2), room)
    return start, held, spare


def test_full_dates_are_said_before_sending_and_the_waiting_list_offered(
    client, form_post, make_room, make_stay, approve
):
    start, _held, _spare = full_house(make_room, make_stay, approve)
    query = {**dates(start), "guests": "2"}
    html = text_of(client.get("/requests/new", query_string=query))
    assert "Il ne reste pas assez de lits libres pour ces nuits" in html
    assert f"/waitlist/dates?arrival={start.isoformat()}" in html
    response = form_post("/requests/new", valid_request_form(**dates(start)))
    assert response.status_code == 400
    assert "Il ne reste pas assez de lits libres pour ces nuits" in text_of(response)
    # The waiting list's form opens with the dates.
    page = text_of(client.get("/waitlist/dates", query_string=query))
    assert f'value="{start.isoformat()}"' in page


def test_people_waiting_are_told_in_order_when_beds_free_up_one_mail_each(
    app, client, auth, make_room, make_stay, approve, smtp_server, form_post
):
    start, held, spare = full_house(make_room, make_stay, approve)
    visitor = app.test_client()
    assert join(visitor, "premiere@example.org", "fr", start).status_code == 303
    assert join(visitor, "second@example.org", "en", start).status_code == 303
    assert join(visitor, "second@example.org", "en", start).status_code == 303  # once on the list
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WaitlistEntry)) == 2

    auth.login_admin()
    page = f"/staff/requests/{held.id}"
    assert form_post(f"{page}/cancel", {"reason": "Mission reportée"}, page=page).status_code == 303
    deliver_mail()
    mail = smtp_server.one("premiere@example.org", "Des lits se sont libérés")
    text = plain(mail)
    assert f"/requests/new?arrival={start.isoformat()}&departure=" in text
    assert "guests=2" in text
    entry = db.session.scalar(sa.select(WaitlistEntry).filter_by(email="premiere@example.org"))
    assert f"/waitlist/{entry.token}" in text
    # Two beds freed, taken by the first in line: the second is not told of the same beds.
    assert smtp_server.to("second@example.org") == []

    # A room reopened: now the second is told, in English, and the first not again.
    edit = f"/staff/rooms/{spare.id}"
    assert (
        form_post(
            edit, {"name": "Niger", "beds": "2", "description": "", "active": "y"}, page=edit
        ).status_code
        == 303
    )
    deliver_mail()
    english = smtp_server.one("second@example.org", "Beds have freed up")
    assert "You were waiting for beds" in plain(english)
    assert len(smtp_server.to("premiere@example.org")) == 1

    staff = text_of(client.get("/staff/waitlist"))
    assert "Dates complètes\u00a0: 2 inscriptions" in staff
    assert "premiere@example.org" in staff and "second@example.org" in staff


def test_joining_refuses_a_robot_and_dates_with_free_beds(app, make_room):
    make_room(beds=4)
    visitor = app.test_client()
    start = today() + timedelta(days=20)
    robot = join(visitor, "robot@example.org", "fr", start, website="http://spam.example")
    assert robot.status_code == 400
    free = join(visitor, "awa@example.org", "fr", start)
    assert free.status_code == 400
    assert (
        "Ces nuits ont assez de lits libres\u00a0: envoyez directement votre demande de séjour."
        in text_of(free)
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WaitlistEntry)) == 0


def test_the_link_in_the_mail_leaves_the_list(app, make_room, make_stay, approve):
    start, _held, _spare = full_house(make_room, make_stay, approve)
    visitor = app.test_client()
    assert join(visitor, "awa@example.org", "fr", start).status_code == 303
    entry = db.session.scalar(sa.select(WaitlistEntry))
    page = f"/waitlist/{entry.token}"
    assert "awa@example.org" in text_of(visitor.get(page))
    token = csrf_from(visitor.get(page).get_data(as_text=True))
    response = visitor.post(f"{page}/leave", data={"csrf_token": token})
    assert response.status_code == 303
    assert "Vous avez quitté la liste d'attente" in text_of(visitor.get("/"))
    assert visitor.get(page).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WaitlistEntry)) == 0


def test_the_purge_deletes_entries_whose_time_is_over_and_the_notice_says_so(app, client, runner):
    from guesthouse.database import utcnow

    past, future = today(), today() + timedelta(days=10)
    db.session.add_all(
        [
            WaitlistEntry(kind="dates", email="a@example.org", arrival=past, departure=future, guests=1),
            WaitlistEntry(
                kind="dates",
                email="b@example.org",
                arrival=future,
                departure=future + timedelta(days=2),
                guests=1,
            ),
            WaitlistEntry(kind="reopening", email="c@example.org", told_at=utcnow() - timedelta(days=2)),
            WaitlistEntry(kind="reopening", email="d@example.org"),
        ]
    )
    db.session.commit()
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "deleted 2 waiting-list entries whose dates came or whose wait is over" in result.output
    left = sorted(db.session.scalars(sa.select(WaitlistEntry.email)))
    assert left == ["b@example.org", "d@example.org"]
    assert "Listes d'attente (dates complètes, réouverture de la maison)" in text_of(
        client.get("/confidentialite")
    )
