"""The house rules that admins set in the dashboard: one row, read on every request that needs it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import g
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db

DEFAULT_RULES_FR = (
    "La maison est gardée jour et nuit par des agents de sécurité et placée sous vidéosurveillance. "
    "Les voyageurs respectent le règlement intérieur et les consignes de sécurité, signalent à l'accueil "
    "toute personne extérieure invitée, et respectent les horaires d'arrivée et de départ."
)
DEFAULT_RULES_EN = (
    "The house is guarded day and night by security agents and under video surveillance. "
    "Travellers follow the house rules and the security instructions, tell the front desk about any "
    "visitor they invite, and keep to the arrival and departure times."
)
# The travel checklist (visa, yellow fever, Ariane) is part of every confirmation mail whatever this
# says: these texts are for what the service wants to add (transport from the airport, contacts…).
DEFAULT_PRACTICAL_FR = (
    "À votre arrivée à l'aéroport de Bamako-Sénou, le chauffeur de la maison vous attend si vous avez "
    "indiqué votre vol au service. Les agents de sécurité vous accueillent à toute heure."
)
DEFAULT_PRACTICAL_EN = (
    "When you land at Bamako-Sénou airport, the house's driver meets you if you gave the service your "
    "flight. The security agents welcome you at any hour."
)


class HouseSettings(db.Model):
    __tablename__ = "house_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    max_nights: Mapped[int] = mapped_column(default=30)
    min_notice_days: Mapped[int] = mapped_column(default=1)
    max_advance_days: Mapped[int] = mapped_column(default=365)
    check_in_time: Mapped[str] = mapped_column(sa.String(5), default="14:00")
    check_out_time: Mapped[str] = mapped_column(sa.String(5), default="11:00")
    rules_fr: Mapped[str] = mapped_column(sa.Text, default=DEFAULT_RULES_FR)
    rules_en: Mapped[str] = mapped_column(sa.Text, default=DEFAULT_RULES_EN)
    practical_fr: Mapped[str] = mapped_column(sa.Text, default=DEFAULT_PRACTICAL_FR)
    practical_en: Mapped[str] = mapped_column(sa.Text, default=DEFAULT_PRACTICAL_EN)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="SET NULL"))

    @classmethod
    def defaults(cls) -> HouseSettings:
        """Unsaved settings holding the column defaults (only if the migration's row went missing)."""
        values = {
            column.key: column.default.arg
            for column in cls.__table__.columns
            if column.default is not None and not callable(column.default.arg)
        }
        return cls(**values)

    def rules(self, locale: str) -> str:
        return self.rules_en if str(locale).startswith("en") and self.rules_en else self.rules_fr

    def rules_language(self, locale: str) -> str:
        """The language `rules(locale)` is written in: French when no English text was given."""
        return "en" if str(locale).startswith("en") and self.rules_en else "fr"

    def practical(self, locale: str) -> str:
        return self.practical_en if str(locale).startswith("en") and self.practical_en else self.practical_fr

    def practical_language(self, locale: str) -> str:
        return "en" if str(locale).startswith("en") and self.practical_en else "fr"


def house_settings() -> HouseSettings:
    """The settings row (the migration creates it), read once per request."""
    if "house_settings" not in g:
        settings = db.session.scalar(sa.select(HouseSettings).order_by(HouseSettings.id).limit(1))
        g.house_settings = settings if settings is not None else HouseSettings.defaults()
    return g.house_settings
