"""The home page, the health check and error pages."""

from datetime import date, timedelta
from functools import partial

import sqlalchemy as sa
from babel.dates import get_day_names
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from ..bookings.operations import active_rooms, availability, house_capacity
from ..cache import kept
from ..calendar.models import current_feed_version
from ..database import today
from ..extensions import db
from ..house.models import house_settings
from ..i18n import language, page_to_reload, remember_language
from ..urls import safe_next
from . import bp
from .calendar import month_view, parse_day, parse_guests, parse_month
from .health import has_room, record_check


@bp.route("/")
def home():
    """What the house is, how booking works, and the coming weeks' availability."""
    days = current_app.config["AVAILABILITY_DAYS"]
    # Kept: the table is most of the page's cost, over its budget on PostgreSQL (docs/performance.md).
    key = ("main.home", today(), language(), days)
    table = kept(current_feed_version().version, key, partial(availability_table, days))
    return render_template("main/home.html", availability_table=table)


def availability_table(days: int) -> Markup:
    """Free rooms and beds for each of the coming nights."""
    rooms = active_rooms()
    nights = availability(today(), days, rooms)
    capacity = sum(room.beds for room in rooms)
    # Markup: the HTML comes from an autoescaping template, so every value in it is already escaped.
    return Markup(render_template("main/_availability.html", nights=nights, capacity=capacity))  # noqa: S704  # nosec B704


@bp.route("/livez")
def livez():
    """200 while the process answers, without touching the database: the benchmarks' bare route."""
    return {"status": "ok"}


@bp.route("/availability")
def availability_calendar():
    """A month of free rooms and beds; a first click picks the arrival, a second the departure."""
    now = today()
    settings = house_settings()
    last_month = (now + timedelta(days=settings.max_advance_days)).replace(day=1)
    first = parse_month(request.args.get("month"), now)
    if first is None or not now.replace(day=1) <= first <= last_month:
        flash(_("Ce mois n'est pas consultable : voici le mois en cours."), "info")
        first = now.replace(day=1)
    arrival = parse_day(request.args.get("arrival"))
    if arrival is not None and arrival <= now:
        arrival = None
    guests = parse_guests(request.args.get("guests"))
    last_departure = arrival + timedelta(days=settings.max_nights) if arrival else None
    # Kept: a month of cells is most of the page's cost, over its budget (docs/performance.md). The key
    # holds everything the month shows; the page around it (menus, a message) is rendered each time.
    key = ("main.availability", now, language(), first, arrival, guests)
    key += (last_departure, last_month)
    build = partial(month_table, first, now, arrival, guests, last_departure, last_month)
    return render_template("main/availability.html", month=kept(current_feed_version().version, key, build))


def month_table(
    first: date,
    now: date,
    arrival: date | None,
    guests: int | None,
    last_departure: date | None,
    last_month: date,
) -> Markup:
    """The month's nights, each a link to pick it as the arrival or the departure while it can be."""
    html = render_template(
        "main/_month.html",
        month=month_view(first),
        today=now,
        arrival=arrival,
        # Kept in every link, so that the form opens with the travellers the visitor had given.
        guests=guests,
        last_departure=last_departure,
        can_go_back=first > now.replace(day=1),
        can_go_forward=first < last_month,
        capacity=house_capacity(),
        weekdays=[get_day_names("abbreviated", locale=get_locale())[i] for i in range(7)],
    )
    # Markup: the HTML comes from an autoescaping template, so every value in it is already escaped.
    return Markup(html)  # noqa: S704  # nosec B704


@bp.route("/lang/<code>")
def set_language(code: str):
    """Switch the interface language, back to the same page; the choice is remembered in a cookie."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    target = page_to_reload(safe_next(request.args.get("next"), url_for("main.home")))
    return remember_language(redirect(target, code=303), code)


@bp.route("/healthz")
def healthz():
    """200 when the database takes a write and has room for more; what monitors and the load balancer poll."""
    try:
        if not has_room():
            current_app.logger.error("health check: the database is full")
            return {"status": "error", "database": "full"}, 503
        record_check()
        db.session.commit()
    except (sa.exc.SQLAlchemyError, OSError):
        current_app.logger.exception("health check: the database cannot be written")
        return {"status": "error", "database": "unavailable"}, 503
    return {"status": "ok", "database": "ok"}
