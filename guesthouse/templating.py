"""Jinja filters and globals shared by every template."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from flask import Flask
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from .bookings.choices import COOPERATION_AXES, ORGANISATION_TYPES, StayStatus
from .i18n import format_day, language
from .legal import ACCESSIBILITY_STATUSES, accessibility_status

# The zones a timestamp may be shown in, with the words that say which. Staff pages show Paris time: the
# service works from Angers (stored timestamps are UTC, which is also Bamako's time all year).
ZONES = {"paris": (ZoneInfo("Europe/Paris"), _l("heure de Paris"))}


def register(app: Flask) -> None:
    @app.template_filter("day")
    def day(value: date | str | None, format: str = "medium") -> str:
        """A date in the visitor's language ("1er" in French, guesthouse/i18n.py); the history stores ISO dates."""
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return format_day(value, format) if value else ""

    @app.template_filter("french")
    def french(value) -> Markup:
        """French text (a proper name, what staff wrote in French) marked as such on an English page,
        so that a screen reader pronounces it in French."""
        if language() == "fr":
            return Markup.escape(value)
        return Markup('<span lang="fr">%s</span>') % value

    @app.template_filter("datetime_attribute")
    def datetime_attribute(value: datetime) -> str:
        """The `datetime` attribute of a `<time>`: HTML allows three digits of a second's fraction at
        most, and to the second is all a reader needs."""
        return value.isoformat(timespec="seconds")

    @app.template_filter("moment")
    def moment(value, format: str = "medium", zone: str | None = None) -> str:
        """A timestamp in the visitor's language; with `zone` ("paris"), in that zone and saying so."""
        if not value:
            return ""
        if zone is None:
            return format_datetime(value, format)
        tzinfo, label = ZONES[zone]
        return f"{babel_format_datetime(value, format, tzinfo=tzinfo, locale=get_locale())} ({label})"

    @app.context_processor
    def globals_():
        return {
            "ORGANISATION_TYPES": ORGANISATION_TYPES,
            "COOPERATION_AXES": COOPERATION_AXES,
            "StayStatus": StayStatus,
            "accessibility_status": ACCESSIBILITY_STATUSES[accessibility_status()],
            "current_locale": language(),
        }
