"""Never double-book: simultaneous approvals of overlapping stays for one room."""

import threading
from datetime import timedelta

import sqlalchemy as sa

from guesthouse.bookings.choices import StayStatus
from guesthouse.bookings.models import RoomAssignment, StayRequest
from guesthouse.database import today
from guesthouse.extensions import db

from .conftest import STAFF_PASSWORD, RequestClient, csrf_from

APPROVERS = 8


def test_concurrent_approvals_have_exactly_one_winner(app, make_room, make_staff, make_stay):
    room = make_room(name="Djoliba", beds=2)
    start = today() + timedelta(days=15)
    # Eight pending stays, each overlapping all the others on at least one night.
    stays = [make_stay(start=start + timedelta(days=i % 3), nights=4) for i in range(APPROVERS)]
    staff = [make_staff(email=f"approver{i}@angers.example") for i in range(APPROVERS)]
    app.test_client_class = RequestClient
    clients = []
    for user in staff:  # each approver logs in on their own client, hence their own connection
        client = app.test_client()
        token = csrf_from(client.get("/staff/login").get_data(as_text=True))
        client.post(
            "/staff/login", data={"email": user.email, "password": STAFF_PASSWORD, "csrf_token": token}
        )
        page = client.get(f"/staff/requests/{stays[0].id}").get_data(as_text=True)
        clients.append((client, csrf_from(page)))

    stay_ids = [stay.id for stay in stays]
    room_id = room.id
    barrier = threading.Barrier(APPROVERS)
    results: list[tuple[int, int, str]] = []

    def approve(index: int) -> None:
        client, token = clients[index]
        barrier.wait()
        response = client.post(
            f"/staff/requests/{stay_ids[index]}/approve", data={"rooms": [room_id], "csrf_token": token}
        )
        results.append((index, response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(APPROVERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    codes = sorted(code for _i, code, _body in results)
    assert codes == [303] + [409] * (APPROVERS - 1), codes
    for _index, code, body in results:
        if code == 409:
            assert "Impossible de confirmer" in body
    db.session.expire_all()
    approved = db.session.scalars(
        sa.select(StayRequest).where(StayRequest.status == StayStatus.APPROVED)
    ).all()
    assert len(approved) == 1
    assignments = db.session.scalars(sa.select(RoomAssignment)).all()
    assert len(assignments) == 1 and assignments[0].room_id == room_id
