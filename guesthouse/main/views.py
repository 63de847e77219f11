"""The home page, the health check and error pages."""

import sqlalchemy as sa
from flask import current_app, render_template

from ..bookings.operations import availability, house_capacity
from ..database import today
from ..extensions import db
from . import bp


@bp.route("/")
def home():
    """What the house is, how booking works, and the coming weeks' availability."""
    nights = availability(today(), current_app.config["AVAILABILITY_DAYS"])
    return render_template("main/home.html", nights=nights, capacity=house_capacity())


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
