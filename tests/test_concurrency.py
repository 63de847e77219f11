"""Never double-book: eight approvers in eight processes approve overlapping stays of one room at once.

Each process builds its own app, engine and connection from the database URL and logs in with its own
client, as separate gunicorn workers (or machines) would; they all post at the same instant. Forked rather
than spawned, so that they start in a fraction of a second: the parent disposes of its engine first, so
no child inherits one of its connections.
"""

import multiprocessing
from datetime import timedelta

import sqlalchemy as sa

from guesthouse.bookings.choices import StayStatus
from guesthouse.bookings.models import RoomAssignment, StayRequest
from guesthouse.database import today
from guesthouse.extensions import db

from .conftest import STAFF_PASSWORD, csrf_from

APPROVERS = 8
TIMEOUT = 60


def approve_in_process(database_url, email, stay_id, room_id, ready, results):
    """One approver: log in, open the request, wait for the others, then approve."""
    from guesthouse import create_app

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    client = app.test_client()
    token = csrf_from(client.get("/staff/login").get_data(as_text=True))
    login = client.post(
        "/staff/login", data={"email": email, "password": STAFF_PASSWORD, "csrf_token": token}
    )
    page = client.get(f"/staff/requests/{stay_id}").get_data(as_text=True)
    token = csrf_from(page)
    ready.wait(TIMEOUT)
    response = client.post(
        f"/staff/requests/{stay_id}/approve", data={"rooms": [room_id], "csrf_token": token}
    )
    results.put((stay_id, login.status_code, response.status_code, response.get_data(as_text=True)))
    with app.app_context():
        db.engine.dispose()


def test_concurrent_approvals_in_processes_have_exactly_one_winner(
    app, database_url, make_room, make_staff, make_stay
):
    room = make_room(name="Djoliba", beds=2)
    start = today() + timedelta(days=15)
    # Eight pending stays, each overlapping all the others on at least one night.
    stays = [make_stay(start=start + timedelta(days=i % 3), nights=4) for i in range(APPROVERS)]
    staff = [make_staff(email=f"approver{i}@angers.example") for i in range(APPROVERS)]
    approvals = [(user.email, stay.id) for user, stay in zip(staff, stays, strict=True)]
    room_id = room.id
    # The test's own connection holds no lock or snapshot while they run, and no forked child inherits it.
    db.session.remove()
    db.engine.dispose()

    context = multiprocessing.get_context("fork")
    ready = context.Barrier(APPROVERS)
    results = context.Queue()
    processes = [
        context.Process(
            target=approve_in_process,
            args=(database_url, email, stay_id, room_id, ready, results),
        )
        for email, stay_id in approvals
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=TIMEOUT) for _ in processes]
    for process in processes:
        process.join(TIMEOUT)
        assert process.exitcode == 0

    assert all(login == 303 for _stay, login, _code, _body in outcomes)
    codes = sorted(code for _stay, _login, code, _body in outcomes)
    assert codes == [303] + [409] * (APPROVERS - 1), codes
    for _stay, _login, code, body in outcomes:
        if code == 409:
            assert "Impossible de confirmer" in body and "Djoliba" in body
    winner = next(stay_id for stay_id, _login, code, _body in outcomes if code == 303)

    approved = db.session.scalars(
        sa.select(StayRequest).where(StayRequest.status == StayStatus.APPROVED)
    ).all()
    assert [stay.id for stay in approved] == [winner]
    assignments = db.session.scalars(sa.select(RoomAssignment)).all()
    assert [(a.stay_id, a.room_id) for a in assignments] == [(winner, room_id)]
    other = sa.orm.aliased(RoomAssignment)
    overlapping = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RoomAssignment)
        .join(other, sa.and_(other.room_id == RoomAssignment.room_id, other.id != RoomAssignment.id))
        .where(other.arrival < RoomAssignment.departure, RoomAssignment.arrival < other.departure)
    )
    assert overlapping == 0
