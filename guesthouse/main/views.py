"""The home page, the health check and error pages."""

from functools import lru_cache

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import get_locale
from markupsafe import Markup

from ..bookings.operations import Night, active_rooms, availability
from ..database import today
from ..extensions import db
from . import bp


@bp.route("/")
def home():
    """What the house is, how booking works, and the coming weeks' availability."""
    rooms = active_rooms()
    nights = tuple(availability(today(), current_app.config["AVAILABILITY_DAYS"], rooms))
    capacity = sum(room.beds for room in rooms)
    table = availability_table(nights, capacity, str(get_locale()))
    return render_template("main/home.html", availability_table=table)


@lru_cache(maxsize=64)
def availability_table(nights: tuple[Night, ...], capacity: int, locale: str) -> Markup:
    """The availability table, rendered once for each distinct content and language.

    Its rows are most of the home page's rendering time, and they change only when a booking or a
    closure does, or at midnight: the figures themselves are the cache key, so it is never stale.
    """
    return Markup(render_template("main/_availability.html", nights=nights, capacity=capacity))  # noqa: S704 - autoescaped HTML


@bp.route("/livez")
def livez():
    """200 while the process answers, without touching the database: the benchmarks' bare route."""
    return {"status": "ok"}


@bp.route("/healthz")
def healthz():
    """200 when the app and its database answer; what monitors and the load balancer should poll."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        current_app.logger.exception("health check: database unreachable")
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
