"""Properties of the feeds over arbitrary text: no personal data in public, no ICS injection for staff."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guesthouse.bookings.models import StayRequest
from guesthouse.calendar.ical import calendar_text
from guesthouse.database import today, utcnow
from guesthouse.extensions import db
from guesthouse.rooms.models import Closure, Room

from .calendars import parse, unfolded

# The app and its database come from function-scoped fixtures: each example below creates its rows
# and deletes them before the next one, so sharing them across examples is safe.
EXAMPLES = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Text a person may type, including what a calendar must escape or cannot carry: separators
# (, ; \ :), line breaks of every kind, control characters, and anything else Unicode has.
# Anything a person can send and store: no NUL (the forms refuse it; PostgreSQL cannot hold it).
# No lone surrogates (not UTF-8) and no NUL (PostgreSQL cannot store it; the forms refuse both).
storable = st.characters(exclude_characters="\x00", exclude_categories=("Cs",))
any_text = st.text(storable, max_size=200)
# Personal values carry a marker found nowhere else in a public feed, so that any leak of one, whole,
# folded or escaped, shows. Each fits its column, as the forms' length limits make sure.
MARK = "§"


def personal_of(length: int):
    return st.text(storable, max_size=length - 1).map(lambda text: MARK + text)


personal = personal_of(200)


@pytest.fixture
def house(app, make_room, make_staff):
    return {"room": make_room(name="Djoliba"), "staff": make_staff()}


def stay_with(house, **fields) -> StayRequest:
    start = today() + timedelta(days=7)
    stay = StayRequest(
        arrival=start,
        departure=start + timedelta(days=3),
        organisation_type="association",
        angers_based=True,
        cooperation_axis="culture",
        guests=2,
        rules_accepted_at=utcnow(),
        **fields,
    )
    stay.submit()
    db.session.add(stay)
    db.session.flush()
    stay.assign_reference()
    stay.approve(by=house["staff"], rooms=[house["room"]])
    db.session.commit()
    return stay


def remove(*rows) -> None:
    for row in rows:
        db.session.delete(row)
    db.session.commit()


@EXAMPLES
@given(
    contact_name=personal,
    contact_email=personal,
    contact_phone=personal_of(40),
    organisation=personal,
    travellers=personal,
    purpose=personal,
    notes=personal,
    reason=personal,
)
def test_public_feeds_never_show_what_requests_carry(client, house, reason, **fields):
    stay = stay_with(house, **fields)
    closure = Closure(room=None, start_date=stay.arrival, end_date=stay.departure, reason=reason)
    db.session.add(closure)
    db.session.commit()
    try:
        for url in ("/calendar/occupancy.ics", f"/calendar/rooms/{house['room'].id}.ics"):
            body = client.get(url).data
            assert MARK not in unfolded(body)
            assert MARK.encode() not in body
            events = parse(body)
            assert sorted((e.summary, e.location) for e in events) == [
                ("Fermé", "Toute la maison"),
                ("Occupé", "Djoliba"),
            ]
            assert all(e.description is None for e in events)
    finally:
        remove(stay, closure)


@EXAMPLES
@given(organisation=any_text, reason=any_text, room_name=st.text(storable, min_size=1, max_size=80))
def test_staff_feed_text_round_trips_through_every_parser(
    client, house, staff_token, organisation, reason, room_name
):
    room: Room = house["room"]
    room.name = room_name
    stay = stay_with(house, contact_name="Awa", contact_email="awa@example.org", organisation=organisation)
    closure = Closure(
        room=room, start_date=stay.departure, end_date=stay.departure + timedelta(days=1), reason=reason
    )
    db.session.add(closure)
    db.session.commit()
    try:
        body = client.get(f"/calendar/staff/{staff_token(house['staff'])}.ics").data
        stay_event, closure_event = parse(body)  # exactly two events: nothing injected
        shown_org, shown_room = calendar_text(organisation), calendar_text(room_name)
        assert stay_event.summary == f"{stay.reference} — {shown_org}, 2 voyageurs"
        assert stay_event.location == (shown_room or None)  # an empty LOCATION is left out
        assert stay_event.description == "\n".join(
            [
                f"Référence : {stay.reference}",
                f"Organisation : {shown_org}",
                "Voyageurs : 2",
                f"Chambres : {shown_room}",
                f"Fiche : http://mpab.test/staff/requests/{stay.id}",
            ]
        )
        assert closure_event.description == calendar_text(reason)
        assert closure_event.summary == f"Fermé — {shown_room}"
    finally:
        remove(stay, closure)


@given(any_text)
def test_calendar_text_only_drops_what_no_calendar_can_carry(text):
    shown = calendar_text(text)
    assert calendar_text(shown) == shown
    if not any(ch < " " and ch not in "\t\n" or ch in "\x7f\ufeff" for ch in text):
        assert shown == text  # ordinary text, line feeds and tabs included, is kept exactly
