"""Jinja filters and globals shared by every template."""

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_format_datetime
from flask import Flask
from flask_babel import format_date, format_datetime, get_locale, get_translations
from flask_babel import lazy_gettext as _l
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from .bookings.choices import COOPERATION_AXES, ORGANISATION_TYPES, StayStatus
from .i18n import language


def bound_gettext() -> dict:
    """Template gettext and ngettext bound to this render's translations.

    Flask-Babel's template callables look the translations up again through the request context at
    every call (~45 µs); a page has dozens of strings. Same behaviour as Jinja's newstyle callables it
    replaces: autoescaped result, always %-formatted (`%%` for a literal percent sign).
    """
    translations = get_translations()

    @pass_context
    def gettext(context: Context, string: str, **variables) -> str:
        text = translations.ugettext(string)
        # Markup: a translation is our own text, and `%` escapes the variables put into it.
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables  # noqa: S704  # nosec B704

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        text = translations.ungettext(singular, plural, num)
        return (Markup(text) if context.eval_ctx.autoescape else text) % variables  # noqa: S704  # nosec B704

    return {"gettext": gettext, "ngettext": ngettext}


# The zones a timestamp may be shown in, with the words that say which. Staff pages show Paris time: the
# service works from Angers (stored timestamps are UTC, which is also Bamako's time all year).
ZONES = {"paris": (ZoneInfo("Europe/Paris"), _l("heure de Paris"))}


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
            "current_locale": language(),
            **bound_gettext(),
        }
