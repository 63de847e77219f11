"""Jinja filters and globals shared by every template."""

from datetime import date, datetime

from flask import Flask
from flask_babel import format_datetime

from .bookings.choices import COOPERATION_AXES, ORGANISATION_TYPES, StayStatus
from .i18n import format_day, language


def register(app: Flask) -> None:
    @app.template_filter("day")
    def day(value: date | None, format: str = "medium") -> str:
        """A date in the visitor's language ("1er" in French, guesthouse/i18n.py)."""
        return format_day(value, format) if value else ""

    @app.template_filter("datetime_attribute")
    def datetime_attribute(value: datetime) -> str:
        """The `datetime` attribute of a `<time>`: HTML allows three digits of a second's fraction at
        most, and to the second is all a reader needs."""
        return value.isoformat(timespec="seconds")

    @app.template_filter("moment")
    def moment(value, format: str = "medium") -> str:
        return format_datetime(value, format) if value else ""

    @app.context_processor
    def globals_():
        return {
            "ORGANISATION_TYPES": ORGANISATION_TYPES,
            "COOPERATION_AXES": COOPERATION_AXES,
            "StayStatus": StayStatus,
            "current_locale": language(),
        }
