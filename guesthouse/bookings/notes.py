"""Notes staff leave each other on a request: who, when, what. Never shown to the requester."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..staff.models import StaffUser

NOTE_MAX_LENGTH = 4000


class StaffNote(db.Model):
    """A note on a request, for staff only: kept out of the private page, mails, feeds and public pages,
    given in the person's data export and erased with the request's personal data."""

    __tablename__ = "staff_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(sa.ForeignKey("stay_requests.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    body: Mapped[str] = mapped_column(sa.Text)

    author: Mapped[StaffUser | None] = relationship()
