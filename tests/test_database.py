"""The schema on both databases: the migrations match the models, and PostgreSQL's own guard against
double booking holds even for a writer that skips the application's lock."""

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import check, downgrade, upgrade

from guesthouse.bookings.choices import StayStatus
from guesthouse.bookings.models import RoomAssignment, StayRequest
from guesthouse.extensions import db

from .conftest import TEST_DATABASE_URL, csrf_from

postgresql_only = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="PostgreSQL only: make test runs it when TEST_DATABASE_URL is set"
)


def test_migrations_match_the_models(app):
    check()  # exits non-zero, failing the test, if autogenerate would change anything


def assign(room_id: int, stay_id: int, arrival, departure) -> None:
    db.session.execute(
        sa.insert(RoomAssignment).values(
            stay_id=stay_id, room_id=room_id, arrival=arrival, departure=departure
        )
    )


@postgresql_only
def test_the_database_refuses_two_assignments_of_a_room_on_a_common_night(app, make_room, make_stay):
    room, other_room = make_room(), make_room()
    first, second = make_stay(nights=3), make_stay(nights=3)
    start = first.arrival
    assign(room.id, first.id, start, start + timedelta(days=3))
    db.session.commit()

    with pytest.raises(sa.exc.IntegrityError) as refused:
        assign(room.id, second.id, start + timedelta(days=2), start + timedelta(days=5))
    assert refused.value.orig.sqlstate == "23P01"
    assert "ex_room_assignments_no_overlap" in str(refused.value.orig)
    db.session.rollback()

    # Leaving on day D and arriving on day D share no night; another room is another room.
    assign(room.id, second.id, start + timedelta(days=3), start + timedelta(days=6))
    assign(other_room.id, second.id, start, start + timedelta(days=3))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RoomAssignment)) == 3


@postgresql_only
def test_a_writer_that_skips_the_lock_still_cannot_double_book_and_the_approver_gets_a_409(
    app, client, auth, database_url, make_room, make_stay
):
    room = make_room(name="Niger")
    first, second = make_stay(nights=4), make_stay(nights=4)
    first_id, second_id, room_id, first_reference = first.id, second.id, room.id, first.reference
    arrival, departure = first.arrival, first.departure
    earlier = {"arrival": arrival - timedelta(days=20), "departure": departure - timedelta(days=20)}
    assign(room_id, first_id, **earlier)  # the first stay holds the room three weeks before
    db.session.commit()
    auth.login()
    token = csrf_from(client.get(f"/staff/requests/{second_id}").get_data(as_text=True))
    db.session.remove()

    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    intruder = engine.connect()
    intruder_pid = intruder.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    # Another code path moves the first stay onto the second one's nights without locking the room (an
    # UPDATE of the assignment's dates takes no lock on it), and has not committed yet: the approver's
    # check cannot see the new dates, only the database's constraint can.
    intruder.execute(
        sa.update(RoomAssignment)
        .where(RoomAssignment.stay_id == first_id)
        .values(arrival=arrival, departure=departure)
    )

    responses = []
    approval = threading.Thread(
        target=lambda: responses.append(
            client.post(
                f"/staff/requests/{second_id}/approve", data={"rooms": [room_id], "csrf_token": token}
            )
        )
    )
    approval.start()
    try:
        wait_until_blocked_by(engine, intruder_pid)
    finally:
        intruder.commit()
        intruder.close()
        approval.join(30)
        engine.dispose()

    response = responses[0]
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Impossible de confirmer" in body and first_reference in body
    assert db.session.get(StayRequest, second_id).status == StayStatus.PENDING
    assignments = db.session.scalars(sa.select(RoomAssignment)).all()
    assert [(a.stay_id, a.room_id, a.arrival) for a in assignments] == [(first_id, room_id, arrival)]


def wait_until_blocked_by(engine: sa.Engine, blocker_pid: int, timeout: float = 20) -> None:
    """Wait until some session waits on a lock held by `blocker_pid` (the approval's insert)."""
    deadline = time.monotonic() + timeout
    with engine.connect() as watcher:
        while time.monotonic() < deadline:
            blocked = watcher.execute(
                sa.text("SELECT count(*) FROM pg_stat_activity WHERE :pid = ANY(pg_blocking_pids(pid))"),
                {"pid": blocker_pid},
            ).scalar()
            if blocked:
                return
            watcher.rollback()
            time.sleep(0.05)
    pytest.fail("the approval never reached the database's constraint check")


@postgresql_only
def test_the_no_overlap_migration_goes_down_and_up_again(app):
    def constraint_exists() -> bool:
        return bool(
            db.session.scalar(
                sa.text("SELECT count(*) FROM pg_constraint WHERE conname = 'ex_room_assignments_no_overlap'")
            )
        )

    assert constraint_exists()
    db.session.remove()
    downgrade(revision="i7_no_double_booking-1")
    assert not constraint_exists()
    db.session.remove()
    upgrade()
    assert constraint_exists()


def terminate_other_connections(database_url: str) -> int:
    """What a database restart does to the app's pooled connections: the server closes them."""
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return connection.execute(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
    finally:
        engine.dispose()


@postgresql_only
@pytest.mark.parametrize("idle_seconds, status", [(0.2, 200), (0.0, 503)])
def test_a_connection_lost_while_idle_is_replaced_before_use(database_url, tmp_path, idle_seconds, status):
    from guesthouse import create_app

    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        DATABASE_PING_IDLE_SECONDS=idle_seconds,
        DEMO_CREDENTIALS_FILE=str(tmp_path / "demo.txt"),
    )
    client = app.test_client()
    assert client.get("/healthz").status_code == 200  # a pooled connection, used and given back
    assert terminate_other_connections(database_url) >= 1
    time.sleep(0.3)
    # Tested after its idle time, the dead connection is replaced; untested (0: off), the request fails.
    assert client.get("/healthz").status_code == status
    with app.app_context():
        db.engine.dispose()
