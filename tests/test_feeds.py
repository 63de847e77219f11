"""What the calendar feeds show, and what every calendar client needs from them."""

from datetime import timedelta

from guesthouse.bookings.choices import StayStatus
from guesthouse.bookings.operations import change_stay
from guesthouse.cache import EXTENSION_KEY, Kept
from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.staff.models import Role

from .calendars import calendar_properties, parse, unfolded

PERSONAL = {
    "contact_name": "Zéphyrin Koné",
    "contact_email": "zephyrin.kone@example.org",
    "contact_phone": "+223 76 12 34 56",
    "organisation": "Association Secrète du Fleuve",
    "travellers": "Zéphyrin Koné\nFatoumata Diallo",
    "purpose": "Mission confidentielle de santé",
    "notes": "Allergie aux arachides",
}


def feed(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return response


def house(client):
    return parse(feed(client, "/calendar/occupancy.ics").data)


def test_empty_feeds_are_valid_calendars_for_every_client(client, make_room, make_stay, staff_token):
    room = make_room(name="Djoliba")
    token = staff_token()
    pending = make_stay()
    staff_url = f"/calendar/staff/{token}.ics"
    for url in (
        "/calendar/occupancy.ics",
        f"/calendar/rooms/{room.id}.ics",
        staff_url,
        f"/calendar/requests/{pending.access_token}.ics",
    ):
        body = feed(client, url).data
        properties = calendar_properties(body)
        assert "METHOD" not in properties
        assert properties["VERSION"] == "2.0"
        assert properties["PRODID"].startswith("-//")
        assert properties["NAME"] == properties["X-WR-CALNAME"]
        assert "Maison du Partenariat Angers-Bamako" in unfolded(body)
        assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
        assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in body
        if url != staff_url:
            assert parse(body) == []
    # The staff feed shows pending requests (the default setting): one tentative event.
    assert [e.status for e in parse(feed(client, staff_url).data)] == ["TENTATIVE"]


def test_occupancy_feed_shows_each_approved_room_and_closure_and_no_personal_data(
    client, make_room, make_stay, make_closure, approve, make_staff
):
    djoliba, niger, maine = make_room(name="Djoliba"), make_room(name="Niger"), make_room(name="Maine")
    start = today() + timedelta(days=12)
    stay = approve(make_stay(start=start, nights=4, guests=3, **PERSONAL), djoliba, niger)
    make_stay(start=start, organisation="En attente SARL")
    rejected = make_stay(start=start, organisation="Refusée SARL")
    rejected.reject(by=make_staff(), reason="Complet")
    cancelled = approve(make_stay(start=start, organisation="Annulée SARL"), maine)
    cancelled.cancel(by=None, reason="Mission reportée", actor_kind="requester")
    db.session.commit()
    make_closure(
        room=maine, start_date=start, end_date=start + timedelta(days=2), reason="Fuite chez M. Traoré"
    )
    make_closure(room=None, start_date=start + timedelta(days=20), end_date=start + timedelta(days=22))

    response = feed(client, "/calendar/occupancy.ics")
    events = parse(response.data)
    assert [e.start for e in events] == sorted(e.start for e in events)  # events come sorted
    assert sorted((e.start, e.summary, e.location, e.end) for e in events) == [
        (start, "Fermé", "Maine", start + timedelta(days=2)),
        (start, "Occupé", "Djoliba", start + timedelta(days=4)),
        (start, "Occupé", "Niger", start + timedelta(days=4)),
        (start + timedelta(days=20), "Fermé", "Toute la maison", start + timedelta(days=22)),
    ]
    assert {e.status for e in events} == {"CONFIRMED"}
    assert all(e.description is None for e in events)
    text = unfolded(response.data)
    for value in [
        *PERSONAL.values(),
        "Fatoumata",
        "SARL",
        "Traoré",
        "Complet",
        stay.reference,
        stay.ical_uid,
    ]:
        assert value not in text
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["Referrer-Policy"] == "same-origin"  # the site's default: nothing secret here
    assert "Set-Cookie" not in response.headers


def test_room_feed_shows_that_room_and_the_whole_house_closures(
    client, make_room, make_stay, make_closure, approve
):
    djoliba, niger = make_room(name="Djoliba"), make_room(name="Niger")
    start = today() + timedelta(days=5)
    approve(make_stay(start=start), djoliba)
    approve(make_stay(start=start + timedelta(days=10)), niger)
    make_closure(room=niger, start_date=start, end_date=start + timedelta(days=1))
    make_closure(room=None, start_date=start + timedelta(days=30), end_date=start + timedelta(days=31))

    events = parse(feed(client, f"/calendar/rooms/{djoliba.id}.ics").data)
    assert [(e.summary, e.location, e.start) for e in events] == [
        ("Occupé", "Djoliba", start),
        ("Fermé", "Toute la maison", start + timedelta(days=30)),
    ]
    properties = calendar_properties(feed(client, f"/calendar/rooms/{niger.id}.ics").data)
    assert "Niger" in properties["NAME"]
    assert client.get("/calendar/rooms/999.ics").status_code == 404
    assert client.get("/calendar/rooms/abc.ics").status_code == 404


def test_staff_feed_shows_references_organisations_travellers_and_rooms_but_no_contact(
    app, client, make_room, make_stay, make_closure, approve, staff_token
):
    djoliba, niger = make_room(name="Djoliba"), make_room(name="Niger")
    start = today() + timedelta(days=3)
    stay = approve(make_stay(start=start, guests=3, **PERSONAL), djoliba, niger)
    pending = make_stay(start=start + timedelta(days=40), organisation="Université d'Angers", guests=1)
    make_closure(room=None, start_date=start, end_date=start + timedelta(days=1), reason="Groupe électrogène")
    url = f"/calendar/staff/{staff_token()}.ics"

    response = feed(client, url)
    events = {e.summary: e for e in parse(response.data)}
    confirmed = f"{stay.reference} — Association Secrète du Fleuve, 3 voyageurs"
    tentative = f"[En attente] {pending.reference} — Université d'Angers, 1 voyageur"
    assert {(e.summary, e.status, e.location) for e in events.values()} == {
        (confirmed, "CONFIRMED", "Djoliba, Niger"),
        ("Fermé — Toute la maison", "CONFIRMED", "Toute la maison"),
        (tentative, "TENTATIVE", None),
    }
    assert events[confirmed].description.splitlines() == [
        f"Référence : {stay.reference}",
        "Organisation : Association Secrète du Fleuve",
        "Voyageurs : 3",
        "Chambres : Djoliba, Niger",
        f"Fiche : http://mpab.test/staff/requests/{stay.id}",
    ]
    assert events["Fermé — Toute la maison"].description == "Groupe électrogène"
    text = unfolded(response.data)
    for field in ("contact_name", "contact_email", "contact_phone", "travellers", "purpose", "notes"):
        assert PERSONAL[field] not in text
    assert "Fatoumata" not in text
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["Referrer-Policy"] == "no-referrer"

    app.config["STAFF_FEED_INCLUDE_PENDING"] = False
    assert [e.status for e in parse(feed(client, url).data)] == ["CONFIRMED", "CONFIRMED"]


def test_staff_feed_caps_pending_requests_and_skips_those_already_over(app, client, make_stay, staff_token):
    app.config["STAFF_FEED_MAX_PENDING"] = 2
    make_stay(start=today() - timedelta(days=10), nights=2)  # over: of no use to anyone
    soonest = [make_stay(start=today() + timedelta(days=d)) for d in (9, 5, 7)]
    events = parse(feed(client, f"/calendar/staff/{staff_token()}.ics").data)
    assert [e.start for e in events] == sorted(s.arrival for s in soonest)[:2]


def test_every_feed_covers_its_window_only(
    app, client, make_room, make_stay, make_closure, approve, staff_token
):
    app.config.update(FEED_DAYS_BEFORE=10, FEED_DAYS_AFTER=30)
    room = make_room(name="Djoliba")
    day = today()
    inside = [
        approve(make_stay(start=day - timedelta(days=10), nights=1), room),  # ends 9 days ago
        approve(make_stay(start=day + timedelta(days=29), nights=1), room),  # starts before the end
    ]
    approve(make_stay(start=day - timedelta(days=13), nights=3), room)  # left 10 days ago: outside
    approve(make_stay(start=day + timedelta(days=30), nights=2), room)  # starts at the end: outside
    make_closure(room=room, start_date=day - timedelta(days=30), end_date=day - timedelta(days=11))
    make_closure(room=None, start_date=day + timedelta(days=31), end_date=day + timedelta(days=32))
    expected = [s.arrival for s in inside]
    token = staff_token()
    for url in ("/calendar/occupancy.ics", f"/calendar/rooms/{room.id}.ics", f"/calendar/staff/{token}.ics"):
        assert [e.start for e in parse(feed(client, url).data)] == expected


def test_uids_are_unique_opaque_and_stable_across_edits(
    client, make_room, make_stay, make_closure, make_staff, approve, staff_token
):
    djoliba, niger = make_room(name="Djoliba"), make_room(name="Niger")
    start = today() + timedelta(days=10)
    stay = approve(make_stay(start=start), djoliba, niger)
    other = approve(make_stay(start=start + timedelta(days=5)), djoliba)
    make_closure(room=niger, start_date=start + timedelta(days=20))
    staff_url = f"/calendar/staff/{staff_token()}.ics"

    def uids(url):
        events = parse(feed(client, url).data)
        assert len({e.uid for e in events}) == len(events)
        return {e.uid: e for e in events}

    before = {url: uids(url) for url in ("/calendar/occupancy.ics", staff_url)}
    for events in before.values():
        for uid in events:
            assert uid.endswith("@mpab")
            assert stay.reference not in uid and str(stay.id) != uid.split("@")[0]
    assert not set(before["/calendar/occupancy.ics"]) & set(before[staff_url])

    # Move the stay, rename a room: same events, rescheduled, with a higher SEQUENCE. (Closures are
    # created and deleted, never moved: theirs stays 0.)
    change_stay(
        stay,
        by=make_staff(),
        arrival=start + timedelta(days=1),
        departure=start + timedelta(days=4),
        room_ids=[djoliba.id, niger.id],
    )
    niger.name = "Niger (rénovée)"
    db.session.commit()

    for url, old in before.items():
        new = uids(url)
        assert set(new) == set(old)
        moved = [uid for uid in new if new[uid].start != old[uid].start or new[uid].end != old[uid].end]
        assert len(moved) == (2 if url != staff_url else 1)  # the stay's two rooms; or the stay
        for uid in moved:
            assert new[uid].sequence == old[uid].sequence + 1
    assert other.sequence == 1


def test_same_data_gives_the_same_bytes(
    app, client, make_room, make_stay, make_closure, approve, staff_token
):
    room = make_room(name="Djoliba")
    approve(make_stay(), room)
    make_closure(room=None)
    make_stay(start=today() + timedelta(days=60))
    urls = [
        "/calendar/occupancy.ics",
        f"/calendar/rooms/{room.id}.ics",
        f"/calendar/staff/{staff_token()}.ics",
    ]
    first = {url: feed(client, url) for url in urls}
    app.extensions[EXTENSION_KEY] = Kept()  # as a freshly started worker would: built again from the data
    for url in urls:
        again = feed(client, url)
        assert again.data == first[url].data
        assert again.headers["ETag"] == first[url].headers["ETag"]


def test_a_new_pending_request_leaves_the_public_feed_and_its_etag_unchanged(
    client, make_room, make_stay, approve
):
    approve(make_stay(), make_room())
    first = feed(client, "/calendar/occupancy.ics")
    make_stay(start=today() + timedelta(days=40))  # raises the feed version
    assert (
        client.get("/calendar/occupancy.ics", headers={"If-None-Match": first.headers["ETag"]}).status_code
        == 304
    )


def test_staff_roles_see_the_same_staff_feed(client, make_staff, make_stay, staff_token):
    make_stay()
    admin = staff_token(make_staff(role=Role.ADMIN, email="admin@angers.example"))
    approver = staff_token(make_staff(role=Role.APPROVER))
    assert (
        feed(client, f"/calendar/staff/{admin}.ics").data
        == feed(client, f"/calendar/staff/{approver}.ics").data
    )


def test_requester_download_is_the_approved_stay_under_its_invitation_uid(
    client, make_room, make_stay, approve
):
    stay = make_stay(start=today() + timedelta(days=8), nights=5)
    url = f"/calendar/requests/{stay.access_token}.ics"
    assert parse(feed(client, url).data) == []  # pending: a valid, empty calendar

    approve(stay, make_room(name="Djoliba"))
    response = feed(client, url)
    (event,) = parse(response.data)
    assert event.uid == stay.ical_uid
    assert (event.start, event.end) == (stay.arrival, stay.departure)
    assert event.summary == "Séjour — Maison du Partenariat Angers-Bamako"
    assert event.status == "CONFIRMED" and event.sequence == stay.sequence
    assert f"Référence : {stay.reference}" in event.description
    assert "Chambres : Djoliba" in event.description
    assert "Site de la maison\u00a0: http://mpab.test/" in event.description  # public, not the private link
    assert stay.access_token not in response.get_data(as_text=True)
    assert response.headers["Content-Disposition"] == f'attachment; filename="{stay.reference}.ics"'
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "METHOD" not in calendar_properties(response.data)

    stay.cancel(by=None, reason="Mission reportée", actor_kind="requester")
    db.session.commit()
    assert stay.status == StayStatus.CANCELLED
    assert parse(feed(client, url).data) == []  # a subscribed calendar drops the event
    assert client.get("/calendar/requests/not-a-real-token-at-all-000000000000.ics").status_code == 404
