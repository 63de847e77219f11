"""The waiting lists: who to tell when beds free up on their nights, or when the house reopens.

`offer_freed_beds` and `offer_reopening` are called in the transaction of the change that may free
beds (a cancellation, a refusal, a closure removed or shortened, a room reopened): they promise the
mails there (`WaitlistEntry.tell`), and the mail worker writes them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from ..bookings.operations import availability
from ..database import today
from ..extensions import db
from .models import WaitKind, WaitlistEntry


def waiting(kind: WaitKind) -> sa.Select:
    """Entries of one list not told yet, in order of registration."""
    query = (
        sa.select(WaitlistEntry)
        .where(WaitlistEntry.kind == kind.value, WaitlistEntry.told_at.is_(None))
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
    )
    if kind == WaitKind.DATES:
        query = query.where(WaitlistEntry.arrival > today())
    return query


def offer_freed_beds() -> int:
    """Tell, in order of registration, those whose nights now have enough free beds; how many.

    The beds one is told of are set aside for the next: two people are not told of the same last bed.
    """
    entries = db.session.scalars(waiting(WaitKind.DATES)).all()
    if not entries:
        return 0
    start = min(entry.arrival for entry in entries)
    end = max(entry.departure for entry in entries)
    free = {night.day: night.free_beds for night in availability(start, (end - start).days)}
    told = 0
    for entry in entries:
        days = [entry.arrival + timedelta(days=i) for i in range(entry.nights)]
        if all(free[day] >= entry.guests for day in days):
            for day in days:
                free[day] -= entry.guests
            entry.tell()
            told += 1
    return told


def offer_reopening() -> int:
    """Tell everyone who asked to hear of the reopening, each once; how many."""
    entries = db.session.scalars(waiting(WaitKind.REOPENING)).all()
    for entry in entries:
        entry.tell()
    return len(entries)


def waitlist_page(kind: WaitKind, limit: int) -> tuple[int, list[WaitlistEntry]]:
    """How many wait on one list (told or not, until the purge), and the first `limit`, oldest first."""
    where = WaitlistEntry.kind == kind.value
    count = db.session.scalar(sa.select(sa.func.count()).select_from(WaitlistEntry).where(where))
    entries = db.session.scalars(
        sa.select(WaitlistEntry)
        .where(where)
        .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        .limit(limit)
    ).all()
    return count, list(entries)


def entry_by_token(token: str) -> WaitlistEntry | None:
    return db.session.scalar(sa.select(WaitlistEntry).where(WaitlistEntry.token == token))


def entries_awaiting_mail(limit: int) -> list[WaitlistEntry]:
    """Entries told whose mail is not written yet, oldest first (the mail worker's)."""
    return list(
        db.session.scalars(
            sa.select(WaitlistEntry)
            .where(WaitlistEntry.mail_pending)
            .order_by(WaitlistEntry.told_at, WaitlistEntry.id)
            .limit(limit)
        )
    )


def claim_entries(entries: list[WaitlistEntry]) -> set[int]:
    """Clear the flag of these entries where it is still set: the ids this transaction answers for."""
    return set(
        db.session.scalars(
            sa.update(WaitlistEntry)
            .where(WaitlistEntry.id.in_([entry.id for entry in entries]), WaitlistEntry.mail_pending)
            .values(mail_pending=False)
            .returning(WaitlistEntry.id),
            execution_options={"synchronize_session": False},
        )
    )


def purge_waitlist(*, today: date, made_before: date) -> int:
    """Delete the entries whose time is over; how many.

    - a wait for dates ends when its arrival comes;
    - a wait for the reopening ends a day after the mail that announced it;
    - any entry made before `made_before` ends (the retention of closed requests), told or not.
    """
    day_ago = datetime.combine(today - timedelta(days=1), time(), UTC)
    oldest = datetime.combine(made_before, time(), UTC)
    return db.session.execute(
        sa.delete(WaitlistEntry).where(
            sa.or_(
                sa.and_(WaitlistEntry.kind == WaitKind.DATES.value, WaitlistEntry.arrival <= today),
                sa.and_(
                    WaitlistEntry.kind == WaitKind.REOPENING.value,
                    WaitlistEntry.told_at <= day_ago,
                    WaitlistEntry.mail_pending.is_(False),
                ),
                WaitlistEntry.created_at <= oldest,
            )
        )
    ).rowcount
