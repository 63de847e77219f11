"""The access records: which member opened which page about which requests, and when."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db
from ..staff.models import StaffUser


class AccessKind(enum.StrEnum):
    """What was opened. A page that shows a person's details adds its kind here."""

    REQUEST = "request"
    PRIVACY_LOOKUP = "privacy_lookup"
    PRIVACY_EXPORT = "privacy_export"
    SHEET = "sheet"
    SHEET_CSV = "sheet_csv"
    EVACUATION = "evacuation"
    EVACUATION_CSV = "evacuation_csv"
    TRAVELLERS = "travellers"

    @property
    def label(self) -> str:
        return str(ACCESS_LABELS[self])


ACCESS_LABELS = {
    AccessKind.REQUEST: _l("Page d'une demande"),
    AccessKind.PRIVACY_LOOKUP: _l("Recherche de données personnelles"),
    AccessKind.PRIVACY_EXPORT: _l("Export de données personnelles"),
    AccessKind.SHEET: _l("Feuille de la maison"),
    AccessKind.SHEET_CSV: _l("Feuille de la maison (CSV)"),
    AccessKind.EVACUATION: _l("Personnes à rapatrier"),
    AccessKind.EVACUATION_CSV: _l("Personnes à rapatrier (CSV)"),
    AccessKind.TRAVELLERS: _l("Voyageurs d'une demande"),
}


class AccessRecord(db.Model):
    """One page that showed a person's details. The requests are kept by reference, space-separated
    with a space at each end (" MPAB-2026-0001 MPAB-2026-0002 "): one row per page, however many
    requests it showed, and a reference survives the purge's deletion of its request."""

    __tablename__ = "access_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    accessed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[AccessKind] = mapped_column(
        sa.Enum(AccessKind, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])
    )
    stay_references: Mapped[str] = mapped_column(sa.Text, default=" ")
    user: Mapped[StaffUser | None] = relationship()

    @property
    def reference_list(self) -> list[str]:
        return self.stay_references.split()

    @staticmethod
    def joined(references: list[str]) -> str:
        return f" {' '.join(references)} "
