"""The booking rules at model and operation level: half-open nights, states, availability."""

from datetime import date, timedelta

import pytest

from guesthouse.bookings.choices import StayStatus
from guesthouse.bookings.models import TransitionError
from guesthouse.bookings.operations import (
    BookingConflict,
    approve_stay,
    availability,
    find_conflicts,
    nights_between,
    overlaps,
)
from guesthouse.database import today
from guesthouse.extensions import db

D = date(2027, 3, 10)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((0, 3), (3, 5), False),  # leaving on day D, arriving on day D
        ((3, 5), (0, 3), False),
        ((0, 3), (2, 5), True),
        ((0, 5), (1, 2), True),
        ((1, 2), (0, 5), True),
        ((0, 1), (0, 1), True),
        ((0, 1), (1, 2), False),
    ],
)
def test_nights_are_half_open(a, b, expected):
    day = lambda n: D + timedelta(days=n)  # noqa: E731
    assert overlaps(day(a[0]), day(a[1]), day(b[0]), day(b[1])) is expected


def test_nights_between_excludes_the_departure_day():
    assert nights_between(D, D + timedelta(days=2)) == [D, D + timedelta(days=1)]
    assert nights_between(D, D) == []


def test_state_machine(make_room, make_staff, make_stay):
    staff = make_staff()
    room = make_room()
    stay = make_stay()
    assert stay.status == StayStatus.PENDING
    stay.approve(by=staff, rooms=[room])
    assert stay.status == StayStatus.APPROVED and stay.sequence == 1 and stay.decided_at
    with pytest.raises(TransitionError):
        stay.approve(by=staff, rooms=[room])
    with pytest.raises(TransitionError):
        stay.reject(by=staff, reason="non")
    stay.cancel(by=staff, reason="reporté")
    assert stay.status == StayStatus.CANCELLED and stay.assignments == [] and stay.sequence == 2
    for action in (lambda: stay.cancel(by=staff, reason="x"), lambda: stay.reject(by=staff, reason="x")):
        with pytest.raises(TransitionError):
            action()
    assert [e.action for e in stay.events] == ["submitted", "approved", "cancelled"]
    assert stay.events[-1].message == "reporté" and stay.events[-1].actor is staff
    assert stay.events[-1].details["rooms"] == [room.name]

    refused = make_stay()
    refused.reject(by=staff, reason="complet")
    with pytest.raises(TransitionError):
        refused.cancel(by=staff, reason="x")


def test_conflicts_cover_stays_and_closures(make_room, make_staff, make_stay, make_closure):
    staff = make_staff()
    room, other = make_room(), make_room()
    start = today() + timedelta(days=10)
    holder = make_stay(start=start, nights=3)
    approve_stay(holder, by=staff, room_ids=[room.id], message="")
    db.session.commit()
    assert find_conflicts([room.id], start + timedelta(days=3), start + timedelta(days=5)) == []
    [conflict] = find_conflicts([room.id, other.id], start + timedelta(days=2), start + timedelta(days=5))
    assert conflict.kind == "stay" and conflict.label == holder.reference and conflict.room.id == room.id
    make_closure(room_id=None, start_date=start + timedelta(days=6), end_date=start + timedelta(days=7))
    house = find_conflicts([room.id, other.id], start + timedelta(days=6), start + timedelta(days=8))
    assert {c.room.id for c in house} == {room.id, other.id} and {c.kind for c in house} == {"closure"}
    late = make_stay(start=start + timedelta(days=1), nights=1)
    with pytest.raises(BookingConflict):
        approve_stay(late, by=staff, room_ids=[room.id], message="")
    db.session.rollback()


def test_availability_counts_free_rooms_and_beds(make_room, make_staff, make_stay, make_closure):
    staff = make_staff()
    big, small = make_room(beds=3), make_room(beds=1)
    make_room(beds=5, active=False)  # out of booking: never counted
    start = today() + timedelta(days=1)
    stay = make_stay(start=start + timedelta(days=1), nights=2)
    approve_stay(stay, by=staff, room_ids=[big.id], message="")
    db.session.commit()
    make_closure(room_id=small.id, start_date=start + timedelta(days=2), end_date=start + timedelta(days=3))
    make_closure(room_id=None, start_date=start + timedelta(days=4), end_date=start + timedelta(days=5))
    nights = availability(start, 6)
    assert [(n.free_rooms, n.free_beds, n.closed) for n in nights] == [
        (2, 4, False),
        (1, 1, False),
        (0, 0, False),
        (2, 4, False),
        (0, 0, True),
        (2, 4, False),
    ]
