"""`flask privacy purge`: the retention periods, applied from cron."""

import click
from flask import current_app

from ..database import today
from ..extensions import db
from . import bp
from .operations import purge

bp.cli.short_help = "Personal data: retention."


@bp.cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Print what would be done, change nothing.")
def purge_command(dry_run: bool) -> None:
    """Anonymise old stays and delete old closed requests, as the retention periods say."""
    config = current_app.config
    report = purge(
        today=today(),
        stays_months=config["RETENTION_STAYS_MONTHS"],
        closed_months=config["RETENTION_CLOSED_MONTHS"],
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
    click.echo(f"{verb[1]} {report.link_requests} lost-link request(s) left unanswered for over a day")


def _listed(references: list[str]) -> str:
    return ": " + ", ".join(references) if references else ""
