"""Where mails come from: the one path from a change to the outbox, then to the SMTP server.

A web request never writes or sends a mail. In its own transaction, with the change or not at all, it
stores the promise of its mails:
- a change of a stay appends a BookingEvent (`StayRequest.record_event`, which every transition calls,
  whatever path makes it: the staff views, requester self-service, `flask demo`); an action that causes
  mails (bookings/models.py, MAILED_ACTIONS) stores its event flagged `mail_pending`;
- the lost-link form stores a LinkRequest, whatever the address (its answer then costs the same whether
  or not the address has requests);
- a change that frees beds, or lifts a suspension, flags the waiting-list entries to tell
  (`WaitlistEntry.tell`, closing/waitlist.py).

The mail worker (`flask mail worker`, worker.py) then, within a second, calls `write_pending()` below:
it renders the mails (notifications.py, one `notify_<event>` per mail) from the committed state and,
in one transaction, clears the flags or deletes the LinkRequests and stores the OutboxMessage rows;
then delivery.py sends the queued messages. `flask mail send`, from cron every minute, does the same
once: the safety net when the worker is stopped. The daily `flask mail reminders` and `mail digest`
store their messages themselves, and an admin's "send again" queues a failed one: the worker sends
them on its next look.

Why no hook: setting the flag where the event is made, in the one method that appends events, keeps
the guarantee that no change of a stay goes without its mails, and keeps it in plain sight. Why the
worker writes the mails rather than the request: rendering them is most of what a submission costs,
and on SQLite it would happen under the database's only write lock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from ..bookings.models import BookingEvent
from ..bookings.operations import requests_of
from ..closing.notifications import notify_waitlist_entry
from ..closing.waitlist import claim_entries, entries_awaiting_mail
from ..extensions import db
from .messages import unwritten_mail
from .models import LinkRequest, OutboxMessage
from .notifications import notify_event, notify_lost_links
from .operations import claim_events, claim_link_requests, events_awaiting_mail, link_requests_waiting


def write_pending(limit: int = 20) -> int:
    """Write the mails of committed events and lost-link requests, oldest first; commits. How many.

    Each kind apart, so that a database error on one never holds up the other; the error is raised
    once both were tried.
    """
    written, failure = 0, None
    for waiting, notify, claim in (
        (events_awaiting_mail, notify_event, claim_events),
        (link_requests_waiting, _notify_link_request, claim_link_requests),
        (entries_awaiting_mail, notify_waitlist_entry, claim_entries),
    ):
        try:
            written += _write(waiting(limit), notify, claim)
        except sa.exc.SQLAlchemyError as error:
            db.session.rollback()
            failure = failure or error
    if failure is not None:
        raise failure
    return written


def _notify_link_request(asked: LinkRequest) -> None:
    stays = requests_of(asked.email)
    if stays:  # an unknown address: nothing to write, the row is only deleted
        notify_lost_links(stays)


def _write(
    items: Sequence[BookingEvent | LinkRequest],
    notify: Callable[[Any], None],
    claim: Callable[[Sequence[Any]], set[int]],
) -> int:
    """Render the mails of these items, then claim them and store the mails of those claimed; commits.

    Rendering happens before anything is written, so that no write lock is held meanwhile. An item
    another writer claimed first is left to it: its mails are written once.
    """
    if not items:
        db.session.rollback()
        return 0
    written: dict[int, list[OutboxMessage]] = {}
    broken: dict[int, str] = {}
    with db.session.no_autoflush:
        for item in items:
            before = set(db.session.new)
            try:
                notify(item)
            except sa.exc.SQLAlchemyError:
                raise  # the database, not the mail: the whole batch is written again on the next look
            except Exception as error:
                # A template or data error: what fails now always will. The change itself is saved;
                # admins see the mail that could not be written among the failed ones.
                current_app.logger.exception(
                    "mail: the mails of %s %s could not be written", type(item).__name__, item.id
                )
                broken[item.id] = f"{type(error).__name__}: {error}"
            written[item.id] = [obj for obj in db.session.new if obj not in before]
        # Still without autoflush: mails of an item another writer claimed must never reach the table.
        claimed = claim(items)
    for item in items:
        for message in written[item.id]:
            if item.id not in claimed or item.id in broken:
                db.session.expunge(message)
        if item.id in claimed and item.id in broken:
            db.session.add(unwritten_mail(item, broken[item.id]))
    db.session.commit()
    return len(claimed)


def register(app: Flask) -> None:
    """Check the mail settings; offer the count of failed mails to the staff pages."""
    backend = app.config["MAIL_BACKEND"]
    if backend not in ("smtp", "console"):
        raise RuntimeError(f"MAIL_BACKEND must be 'smtp' or 'console', not {backend!r}")
    if backend == "console" and app.config["GUESTHOUSE_ENV"] == "production":
        raise RuntimeError("MAIL_BACKEND=console keeps mails on this machine: production needs smtp")

    from .operations import failed_count

    app.add_template_global(failed_count, "failed_mail_count")
