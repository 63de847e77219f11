"""Queries of the outbox, and the stays that reminders and the digest are about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..bookings.choices import StayStatus
from ..bookings.models import BookingEvent, RoomAssignment, StayRequest
from ..database import begin_write
from ..extensions import db
from .models import LinkRequest, OutboxMessage, OutboxStatus


def failed_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.FAILED)
    )


def failed_messages(limit: int) -> list[OutboxMessage]:
    """Messages given up on, newest first."""
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.FAILED)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
            .options(selectinload(OutboxMessage.stay))
        )
    )


def requeue_failed() -> int:
    """Put every failed message that has something to send back in the queue; how many.

    Under the write lock (SQLite) or the rows' locks (PostgreSQL): a second click, or the sender
    meanwhile sending one of them, finds it no longer failed instead of queueing a sent message again.
    """
    begin_write()
    failed = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED).with_for_update()
    )
    resent = [message for message in failed if message.can_be_resent]
    for message in resent:
        message.requeue()
    return len(resent)


@dataclass
class QueueState:
    count: int
    oldest: datetime | None  # an old one means `mail send` is not running, or the server refuses
    unwritten: int = 0  # events whose mails the worker has not written yet


def queue_state() -> QueueState:
    count, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status == OutboxStatus.QUEUED
        )
    ).one()
    unwritten = db.session.scalar(
        sa.select(sa.func.count()).select_from(BookingEvent).where(BookingEvent.mail_pending)
    )
    return QueueState(count, oldest, unwritten)


def events_awaiting_mail(limit: int) -> list[BookingEvent]:
    """Committed events whose mails are still to be written, oldest first, with what the mails show."""
    stay = selectinload(BookingEvent.stay)
    return list(
        db.session.scalars(
            sa.select(BookingEvent)
            .where(BookingEvent.mail_pending)
            .order_by(BookingEvent.id)
            .limit(limit)
            .options(
                stay.selectinload(StayRequest.assignments).selectinload(RoomAssignment.room),
                stay.selectinload(StayRequest.events),
                selectinload(BookingEvent.actor),
            )
        )
    )


def claim_events(events: list[BookingEvent]) -> set[int]:
    """Clear the flag of these events where it is still set: the ids this transaction now answers for."""
    # Their requests first, as the transitions and the privacy erase lock a request before its events
    # (PostgreSQL; SQLite's single writer has no order to keep): never the opposite order, no deadlock.
    db.session.execute(
        sa.select(StayRequest.id)
        .where(StayRequest.id.in_({event.stay_id for event in events}))
        .order_by(StayRequest.id)
        .with_for_update(key_share=True, read=True)
    )
    ids = [event.id for event in events]
    return set(
        db.session.scalars(
            sa.update(BookingEvent)
            .where(BookingEvent.id.in_(ids), BookingEvent.mail_pending)
            .values(mail_pending=False)
            .returning(BookingEvent.id),
            execution_options={"synchronize_session": False},
        )
    )


def link_requests_waiting(limit: int) -> list[LinkRequest]:
    """Lost-link requests not answered yet, oldest first."""
    return list(db.session.scalars(sa.select(LinkRequest).order_by(LinkRequest.id).limit(limit)))


def claim_link_requests(asked: list[LinkRequest]) -> set[int]:
    """Delete these lost-link requests where they still exist: the ids this transaction answers."""
    ids = [row.id for row in asked]
    claimed = set(
        db.session.scalars(
            sa.delete(LinkRequest).where(LinkRequest.id.in_(ids)).returning(LinkRequest.id),
            execution_options={"synchronize_session": False},
        )
    )
    for row in asked:  # gone from the table: the session must not try to write them back
        db.session.expunge(row)
    return claimed


def purge_link_requests(before: datetime) -> int:
    """Delete lost-link requests left unanswered since before this moment (no worker ran): an address."""
    return db.session.execute(sa.delete(LinkRequest).where(LinkRequest.created_at < before)).rowcount


def purge_sent(before: datetime) -> int:
    """Delete messages sent before this moment: they hold personal data and private links."""
    result = db.session.execute(
        sa.delete(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at < before
        )
    )
    return result.rowcount


def stays_to_remind(today: date, days: int) -> list[StayRequest]:
    """Approved stays arriving within `days` days that have had no reminder.

    A stay approved inside that window is left out: its confirmation, a few days before arrival,
    already said everything a reminder would.
    """
    horizon = today + timedelta(days=days)
    stays = db.session.scalars(
        sa.select(StayRequest)
        .where(
            StayRequest.status == StayStatus.APPROVED,
            StayRequest.arrival > today,
            StayRequest.arrival <= horizon,
            StayRequest.reminder_sent_at.is_(None),
            StayRequest.anonymised_at.is_(None),
        )
        .order_by(StayRequest.arrival, StayRequest.id)
        .options(
            selectinload(StayRequest.assignments).selectinload(RoomAssignment.room),
            selectinload(StayRequest.traveller_records),  # the reminder lists what they still lack
        )
    )
    return [
        stay
        for stay in stays
        if stay.decided_at is None or stay.decided_at.date() < stay.arrival - timedelta(days=days)
    ]


def long_pending(before: datetime, limit: int) -> tuple[int, list[StayRequest]]:
    """Pending requests received before this moment, oldest first, and how many there are."""
    waiting = sa.and_(StayRequest.status == StayStatus.PENDING, StayRequest.created_at < before)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(StayRequest).where(waiting))
    stays = list(
        db.session.scalars(
            sa.select(StayRequest)
            .where(waiting)
            .order_by(StayRequest.created_at, StayRequest.id)
            .limit(limit)
        )
    )
    return total, stays
