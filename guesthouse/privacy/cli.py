"""`flask privacy purge`: the retention periods, applied from cron."""

import click
from flask import current_app

from ..database import today
from ..extensions import db
from ..staff.models import SESSION_IDLE_DAYS
from . import bp
from .operations import purge

bp.cli.short_help = "Personal data: retention."


@bp.cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Print what would be done, change nothing.")
def purge_command(dry_run: bool) -> None:
    """Anonymise old stays, delete old closed requests, idle staff sessions and old access records."""
    config = current_app.config
    report = purge(
        today=today(),
        stays_months=config["RETENTION_STAYS_MONTHS"],
        closed_months=config["RETENTION_CLOSED_MONTHS"],
        access_months=config["ACCESS_LOG_MONTHS"],
    )
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = ("would anonymise", "would delete") if dry_run else ("anonymised", "deleted")
    # References only: cron mails this output, and a reference says nothing about a person.
    click.echo(
        f"{verb[0]} {len(report.anonymised)} approved stay(s) ended over "
        f"{config['RETENTION_STAYS_MONTHS']} months ago" + _listed(report.anonymised)
    )
    click.echo(
        f"{verb[1]} {len(report.deleted)} closed request(s) over {config['RETENTION_CLOSED_MONTHS']} "
        "months old, kept as anonymous figures" + _listed(report.deleted)
    )
    click.echo(
        f"{verb[1]} staff sessions unused for over {SESSION_IDLE_DAYS} days: {report.sessions_deleted}"
    )
    click.echo(f"{verb[1]} lost-link requests left unanswered for over a day: {report.link_requests}")
    click.echo(
        f"{verb[1]} access records over {config['ACCESS_LOG_MONTHS']} months old: {report.access_records}"
    )


def _listed(references: list[str]) -> str:
    return ": " + ", ".join(references) if references else ""
