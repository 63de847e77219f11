"""Sending what the outbox holds: claim, send with a bounded timeout, then record the outcome.

A message is claimed before it is sent (attempts + 1, and a lease pushing its next attempt into the
future) in a committed transaction of its own, so that a cron run and a web request never send the
same message twice. Network work happens outside any database transaction.
"""

from __future__ import annotations

import smtplib
import ssl
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..database import begin_write, utcnow
from ..extensions import db
from ..urls import external_url
from .compose import compose
from .models import OutboxMessage, OutboxStatus


@dataclass
class Outgoing:
    """A claimed message, ready to go: nothing here needs the database any more."""

    id: int
    kind: str
    envelope_from: str
    recipients: list[str]
    data: bytes
    subject: str
    text: str
    filename: str


@dataclass
class Outcome:
    id: int
    error: str | None = None  # None: sent
    permanent: bool = False  # retrying cannot help (a refused address, a forbidden header)


# -- claiming and recording -----------------------------------------------------------------------
def _lease(batch_size: int) -> timedelta:
    # Longer than the batch can take (connecting, then about four exchanges per message, each bounded
    # by MAIL_TIMEOUT), so that a claim outlives its sender only if the sender died.
    return timedelta(seconds=max(60.0, current_app.config["MAIL_TIMEOUT"] * (4 * batch_size + 4)))


def claim(ids: list[int] | None = None, limit: int = 20) -> tuple[list[Outgoing], list[Outcome]]:
    """Claim due queued messages (these ids, or the oldest due) and compose them; commits."""
    begin_write()
    now = utcnow()
    due = sa.and_(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now)
    if ids is not None:
        chosen = OutboxMessage.id.in_(ids)
    else:
        chosen = OutboxMessage.id.in_(
            sa.select(OutboxMessage.id)
            .where(due)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .scalar_subquery()
        )
    claimed = db.session.scalars(
        sa.update(OutboxMessage)
        .where(due, chosen)
        .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + _lease(len(ids or []) or limit))
        .returning(OutboxMessage.id),
        execution_options={"synchronize_session": False},
    ).all()
    rows = []
    if claimed:
        rows = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.id.in_(claimed)).order_by(OutboxMessage.id)
        ).all()
    # Committed before composing: the write lock (SQLite's is the whole database's) is held for the
    # claim alone, not for the milliseconds each MIME message takes. Detached first, the rows keep the
    # values just read instead of being expired by the commit and read again one by one.
    for row in rows:
        db.session.expunge(row)
    db.session.commit()
    outgoing, refused = [], []
    for row in rows:
        try:
            outgoing.append(_prepare(row))
        except Exception as error:
            # Composing is deterministic: what fails now always will, so it fails once, visibly,
            # without holding up the rest of the batch.
            refused.append(Outcome(row.id, f"refusé avant envoi : {describe(error)}", permanent=True))
    return outgoing, refused


def _prepare(row: OutboxMessage) -> Outgoing:
    composed = compose(row)
    return Outgoing(
        id=row.id,
        kind=row.kind,
        envelope_from=composed.envelope_from,
        recipients=composed.recipients,
        data=composed.message.as_bytes(),
        subject=row.subject,
        text=row.text_body,
        filename=f"{row.created_at:%Y%m%d-%H%M%S}-{row.id:06d}-{row.kind}.eml",
    )


def record(outcomes: list[Outcome]) -> Counter:
    """Mark each message sent, due again later (exponential backoff), or failed; commits."""
    if not outcomes:
        return Counter()
    config = current_app.config
    begin_write()
    now = utcnow()
    counts: Counter = Counter()
    # The usual outcome, in one statement for the whole batch rather than one per message.
    sent = [outcome.id for outcome in outcomes if outcome.error is None]
    if sent:
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id.in_(sent))
            .values(status=OutboxStatus.SENT, sent_at=now, last_error=""),
            execution_options={"synchronize_session": False},
        )
        counts["sent"] = len(sent)
    failed = {outcome.id: outcome for outcome in outcomes if outcome.error is not None}
    retried = sa.select(OutboxMessage).where(OutboxMessage.id.in_(failed))
    for row in db.session.scalars(retried) if failed else []:
        outcome = failed[row.id]
        if outcome.permanent or row.attempts >= config["MAIL_MAX_ATTEMPTS"]:
            row.status, row.last_error = OutboxStatus.FAILED, outcome.error[:2000]
            counts["failed"] += 1
        else:
            wait = config["MAIL_RETRY_BASE_SECONDS"] * 2 ** (row.attempts - 1)
            row.next_attempt_at, row.last_error = now + timedelta(seconds=wait), outcome.error[:2000]
            counts["retry"] += 1
    db.session.commit()
    return counts


# -- sending --------------------------------------------------------------------------------------
@contextmanager
def smtp_connection() -> Iterator[smtplib.SMTP]:
    """An SMTP session whose every network operation gives up after MAIL_TIMEOUT seconds."""
    config = current_app.config
    timeout = config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        host: smtplib.SMTP = smtplib.SMTP_SSL(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout, context=ssl.create_default_context()
        )
    else:
        host = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
    try:
        if config["MAIL_USE_TLS"]:
            # smtplib's default context does not check the certificate; this one does.
            host.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
            host.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        yield host
    finally:
        try:
            host.quit()
        except (smtplib.SMTPException, OSError):
            host.close()


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def send_smtp(outgoing: list[Outgoing], outcomes: list[Outcome]) -> None:
    """Send over one connection; a connection failure leaves the rest for a later attempt."""
    pending = list(outgoing)
    try:
        with smtp_connection() as host:
            while pending:
                item = pending[0]
                try:
                    refused = host.sendmail(item.envelope_from, item.recipients, item.data)
                except smtplib.SMTPRecipientsRefused as error:
                    codes = [code for code, _text in error.recipients.values()]
                    outcomes.append(Outcome(item.id, describe(error), permanent=min(codes) >= 500))
                except smtplib.SMTPDataError as error:
                    outcomes.append(Outcome(item.id, describe(error), permanent=error.smtp_code >= 500))
                except smtplib.SMTPSenderRefused as error:
                    outcomes.append(Outcome(item.id, describe(error)))  # our settings: worth a retry
                else:
                    # Some recipients refused, others accepted: sending again would duplicate it.
                    outcomes.append(Outcome(item.id, None))
                    if refused:
                        current_app.logger.warning("mail %s: recipients refused: %s", item.id, refused)
                pending.pop(0)
    except (smtplib.SMTPException, OSError) as error:
        outcomes.extend(Outcome(item.id, describe(error)) for item in pending)


def send_console(outgoing: list[Outgoing], outcomes: list[Outcome]) -> None:
    """Development: print each mail and keep it as an .eml file, readable at /staff/mail/dev."""
    directory = Path(current_app.config["MAIL_CONSOLE_DIR"])
    for item in outgoing:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            (directory / item.filename).write_bytes(item.data)
        except OSError as error:
            outcomes.append(Outcome(item.id, describe(error)))
            continue
        sys.stdout.write(
            f"\n----- mail {item.id} ({item.kind}) to {', '.join(item.recipients)} -----\n"
            f"Subject: {item.subject}\n\n{item.text}\n"
            f"----- kept in {directory / item.filename}, and shown at {external_url('mail.kept')} -----\n"
        )
        sys.stdout.flush()
        outcomes.append(Outcome(item.id, None))


def deliver(ids: list[int] | None = None, limit: int = 20) -> Counter:
    """Claim, send and record one batch: these ids, or up to `limit` due messages."""
    outgoing, outcomes = claim(ids, limit)
    if outgoing:
        send = send_console if current_app.config["MAIL_BACKEND"] == "console" else send_smtp
        try:
            send(outgoing, outcomes)
        except Exception as error:
            # Whatever went wrong counts as an attempt, so that a message that always breaks the
            # sender ends up failed and shown to admins instead of being retried for ever.
            current_app.logger.exception("mail: unexpected error while sending")
            done = {outcome.id for outcome in outcomes}
            outcomes += [Outcome(item.id, describe(error)) for item in outgoing if item.id not in done]
    return record(outcomes)
