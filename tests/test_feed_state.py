"""The feeds' version: raised in the same transaction as every change the feeds are built from."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from guesthouse.bookings.models import StayRequest
from guesthouse.bookings.operations import change_stay
from guesthouse.calendar.models import FeedState, current_feed_version
from guesthouse.database import today, utcnow
from guesthouse.extensions import db


def version() -> int:
    db.session.commit()  # read the committed state, as a request would
    return current_feed_version().version


def test_every_kind_of_change_raises_the_version(make_room, make_stay, make_closure, make_staff, approve):
    changes = []
    start = version()
    room = make_room()
    changes.append(("room added", version()))
    stay = make_stay()
    changes.append(("request submitted", version()))
    approve(stay, room)
    changes.append(("stay approved", version()))
    stay.departure += timedelta(days=1)
    db.session.commit()
    changes.append(("dates changed", version()))
    closure = make_closure(room=room, start_date=today() + timedelta(days=50))
    changes.append(("closure added", version()))
    closure.reason = "Peinture"
    db.session.commit()
    changes.append(("closure edited", version()))
    db.session.delete(closure)
    db.session.commit()
    changes.append(("closure deleted", version()))
    stay.cancel(by=make_staff(), reason="Reportée")
    db.session.commit()
    changes.append(("stay cancelled", version()))
    room.name = "Djoliba"
    db.session.commit()
    changes.append(("room renamed", version()))
    db.session.delete(stay)  # as the retention purge does
    db.session.commit()
    changes.append(("stay deleted", version()))
    previous = start
    for what, value in changes:
        assert value > previous, what
        previous = value


def test_reads_and_other_tables_leave_the_version_alone(client, make_staff, make_room):
    make_room()
    before = version()
    client.get("/calendar/occupancy.ics")
    make_staff()  # accounts are not in any feed
    db.session.scalars(sa.select(StayRequest)).all()
    assert version() == before


def test_the_bump_belongs_to_the_changes_transaction(make_room):
    room = make_room()
    before = version()
    room.beds = 5
    db.session.flush()
    assert db.session.scalar(sa.select(FeedState.version)) == before + 1  # same transaction
    db.session.rollback()
    assert version() == before  # rolled back with the change


def test_the_version_rises_once_per_transaction_however_many_flushes(make_room):
    room = make_room()
    before = version()
    room.beds = 3
    db.session.flush()
    room.name = "Djoliba"
    db.session.flush()
    assert version() == before + 1


def test_a_savepoint_rolled_back_takes_its_raise_with_it_and_no_later_one(make_room):
    room, other = make_room(), make_room()
    before = version()
    with pytest.raises(RuntimeError), db.session.begin_nested():
        room.beds = 7
        db.session.flush()
        raise RuntimeError("refused, as a double booking is")
    other.beds = 5
    assert version() == before + 1  # raised again by the change made after the savepoint


def test_a_session_outside_flask_is_tracked_too(app, make_room):
    room = make_room()
    before = version()
    with Session(db.engine) as session:
        session.get(type(room), room.id).beds = 4
        session.commit()
    assert version() == before + 1


def test_last_modified_moves_forward_even_when_the_clock_goes_back(make_room):
    ahead = int((utcnow() + timedelta(days=1)).timestamp())
    db.session.execute(sa.update(FeedState).values(modified_epoch=ahead))
    db.session.commit()
    make_room()
    state = db.session.get(FeedState, 1, populate_existing=True)
    assert state.modified_epoch == ahead + 1


def test_rescheduling_raises_the_sequence_once(make_room, make_staff, make_stay, approve):
    room = make_room()
    stay = approve(make_stay(), room)
    assert stay.sequence == 1  # raised by approve() itself
    change_stay(
        stay,
        by=make_staff(),
        arrival=stay.arrival - timedelta(days=1),
        departure=stay.departure,
        room_ids=[room.id],
    )
    db.session.commit()
    assert stay.sequence == 2
    stay.notes = "Arrivée tardive"
    db.session.commit()
    assert stay.sequence == 2  # not a rescheduling
