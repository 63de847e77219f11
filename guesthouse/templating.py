"""Jinja filters and globals shared by every template."""

from datetime import date
from functools import lru_cache

from flask import Flask
from flask_babel import format_date, format_datetime, get_locale

from .bookings.choices import COOPERATION_AXES, ORGANISATION_TYPES, StayStatus
from .i18n import language


@lru_cache(maxsize=8192)
def _format_day(value: date, format: str, locale: str) -> str:
    # The locale is part of the key: format_date reads the same one from the request.
    return format_date(value, format)


def register(app: Flask) -> None:
    @app.template_filter("day")
    def day(value: date | None, format: str = "medium") -> str:
        """A date in the visitor's language; the same few hundred dates recur on every page, so each
        is formatted once per process (Babel takes ~50 µs a call)."""
        return _format_day(value, format, str(get_locale())) if value else ""

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
