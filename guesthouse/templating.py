"""Jinja filters and globals shared by every template."""

from datetime import date, datetime
from functools import lru_cache

from flask import Flask
from flask_babel import format_date, format_datetime, get_locale, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from .bookings.choices import COOPERATION_AXES, ORGANISATION_TYPES, StayStatus
from .i18n import language
from .legal import ACCESSIBILITY_STATUSES, accessibility_status


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


@lru_cache(maxsize=8192)
def _format_day(value: date, format: str, locale: str) -> str:
    # The locale is part of the key: format_date reads the same one from the request.
    return format_date(value, format)


def register(app: Flask) -> None:
    @app.template_filter("day")
    def day(value: date | str | None, format: str = "medium") -> str:
        """A date in the visitor's language; the same few hundred dates recur on every page, so each
        is formatted once per process (Babel takes ~50 µs a call). The history stores ISO dates."""
        if isinstance(value, str):
            value = date.fromisoformat(value)
        return _format_day(value, format, str(get_locale())) if value else ""

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
    def moment(value, format: str = "medium") -> str:
        return format_datetime(value, format) if value else ""

    @app.context_processor
    def globals_():
        return {
            "ORGANISATION_TYPES": ORGANISATION_TYPES,
            "COOPERATION_AXES": COOPERATION_AXES,
            "StayStatus": StayStatus,
            "accessibility_status": ACCESSIBILITY_STATUSES[accessibility_status()],
            "current_locale": language(),
            **bound_gettext(),
        }
