"""Mails are queued in the transaction that causes them and sent once it has committed.

Why a session hook rather than a `notify_*()` call in each view: every transition already appends a
BookingEvent, whatever path makes it — the staff views, `flask demo`, requester self-service, a later
stay-edit view. Turning the events of a transaction into outbox rows when it commits means that no
path can change a stay without its mails, and that the mails share the change's fate: both are
stored, or neither. It happens in `before_commit` rather than `before_flush` because a request gets
its reference only after its first flush, and because the stay is then in its final state.

Sending happens after the commit: the ids of the rows a commit stored are kept on the session, and
`deliver_committed()` sends them — after the response has gone out, when the app context ends (the end
of each CLI command), or by a command right after its commit. With MAIL_DELIVERY=worker nothing is kept:
`flask mail worker` (worker.py) sends what the commits stored. Delivery failures never reach the person
who made the change; the messages stay queued for `flask mail send` or the worker.

With MAIL_DELIVERY=worker the mails are not even written by the transaction: rendering four templates
is most of what a submission costs, and on SQLite it would happen under the database's only write lock.
The transaction stores its events flagged `mail_pending` instead — the promise of their mails, with
the change or not at all — and `write_pending()`, run by the worker and by `flask mail send`, writes
them from the committed request a moment later, clearing each flag in the transaction that stores its
mails. A mail then shows the request as it is when it is written, normally within a second.
"""

from __future__ import annotations

from functools import partial

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session, SessionTransaction

from ..bookings.models import BookingEvent
from ..extensions import db
from .models import OutboxMessage
from .operations import claim_events, events_awaiting_mail

_EVENTS = "mail.booking_events"  # BookingEvents flushed in the current transaction
_QUEUED = "mail.queued"  # outbox ids stored by the current transaction
_COMMITTED = "mail.committed"  # outbox ids committed, waiting for deliver_committed()


@sa.event.listens_for(db.session, "before_flush")
def _leave_to_the_worker(session: Session, _flush_context, _instances) -> None:
    from .notifications import ON_EVENT

    if current_app.config["MAIL_DELIVERY"] == "worker":
        for obj in session.new:
            if isinstance(obj, BookingEvent) and obj.action in ON_EVENT:  # events that cause mails
                obj.mail_pending = True


@sa.event.listens_for(db.session, "after_flush")
def _collect(session: Session, _flush_context) -> None:
    for obj in session.new:
        if isinstance(obj, BookingEvent):
            session.info.setdefault(_EVENTS, []).append(obj)
        elif isinstance(obj, OutboxMessage):
            session.info.setdefault(_QUEUED, []).append(obj.id)


@sa.event.listens_for(db.session, "before_commit")
def _queue_mails(session: Session) -> None:
    from .notifications import notify_event

    session.flush()  # the transaction's last events, and the references given after a first flush
    for event in session.info.pop(_EVENTS, []):
        if not event.mail_pending:  # pending: the worker writes its mails
            notify_event(event)
    # commit() flushes the outbox rows added here right after this hook.


@sa.event.listens_for(db.session, "after_commit")
def _remember_committed(session: Session) -> None:
    queued = session.info.pop(_QUEUED, [])
    if queued and current_app.config["MAIL_DELIVERY"] != "worker":
        session.info.setdefault(_COMMITTED, []).extend(queued)


@sa.event.listens_for(db.session, "after_transaction_end")
def _forget_uncommitted(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # a rollback or a close: what it queued is gone with it
        session.info.pop(_EVENTS, None)
        session.info.pop(_QUEUED, None)


def write_pending(limit: int = 20) -> int:
    """Write the mails of committed events flagged `mail_pending`, oldest first; commits. How many events.

    Rendering happens before anything is written, so that no write lock is held meanwhile; then one
    transaction clears the flags still set and stores those events' mails. An event whose flag another
    worker cleared first is left to it: its mails are written once.
    """
    from .notifications import notify_event, unwritten_mail

    events = events_awaiting_mail(limit)
    if not events:
        db.session.rollback()
        return 0
    written: dict[int, list[OutboxMessage]] = {}
    broken: dict[int, str] = {}
    with db.session.no_autoflush:
        for event in events:
            before = set(db.session.new)
            try:
                notify_event(event)
            except sa.exc.SQLAlchemyError:
                raise  # the database, not the mail: the whole batch is written again on the next look
            except Exception as error:
                # A template or data error: what fails now always will. The change itself is saved;
                # admins see the mail that could not be written among the failed ones.
                current_app.logger.exception("mail: the mails of event %s could not be written", event.id)
                broken[event.id] = f"{type(error).__name__}: {error}"
            written[event.id] = [obj for obj in db.session.new if obj not in before]
        # Still without autoflush: mails of an event another worker claimed must never reach the table.
        claimed = claim_events(events)
    for event in events:
        for message in written[event.id]:
            if event.id not in claimed or event.id in broken:
                db.session.expunge(message)
        if event.id in claimed and event.id in broken:
            db.session.add(unwritten_mail(event, broken[event.id]))
    db.session.commit()
    return len(claimed)


def schedule(message: OutboxMessage) -> None:
    """Have a requeued message sent right after the current transaction commits."""
    db.session.flush()
    db.session.info.setdefault(_QUEUED, []).append(message.id)


def deliver_committed() -> None:
    """Send what the session's committed transactions queued, never raising."""
    ids = db.session.info.pop(_COMMITTED, None)
    if ids:
        _deliver(ids)


def _deliver(ids: list[int]) -> None:
    from .delivery import deliver

    try:
        db.session.rollback()  # nothing uncommitted may ride along with the delivery's own commits
        deliver(ids)
    except Exception:  # the change is committed whatever happens here; `mail send` retries
        current_app.logger.exception("mail: delivery after commit failed; left queued for `mail send`")
        db.session.rollback()


def _deliver_in_new_context(app: Flask, ids: list[int]) -> None:
    with app.app_context():
        _deliver(ids)


def register(app: Flask) -> None:
    """Check the mail settings and send after each app context (web request, CLI command)."""
    backend = app.config["MAIL_BACKEND"]
    if backend not in ("smtp", "console"):
        raise RuntimeError(f"MAIL_BACKEND must be 'smtp' or 'console', not {backend!r}")
    if backend == "console" and app.config["GUESTHOUSE_ENV"] == "production":
        raise RuntimeError("MAIL_BACKEND=console keeps mails on this machine: production needs smtp")
    if app.config["MAIL_DELIVERY"] not in ("after_response", "worker"):
        raise RuntimeError(
            f"MAIL_DELIVERY must be 'after_response' or 'worker', not {app.config['MAIL_DELIVERY']!r}"
        )

    # A web request sends once its response has gone out (the server closes the response after writing
    # it), so the person waits for neither the SMTP server nor the rendering of the mails.
    @app.after_request
    def _deliver_after_response(response):
        ids = db.session.info.pop(_COMMITTED, None)
        if ids:
            response.call_on_close(partial(_deliver_in_new_context, app, ids))
        return response

    # Otherwise (CLI commands, a request that failed after its commit) at the end of the app context;
    # registered after Flask-SQLAlchemy's teardown, so it runs before the session is removed.
    @app.teardown_appcontext
    def _deliver_after_commit(_exc: BaseException | None) -> None:
        deliver_committed()

    from .operations import failed_count

    app.add_template_global(failed_count, "failed_mail_count")
