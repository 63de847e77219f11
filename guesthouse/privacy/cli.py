"""`flask privacy purge`: the retention periods, applied from cron."""

import click
from flask import current_app

from ..database import today
from ..extensions import db
from ..i18n import counted
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
        f"{verb[0]} {counted(len(report.anonymised), 'approved stay', 'approved stays')} ended over "
        f"{counted(config['RETENTION_STAYS_MONTHS'], 'month', 'months')} ago" + _listed(report.anonymised)
    )
    click.echo(
        f"{verb[1]} {counted(len(report.deleted), 'closed request', 'closed requests')} over "
        f"{counted(config['RETENTION_CLOSED_MONTHS'], 'month', 'months')} old, kept as anonymous figures"
        + _listed(report.deleted)
    )
    click.echo(
        f"{verb[1]} {counted(report.sessions_deleted, 'staff session', 'staff sessions')} unused for over "
        f"{counted(SESSION_IDLE_DAYS, 'day', 'days')}"
    )
    click.echo(
        f"{verb[1]} {counted(report.link_requests, 'lost-link request', 'lost-link requests')} "
        "left unanswered for over a day"
    )
    click.echo(
        f"{verb[1]} {counted(report.waitlist, 'waiting-list entry', 'waiting-list entries')} "
        "whose dates came or whose wait is over"
    )
    click.echo(
        f"{verb[1]} {counted(report.access_records, 'access record', 'access records')} over "
        f"{counted(config['ACCESS_LOG_MONTHS'], 'month', 'months')} old"
    )


def _listed(references: list[str]) -> str:
    return ": " + ", ".join(references) if references else ""
