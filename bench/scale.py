"""In-process timing of an approval's conflict check (`find_conflicts`), the query that must stay fast
however long the history grows."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import sqlalchemy as sa

from guesthouse import create_app
from guesthouse.bookings.operations import find_conflicts
from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.rooms.models import Room


def time_conflict_check(database_url: str, repeats: int) -> dict:
    """p50/p95 of find_conflicts for every room over five nights a month ahead, a fresh session each time."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    start = today() + timedelta(days=30)
    end = start + timedelta(days=5)
    timings = []
    with app.app_context():
        room_ids = list(db.session.scalars(sa.select(Room.id).where(Room.active)))
        found = len(find_conflicts(room_ids, start, end))  # warms the connection and the statement cache
        for _ in range(repeats):
            db.session.remove()  # each approval starts from an empty session
            began = time.perf_counter()
            find_conflicts(room_ids, start, end)
            timings.append((time.perf_counter() - began) * 1000)
        db.session.remove()
        db.engine.dispose()
    timings.sort()
    return {
        "rooms": len(room_ids),
        "nights": (end - start).days,
        "conflicts_found": found,
        "repeats": repeats,
        "p50_ms": round(statistics.median(timings), 3),
        "p95_ms": round(timings[max(0, round(0.95 * len(timings)) - 1)], 3),
    }
