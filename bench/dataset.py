"""A realistic house for the benchmark: 8 rooms, years of history, pending requests and closures.

Rows go in by bulk inserts in one transaction (a few seconds for 100,000 stays). The schema is built by
the migrations, as in production. Approved stays follow each room's own timeline, back to back with short
gaps, so no two assignments of a room overlap (PostgreSQL's constraint would refuse them); refused,
cancelled and withdrawn requests and the pending ones fall anywhere. The history goes back as far as it
takes to reach the number of stays asked for: 3,000 stays make about 5 years; 100,000 stays make a very
long history, which is the point of the scale run (the rows grow, not the weeks a page shows).
"""

from __future__ import annotations

import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask_migrate import upgrade

from guesthouse import create_app
from guesthouse.bookings.models import BookingEvent, RoomAssignment, StayRequest
from guesthouse.bookings.travellers import Traveller
from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.rooms.models import Closure, Room
from guesthouse.staff.models import Role, StaffUser

ROOMS = [
    ("Djoliba", 2),
    ("Niger", 2),
    ("Maine", 1),
    ("Loire", 3),
    ("Sankarani", 2),
    ("Bani", 2),
    ("Sarthe", 1),
    ("Mayenne", 4),
]
ORGANISATIONS = [
    ("Association Angers-Bamako Santé", "association", "public_health"),
    ("Université d'Angers", "university", "education"),
    ("CHU d'Angers", "health", "public_health"),
    ("Compagnie Les Arts du Fleuve", "arts", "culture"),
    ("Déchets & Territoires", "company", "waste"),
    ("Angers Loire Métropole", "local_authority", "waste"),
    ("SCO Angers - section jeunes", "association", "sport"),
    ("Ville de Rennes - coopération", "other_french_actor", "other"),
]
NAMES = ["Claire Moreau", "Ousmane Diarra", "Julien Lebrun", "Awa Traoré", "Marc Dubois", "Fatoumata Keïta"]
STAFF_EMAIL = "bench@mpab.example"
# Share of the settled (non-pending) requests in each final state.
OUTCOMES = [("approved", 0.75), ("rejected", 0.10), ("cancelled", 0.12), ("withdrawn", 0.03)]


@dataclass
class Dataset:
    stays: int
    approved: int
    pending: int
    closures: int
    first_arrival: date
    staff_email: str
    staff_password: str


def prepare_schema(url: str, *, reset: bool) -> None:
    """Migrate an empty database; with `reset`, empty a PostgreSQL one first (drop its public schema)."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            existing = [name for name in sa.inspect(conn).get_table_names() if name != "alembic_version"]
            if existing and not (reset and engine.dialect.name == "postgresql"):
                raise SystemExit(
                    f"The benchmark database already holds tables ({', '.join(sorted(existing))}): "
                    "give an empty database, or --reset to drop its public schema (PostgreSQL only)."
                )
            if existing:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def build(url: str, *, stays: int, pending: int, reset: bool = False, seed: int = 7) -> Dataset:
    """Create the schema and fill it; return what the benchmark needs to know of the data."""
    prepare_schema(url, reset=reset)
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    password = secrets.token_urlsafe(16)
    staff = StaffUser(email=STAFF_EMAIL, name="Banc d'essai", role=Role.APPROVER)
    staff.set_password(password)
    now = datetime.now(UTC)
    start_of_today = datetime.combine(today(), time(8), tzinfo=UTC)

    rooms = [
        {"id": i + 1, "name": name, "beds": beds, "description": "", "active": True, "created_at": now}
        for i, (name, beds) in enumerate(ROOMS)
    ]
    staff_row = {
        "id": 1,
        "email": staff.email,
        "name": staff.name,
        "role": "approver",
        "password_hash": staff.password_hash,
        "active": True,
        "created_at": now,
    }

    settled = stays - pending
    approved_count = round(settled * OUTCOMES[0][1])
    # Each room's timeline runs back from four months ahead: stays of 2-8 nights, 0-4 free nights between.
    horizon = today() + timedelta(days=120)
    cursors = {room["id"]: horizon for room in rooms}
    approved_slots = []
    for index in range(approved_count):
        room = rooms[index % len(rooms)]
        departure = cursors[room["id"]] - timedelta(days=rng.randint(0, 4))
        arrival = departure - timedelta(days=rng.randint(2, 8))
        cursors[room["id"]] = arrival
        approved_slots.append((room, arrival, departure))
    first_arrival = min(cursors.values())
    span = (horizon - first_arrival).days

    stay_rows, assignment_rows, event_rows, traveller_rows = [], [], [], []
    outcomes = ["approved"] * approved_count
    for status, share in OUTCOMES[1:]:
        outcomes += [status] * round(settled * share)
    outcomes = outcomes[:settled] + ["rejected"] * max(0, settled - len(outcomes))
    rng.shuffle(outcomes)
    slots = iter(approved_slots)

    def add_event(stay_id: int, action: str, at: datetime, kind: str = "staff", message: str = "") -> None:
        event_rows.append(
            {
                "stay_id": stay_id,
                "created_at": at,
                "actor_id": 1 if kind == "staff" else None,
                "actor_kind": kind,
                "action": action,
                "message": message,
                "details": {},
            }
        )

    for stay_id, status in enumerate(outcomes + ["pending"] * pending, start=1):
        if status == "approved":
            room, arrival, departure = next(slots)
            guests = rng.randint(1, room["beds"])
        elif status == "pending":
            arrival = today() + timedelta(days=rng.randint(3, 150))
            departure = arrival + timedelta(days=rng.randint(2, 10))
            guests = rng.randint(1, 4)
        else:
            arrival = first_arrival + timedelta(days=rng.randint(0, span))
            departure = arrival + timedelta(days=rng.randint(2, 10))
            guests = rng.randint(1, 4)
        created = min(
            datetime.combine(arrival, time(9), tzinfo=UTC) - timedelta(days=rng.randint(10, 60)), now
        )
        decided = None if status == "pending" else min(created + timedelta(days=rng.randint(0, 5)), now)
        organisation, org_type, axis = rng.choice(ORGANISATIONS)
        name = rng.choice(NAMES)
        stay_rows.append(
            {
                "id": stay_id,
                "reference": f"MPAB-{created.year}-{stay_id:04d}",
                "access_token": secrets.token_urlsafe(32),
                "ical_uid": f"{uuid.uuid4().hex}@mpab",
                "status": status,
                "contact_name": name,
                "contact_email": f"contact{stay_id}@example.org",
                "contact_phone": "+33 2 41 00 00 00",
                "organisation": organisation,
                "organisation_type": org_type,
                "angers_based": org_type != "other_french_actor",
                "cooperation_axis": axis,
                "arrival": arrival,
                "departure": departure,
                "guests": guests,
                "purpose": "Mission de coopération avec les partenaires maliens.",
                "notes": "",
                "locale": "fr",
                "rules_accepted_at": created,
                "sequence": 1 if status in ("approved", "cancelled") else 0,
                "created_at": created,
                "updated_at": decided or created,
                "decided_at": decided,
            }
        )
        for position, traveller in enumerate([name] + [f"Voyageur {i}" for i in range(2, guests + 1)]):
            # Approved stays have their travellers' details filled in, as the sheet shows them.
            known = status == "approved"
            landing = datetime.combine(arrival, time(18, 45), tzinfo=UTC)
            traveller_rows.append(
                {
                    "stay_id": stay_id,
                    "position": position,
                    "full_name": traveller,
                    "phone": f"+223 70 {stay_id % 100:02d} {position:02d} 00" if known else "",
                    "emergency_name": "Contact en France" if known else "",
                    "emergency_phone": "+33 6 12 34 56 78" if known else "",
                    "ariane_registered": known,
                    "arrival_flight": "AF 596" if known else "",
                    "arrival_at": landing if known else None,
                    "departure_flight": "AF 597" if known else "",
                    "departure_at": landing + timedelta(days=(departure - arrival).days, hours=5)
                    if known
                    else None,
                    "pickup_wanted": (position == 0) if known else None,
                    "updated_at": created,
                }
            )
        add_event(stay_id, "submitted", created, kind="requester")
        if status == "approved":
            assignment_rows.append(
                {"stay_id": stay_id, "room_id": room["id"], "arrival": arrival, "departure": departure}
            )
            add_event(stay_id, "approved", decided, message="Bienvenue !")
        elif status == "cancelled":
            add_event(stay_id, "cancelled", decided, message="Mission reportée.")
        elif status == "withdrawn":
            add_event(stay_id, "withdrawn", decided, kind="requester")
        elif status == "rejected":
            add_event(stay_id, "rejected", decided, message="La maison est complète à ces dates.")

    # About six closures a year: the whole house for a few days, or one room for works.
    closure_rows = []
    for index in range(max(2, span * 6 // 365)):
        start_date = first_arrival + timedelta(days=rng.randint(0, span + 60))
        closure_rows.append(
            {
                "uid": uuid.uuid4().hex,
                "room_id": None if index % 3 == 0 else rng.choice(rooms)["id"],
                "start_date": start_date,
                "end_date": start_date + timedelta(days=rng.randint(1, 6)),
                "reason": "Travaux" if index % 3 else "Fermeture annuelle",
                "sequence": 0,
                "created_by_id": 1,
                "created_at": start_of_today,
                "updated_at": start_of_today,
            }
        )

    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for model, rows in [
                (Room, rooms),
                (StaffUser, [staff_row]),
                (StayRequest, stay_rows),
                (RoomAssignment, assignment_rows),
                (BookingEvent, event_rows),
                (Traveller, traveller_rows),
                (Closure, closure_rows),
            ]:
                for chunk in range(0, len(rows), 5000):
                    conn.execute(sa.insert(model.__table__), rows[chunk : chunk + 5000])
            if engine.dialect.name == "postgresql":
                for table in (
                    "rooms",
                    "staff_users",
                    "stay_requests",
                    "room_assignments",
                    "booking_events",
                    "travellers",
                    "closures",
                ):
                    conn.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608 - our table names
                        )
                    )
        # Statistics for the query planner, as autovacuum (PostgreSQL) or `PRAGMA optimize` would gather.
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("ANALYZE"))
    finally:
        engine.dispose()
    return Dataset(
        stays=stays,
        approved=approved_count,
        pending=pending,
        closures=len(closure_rows),
        first_arrival=first_arrival,
        staff_email=STAFF_EMAIL,
        staff_password=password,
    )
