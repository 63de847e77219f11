"""`flask rooms ...` commands."""

import click
import sqlalchemy as sa

from ..extensions import db
from . import bp
from .models import Room

bp.cli.short_help = "Manage the rooms of the house."
rooms_cli = bp.cli


@rooms_cli.command("create")
@click.argument("name")
@click.option("--beds", type=click.IntRange(1, 50), required=True, help="Number of beds.")
@click.option("--description", default="", help="Short description.")
def create_room(name: str, beds: int, description: str) -> None:
    """Add a room to the house."""
    if db.session.scalar(sa.select(Room).where(Room.name == name)):
        raise click.ClickException(f"a room named {name!r} already exists")
    db.session.add(Room(name=name, beds=beds, description=description))
    db.session.commit()
    click.echo(f"Room {name!r} created with {beds} {'bed' if beds == 1 else 'beds'}.")


@rooms_cli.command("list")
def list_rooms() -> None:
    """List the rooms."""
    for room in db.session.scalars(sa.select(Room).order_by(Room.name)):
        click.echo(
            f"{room.id}\t{room.name}\t{room.beds} {'bed' if room.beds == 1 else 'beds'}\t{'active' if room.active else 'inactive'}"
        )
