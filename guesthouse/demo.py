"""`flask demo`: a house with rooms, a staff account and requests in several states, for a first look."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from .bookings.models import StayRequest
from .bookings.operations import approve_stay
from .database import begin_write, today, utcnow
from .extensions import db
from .rooms.models import Closure, Room
from .staff.models import Role, StaffUser

DEMO_EMAIL = "accueil@mpab.example"

ROOMS = [
    ("Djoliba", 2, "Chambre double climatisée, salle d'eau privative."),
    ("Niger", 2, "Chambre double avec bureau, donne sur la cour."),
    ("Maine", 1, "Chambre simple, calme, moustiquaire."),
    ("Loire", 3, "Chambre familiale (un lit double, un lit simple)."),
]

REQUESTS = [
    # name, email, organisation, type, axis, arrival offset, nights, guests, state
    (
        "Claire Moreau",
        "claire.moreau@example.org",
        "Association Angers-Bamako Santé",
        "association",
        "public_health",
        10,
        7,
        2,
        "pending",
    ),
    (
        "Ousmane Diarra",
        "o.diarra@example.org",
        "Université d'Angers",
        "university",
        "education",
        14,
        5,
        1,
        "pending",
    ),
    (
        "Julien Lebrun",
        "julien.lebrun@example.org",
        "CHU d'Angers",
        "health",
        "public_health",
        20,
        10,
        2,
        "approved",
    ),
    (
        "Awa Traoré",
        "awa.traore@example.org",
        "Compagnie Les Arts du Fleuve",
        "arts",
        "culture",
        35,
        6,
        3,
        "approved",
    ),
    (
        "Marc Dubois",
        "marc.dubois@example.org",
        "Déchets & Territoires",
        "company",
        "waste",
        8,
        4,
        1,
        "rejected",
    ),
    (
        "Sophie Martin",
        "sophie.martin@example.org",
        "Ville de Rennes - coopération",
        "other_french_actor",
        "sport",
        45,
        3,
        1,
        "cancelled",
    ),
]


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load demo data into an empty database; keep existing data untouched."""
    credentials = Path(current_app.config["DEMO_CREDENTIALS_FILE"])
    if db.session.scalar(sa.select(sa.func.count()).select_from(Room)):
        click.echo("The database already holds data: demo data not loaded.")
        if credentials.exists():
            click.echo(credentials.read_text().strip())
        return
    begin_write()  # approvals below need the write transaction from the start
    password = secrets.token_urlsafe(12)
    admin = StaffUser(email=DEMO_EMAIL, name="Accueil MPAB", role=Role.ADMIN)
    admin.set_password(password)
    db.session.add(admin)
    rooms = [Room(name=name, beds=beds, description=text) for name, beds, text in ROOMS]
    db.session.add_all(rooms)
    start = today()
    db.session.add(
        Closure(
            room=rooms[2],
            start_date=start + timedelta(days=25),
            end_date=start + timedelta(days=29),
            reason="Travaux de peinture",
        )
    )
    db.session.flush()
    for index, (name, email, org, org_type, axis, offset, nights, guests, state) in enumerate(REQUESTS):
        stay = StayRequest(
            contact_name=name,
            contact_email=email,
            contact_phone="+33 2 41 00 00 0" + str(index),
            organisation=org,
            organisation_type=org_type,
            # The demo's organisations of every type but the last are from Angers, as their names say.
            angers_based=org_type != "other_french_actor",
            cooperation_axis=axis,
            arrival=start + timedelta(days=offset),
            departure=start + timedelta(days=offset + nights),
            guests=guests,
            travellers="\n".join([name] + [f"Voyageur {i}" for i in range(2, guests + 1)]),
            purpose="Mission de coopération avec les partenaires maliens.",
            rules_accepted_at=utcnow(),
        )
        stay.submit()
        db.session.add(stay)
        db.session.flush()
        stay.assign_reference()
        if state == "approved":
            needed = [r for r in rooms if r.beds >= guests][:1] or rooms[:2]
            approve_stay(stay, by=admin, room_ids=[r.id for r in needed], message="Bienvenue !")
        elif state == "rejected":
            stay.reject(by=admin, reason="La maison est complète à ces dates.")
        elif state == "cancelled":
            stay.cancel(by=admin, reason="Mission reportée par l'organisation.")
    db.session.commit()  # the mail worker writes and sends the demo's mails
    text = f"Demo staff account: {DEMO_EMAIL}  password: {password}"
    credentials.parent.mkdir(parents=True, exist_ok=True)
    credentials.write_text(text + "\n")
    os.chmod(credentials, 0o600)
    click.echo(f"Demo data loaded: {len(rooms)} rooms, {len(REQUESTS)} requests.")
    click.echo(text)
