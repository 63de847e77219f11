"""`flask mail ...`: deliver the outbox, send arrival reminders and the pending-requests digest."""

import signal
import threading
from datetime import timedelta

import click
from flask import current_app

from ..database import begin_write, today, utcnow
from ..extensions import db
from ..i18n import counted
from . import bp
from .delivery import deliver
from .notifications import notify_digest, notify_reminder
from .operations import long_pending, purge_sent, stays_to_remind
from .outbox import write_pending
from .worker import run as run_worker

bp.cli.short_help = "Send queued mails, arrival reminders and the pending-requests digest."

DIGEST_LIMIT = 100


@bp.cli.command("send")
@click.option("--limit", type=click.IntRange(1, 10_000), default=500, help="Most messages sent in one run.")
def send(limit: int) -> None:
    """Write the mails changes still wait for, then send the queued messages that are due (every minute)."""
    # The safety net: what a stopped worker left is written before sending.
    try:
        while write_pending():
            pass
        unwritten = None
    except Exception as error:  # what is queued still goes; the command then fails, visibly
        current_app.logger.exception("mail send: could not write the mails of new events")
        db.session.rollback()
        unwritten = error
    totals = {"sent": 0, "retry": 0, "failed": 0}
    while sum(totals.values()) < limit:
        batch = deliver(limit=min(20, limit - sum(totals.values())))
        for key in totals:
            totals[key] += batch[key]
        # An empty batch: nothing due. A batch with retries: the server is struggling; wait for the next run.
        if not batch or batch["retry"]:
            break
    retention = current_app.config["MAIL_SENT_RETENTION_DAYS"]
    purged = purge_sent(utcnow() - timedelta(days=retention))
    db.session.commit()
    click.echo(
        f"Sent {totals['sent']}, to retry later {totals['retry']}, failed {totals['failed']}; "
        f"Sent messages older than {retention} days deleted: {purged}."
    )
    if unwritten is not None:
        raise click.ClickException(f"the mails of some changes could not be written: {unwritten}")


@bp.cli.command("worker")
@click.option(
    "--poll",
    type=click.FloatRange(0.05, 300),
    default=None,
    help="Seconds between looks at an empty outbox (MAIL_WORKER_POLL_SECONDS).",
)
def worker(poll: float | None) -> None:
    """Write and send mails as changes are committed, until stopped (run it as a service)."""
    poll = poll or current_app.config["MAIL_WORKER_POLL_SECONDS"]
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        # The batch under way is finished first: a message sent is then always recorded as sent.
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"Mail worker started: looking for mail every {poll:g} s; stop it with SIGTERM or Ctrl-C.")
    totals = run_worker(stop, poll)
    click.echo(
        f"Mail worker stopped: sent {totals['sent']}, to retry later {totals['retry']}, "
        f"failed {totals['failed']}."
    )


@bp.cli.command("reminders")
@click.option("--days", type=click.IntRange(1, 60), default=None, help="Days before arrival (REMINDER_DAYS).")
def reminders(days: int | None) -> None:
    """Remind approved stays of their arrival, once per stay (run it daily)."""
    days = days or current_app.config["REMINDER_DAYS"]
    begin_write()  # two runs at once would both see the same stays without a reminder
    stays = stays_to_remind(today(), days)
    for stay in stays:
        notify_reminder(stay, today())
        stay.reminder_sent_at = utcnow()
    db.session.commit()  # the mail worker sends them
    click.echo(
        f"{counted(len(stays), 'reminder', 'reminders')} queued for arrivals within {counted(days, 'day', 'days')}."
    )


@bp.cli.command("digest")
@click.option("--days", type=click.IntRange(1, 365), default=None, help="Days pending (DIGEST_PENDING_DAYS).")
def digest(days: int | None) -> None:
    """Send the service one mail listing the requests pending for too long (run it daily)."""
    days = days or current_app.config["DIGEST_PENDING_DAYS"]
    total, stays = long_pending(utcnow() - timedelta(days=days), DIGEST_LIMIT)
    if not total:
        click.echo(f"No request pending for more than {days} days: no digest sent.")
        return
    notify_digest(stays, total, days)
    db.session.commit()  # the mail worker sends it
    click.echo(
        f"Digest of {counted(total, 'request', 'requests')} pending for more than {counted(days, 'day', 'days')} queued."
    )
