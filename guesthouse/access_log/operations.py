"""Recording an access, finding records, and deleting them after ACCESS_LOG_MONTHS."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ..extensions import db
from .models import AccessKind, AccessRecord


def record_access(kind: AccessKind, references: Iterable[str]) -> None:
    """Record that the signed-in member opened `kind` showing the requests of these references: one row,
    one INSERT, in the view's transaction (a page that only reads commits after calling this)."""
    db.session.add(
        AccessRecord(
            user_id=current_user.id, kind=kind, stay_references=AccessRecord.joined(list(references))
        )
    )


def access_records(member_id: int | None = None, reference: str = "") -> sa.Select:
    """The records, newest first, of one member and/or about one request."""
    query = (
        sa.select(AccessRecord)
        .options(joinedload(AccessRecord.user))
        .order_by(AccessRecord.accessed_at.desc(), AccessRecord.id.desc())
    )
    if member_id is not None:
        query = query.where(AccessRecord.user_id == member_id)
    if reference:
        query = query.where(AccessRecord.stay_references.contains(f" {reference} ", autoescape=True))
    return query


def purge_access_records(before: datetime) -> int:
    """Delete the records older than `before`; the caller commits. Returns how many."""
    return db.session.execute(sa.delete(AccessRecord).where(AccessRecord.accessed_at < before)).rowcount
