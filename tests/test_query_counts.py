"""No N+1: the number of SQL statements behind each page does not grow with the rows it shows."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.staff.models import Role


@contextmanager
def counting_statements():
    statements: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def house(make_room, make_staff, make_stay, make_closure):
    """Add `size` of everything a page lists (rooms, staff, stays, closures); return what the pages need."""
    batches = iter(range(100))

    def fill(size: int) -> dict:
        batch = next(batches)
        rooms = [make_room(name=f"Chambre {batch}-{i}", beds=2) for i in range(min(size, 8))]
        staff = [make_staff(email=f"agent{batch}-{i}@angers.example", role=Role.ADMIN) for i in range(size)]
        start = today() + timedelta(days=2)
        approved = []
        for i in range(size):  # back to back in each room: never an overlap
            room = rooms[i % len(rooms)]
            arrival = start + timedelta(days=3 * (i // len(rooms)))
            stay = make_stay(
                start=arrival,
                nights=3,
                guests=2,
                contact_email=f"voyageur{i}@example.org",
                travellers=f"Voyageur {i}\nVoyageuse {i}",
            )
            stay.approve(by=staff[i % len(staff)], rooms=[room], message=f"Bienvenue {i}")
            if i % 2:  # some arrived already: the sheet shows their state
                stay.checked_in_at = stay.created_at
            approved.append(stay)
        for i in range(size):
            make_stay(start=start + timedelta(days=i), nights=4, guests=1 + i % 3)
        for i in range(size):
            make_closure(
                room=rooms[i % len(rooms)] if i % 2 else None,
                start_date=start + timedelta(days=5 * i + 1),
                end_date=start + timedelta(days=5 * i + 2),
                reason=f"Travaux {i}",
            )
        # One stay whose history holds a decision by each staff member.
        busy = make_stay(start=start + timedelta(days=40), nights=2)
        for user in staff:
            busy.record_event("note", actor=user, message=f"Vu par {user.name}")
            busy.add_note(by=user, body=f"Note de {user.name}")
        for stay in approved:  # the planning board's tooltips
            stay.add_note(by=staff[0], body="Arrivée tardive")
        db.session.commit()
        return {
            "stay": busy,
            "approved": approved[-1],
            "staff": staff[0],
            "sheet_day": start + timedelta(days=3),
        }

    return fill


def statements_per_page(client, data: dict) -> dict[str, int]:
    pages = {
        "home": "/",
        "request form": "/requests/new",
        "requester page": f"/requests/{data['approved'].access_token}",
        "dashboard": "/staff/",
        "staff request page": f"/staff/requests/{data['stay'].id}",
        "staff approved stay page": f"/staff/requests/{data['approved'].id}",
        "staff edit page (rooms free or not)": f"/staff/requests/{data['approved'].id}/edit",
        "planning board": "/staff/planning?weeks=12",
        "staff-entered stay form": "/staff/requests/new",
        # A day in the middle of the stays: arrivals, departures, tonight and the week all hold some.
        "daily sheet": f"/staff/sheet?date={data['sheet_day'].isoformat()}",
        "daily sheet (CSV)": f"/staff/sheet.csv?date={data['sheet_day'].isoformat()}",
        # Everyone here tonight and arriving within 60 days: every approved stay; each gets a history event.
        "evacuation list": "/staff/sheet/evacuation?days=60",
        "evacuation list (CSV)": "/staff/sheet/evacuation.csv?days=60",
        "travellers' page (requester)": f"/requests/{data['approved'].access_token}/travellers",
        "travellers' page (staff)": f"/staff/requests/{data['approved'].id}/travellers",
    }
    counts = {}
    for name, url in pages.items():
        with counting_statements() as statements:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(statements)
    return counts


def test_statements_per_page_do_not_grow_with_the_rows(app, client, auth, house):
    small_house = house(2)
    auth.login(small_house["staff"])
    small = statements_per_page(client, small_house)
    larger = statements_per_page(client, house(12))
    assert larger == small, (small, larger)
