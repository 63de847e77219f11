"""HTTP caching of the calendar feeds (ETag, Last-Modified, 304) and the staff feed's secret tokens."""

from contextlib import contextmanager
from datetime import timedelta
from hashlib import sha256

import sqlalchemy as sa
from werkzeug.http import http_date, parse_date

from guesthouse.database import today, utcnow
from guesthouse.extensions import db
from guesthouse.staff.models import StaffUser

from .calendars import parse
from .conftest import csrf_from

OCCUPANCY = "/calendar/occupancy.ics"
FEED_STATE = sa.table("feed_state", sa.column("modified_epoch"))


@contextmanager
def counted_queries():
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def conditional(client, url, **headers):
    return client.get(url, headers={k.replace("_", "-"): v for k, v in headers.items()})


def age_feed_state(seconds: int = 60) -> None:
    """As if the last change had been made a minute ago.

    Every change moves Last-Modified forward by at least a second, so the many commits a test makes in
    one second push it ahead of the clock; until the clock catches up, If-Modified-Since cannot give a
    304 (the feed is sent again: never stale). Tests of that 304 let the time pass this way.
    """
    db.session.execute(sa.update(FEED_STATE).values(modified_epoch=FEED_STATE.c.modified_epoch - seconds))
    db.session.commit()


def test_if_none_match_and_if_modified_since_give_304(client, make_room, make_stay, approve):
    approve(make_stay(), make_room())
    age_feed_state()
    first = client.get(OCCUPANCY)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    assert etag.strip('"') == sha256(first.data).hexdigest()  # computed from the body

    for headers in (
        {"If_None_Match": etag},
        {"If_None_Match": f'"other", {etag}'},
        {"If_None_Match": f"W/{etag}"},  # If-None-Match compares weakly
        {"If_None_Match": "*"},
        {"If_Modified_Since": last_modified},
    ):
        response = conditional(client, OCCUPANCY, **headers)
        assert response.status_code == 304, headers
        assert response.data == b""
        assert response.headers["ETag"] == etag
        assert response.headers["Cache-Control"] == "public, max-age=300"

    # If-None-Match takes precedence over If-Modified-Since.
    later = http_date(utcnow() + timedelta(days=1))
    assert conditional(client, OCCUPANCY, If_None_Match='"other"', If_Modified_Since=later).status_code == 200
    assert conditional(client, OCCUPANCY, If_Modified_Since="not a date").status_code == 200
    assert conditional(client, OCCUPANCY, If_Match='"other"').status_code == 412
    assert conditional(client, OCCUPANCY, If_Match=etag).status_code == 200
    assert client.head(OCCUPANCY, headers={"If-None-Match": etag}).status_code == 304


def fetch(client, url=OCCUPANCY):
    response = client.get(url)
    assert response.status_code == 200
    return response


def revalidate(client, previous, url=OCCUPANCY):
    """What a client holding `previous` gets by its ETag; asking by date never gets a stale 304."""
    by_etag = conditional(client, url, If_None_Match=previous.headers["ETag"])
    by_date = conditional(client, url, If_Modified_Since=previous.headers["Last-Modified"])
    if by_etag.status_code == 200:
        assert by_date.status_code == 200
        assert by_date.data == by_etag.data
    return by_etag


def test_an_edit_a_cancellation_and_a_deletion_each_end_the_304s(
    client, auth, form_post, make_room, make_stay, make_closure, approve
):
    auth.login_admin()
    room = make_room(name="Djoliba")
    start = today() + timedelta(days=10)
    stay = approve(make_stay(start=start), room)
    closure = make_closure(room=None, start_date=start + timedelta(days=30))
    current = fetch(client)
    assert revalidate(client, current).status_code == 304

    # An edit: the closure is extended.
    closure.end_date = closure.end_date + timedelta(days=2)
    db.session.commit()
    edited = revalidate(client, current)
    assert edited.status_code == 200
    assert edited.headers["ETag"] != current.headers["ETag"]
    assert parse_date(edited.headers["Last-Modified"]) >= parse_date(current.headers["Last-Modified"])
    assert [e.end for e in parse(edited.data)][-1] == closure.end_date
    assert revalidate(client, edited).status_code == 304

    # A cancellation, through the staff page.
    response = form_post(
        f"/staff/requests/{stay.id}/cancel", {"reason": "Mission reportée"}, page=f"/staff/requests/{stay.id}"
    )
    assert response.status_code == 303
    cancelled = revalidate(client, edited)
    assert cancelled.status_code == 200
    assert [e.summary for e in parse(cancelled.data)] == ["Fermé"]
    assert revalidate(client, cancelled).status_code == 304

    # A deletion, through the closures page: the feed is empty, and Last-Modified did not go back.
    response = form_post(f"/staff/closures/{closure.id}/delete", {"confirm": "yes"}, page="/staff/closures")
    assert response.status_code == 303
    deleted = revalidate(client, cancelled)
    assert deleted.status_code == 200
    assert parse(deleted.data) == []
    assert parse_date(deleted.headers["Last-Modified"]) >= parse_date(cancelled.headers["Last-Modified"])


def test_if_modified_since_sees_every_change_even_within_one_second(client, make_room, make_stay, approve):
    room = make_room()
    age_feed_state()
    first = fetch(client)
    assert revalidate(client, first).status_code == 304
    by_date = conditional(client, OCCUPANCY, If_Modified_Since=first.headers["Last-Modified"])
    assert by_date.status_code == 304

    approve(make_stay(), room)  # a change: Last-Modified moves to now
    second = fetch(client)
    assert conditional(client, OCCUPANCY, If_Modified_Since=first.headers["Last-Modified"]).status_code == 200
    approve(make_stay(start=today() + timedelta(days=40)), room)  # another, within the same second
    third = conditional(client, OCCUPANCY, If_Modified_Since=second.headers["Last-Modified"])
    assert third.status_code == 200
    assert len(parse(third.data)) == 2


def test_last_modified_is_never_announced_in_the_future(client):
    future = int((utcnow() + timedelta(hours=2)).timestamp())
    db.session.execute(sa.update(FEED_STATE).values(modified_epoch=future))
    db.session.commit()
    response = fetch(client)
    assert parse_date(response.headers["Last-Modified"]) <= utcnow()
    # The client's date is older than the stored one: it gets the feed again, never a stale 304.
    by_date = conditional(client, OCCUPANCY, If_Modified_Since=response.headers["Last-Modified"])
    assert by_date.status_code == 200


def test_a_304_costs_one_query_and_a_feed_a_fixed_number(
    client, make_room, make_stay, make_closure, approve, staff_token
):
    rooms = [make_room() for _ in range(3)]
    token = staff_token()
    staff_url = f"/calendar/staff/{token}.ics"

    def queries(url, **headers):
        with counted_queries() as statements:
            response = client.get(url, headers=headers)
        assert response.status_code in (200, 304)
        return len(statements)

    def add_data(offset):
        for i, room in enumerate(rooms):
            approve(make_stay(start=today() + timedelta(days=offset + 5 * i)), room)
        make_closure(room=rooms[0], start_date=today() + timedelta(days=offset + 50))
        make_stay(start=today() + timedelta(days=offset + 60))

    add_data(0)
    small = {url: queries(url) for url in (OCCUPANCY, f"/calendar/rooms/{rooms[0].id}.ics", staff_url)}
    for offset in (100, 200):
        add_data(offset)
    for url, count in small.items():
        assert queries(url) == count  # built again, with three times the events: same number of queries
        etag = client.get(url).headers["ETag"]
        assert queries(url, **{"If-None-Match": etag}) <= (1 if url == OCCUPANCY else 2)


def test_a_wrong_token_gets_404(client, make_staff, staff_token):
    token = staff_token()
    assert client.get(f"/calendar/staff/{token}.ics").status_code == 200
    for wrong in (
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        "short",
        "x" * 500,
        sha256(token.encode()).hexdigest(),  # the stored hash is not a token
    ):
        assert client.get(f"/calendar/staff/{wrong}.ics").status_code == 404, wrong
    # A NUL byte is refused before any lookup, with a message (guesthouse/security/inputs.py).
    assert client.get(f"/calendar/staff/{token}%00.ics").status_code == 400


def test_tokens_are_random_stored_hashed_and_one_per_staff_member(make_staff, staff_token):
    user = make_staff()
    token = staff_token(user)
    assert len(token) >= 43  # 32 random bytes: 256 bits
    assert user.calendar_token_hash == sha256(token.encode()).hexdigest()
    stored = db.session.execute(sa.text("SELECT * FROM staff_users")).all()
    assert token not in repr(stored)
    assert staff_token(make_staff()) != token


def test_regenerating_or_deactivating_ends_the_old_address_at_once(client, auth, form_post):
    user = auth.login()
    response = form_post("/staff/profile/calendar-token", {}, page="/staff/profile", follow_redirects=True)
    first = response.get_data(as_text=True).split("/calendar/staff/")[1].split(".ics")[0]
    assert client.get(f"/calendar/staff/{first}.ics").status_code == 200

    response = form_post("/staff/profile/calendar-token", {}, page="/staff/profile", follow_redirects=True)
    second = response.get_data(as_text=True).split("/calendar/staff/")[1].split(".ics")[0]
    assert second != first
    assert client.get(f"/calendar/staff/{first}.ics").status_code == 404
    assert client.get(f"/calendar/staff/{second}.ics").status_code == 200

    response = form_post("/staff/profile/calendar-token/delete", {}, page="/staff/profile")
    assert response.status_code == 303
    assert client.get(f"/calendar/staff/{second}.ics").status_code == 404
    db.session.refresh(user)
    assert user.calendar_token_hash is None


def test_a_deactivated_account_loses_its_feed(client, make_staff, staff_token):
    user = make_staff()
    token = staff_token(user)
    user.active = False
    db.session.commit()
    assert client.get(f"/calendar/staff/{token}.ics").status_code == 404


def test_token_routes_refuse_posts_without_csrf(client, auth):
    user = auth.login()
    page = client.get("/staff/profile").get_data(as_text=True)
    assert csrf_from(page)
    assert client.post("/staff/profile/calendar-token").status_code == 400
    db.session.refresh(user)
    assert db.session.get(StaffUser, user.id).calendar_token_hash is None


def test_staff_feed_304_keeps_private_headers(client, make_stay, staff_token):
    make_stay()
    url = f"/calendar/staff/{staff_token()}.ics"
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == "private, no-cache"
    assert again.headers["Referrer-Policy"] == "no-referrer"
    assert len(parse(first.data)) == 1
