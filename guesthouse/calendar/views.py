"""Calendar feeds over HTTP, and the staff page explaining how to subscribe to them.

Each feed is built once per data version and kept (calendar_response, guesthouse/cache.py): a poll
that finds nothing new costs one small query.
"""

from flask import abort, current_app, render_template
from flask_login import current_user

from ..bookings.operations import active_rooms, stay_by_token
from ..extensions import db
from ..rooms.models import Room
from ..security.headers import private_link
from ..staff.access import staff_required
from ..urls import external_url
from . import bp
from .feeds import occupancy_feed, replaced_link_feed, staff_feed, stay_feed
from .links import stay_calendar_links, webcal_url
from .operations import feed_window, staff_by_calendar_token, stay_by_replaced_token
from .responses import calendar_response

bp.add_app_template_global(stay_calendar_links)


@bp.get("/occupancy.ics")
def occupancy():
    """The whole house: one event per approved stay and room, and the closures; no personal data."""
    window = feed_window()
    return calendar_response(("occupancy", window), lambda: occupancy_feed(window), private=False)


@bp.get("/rooms/<int:room_id>.ics")
def room(room_id: int):
    """One room's occupancy, its closures and the whole house's."""
    room = db.get_or_404(Room, room_id)
    window = feed_window()
    return calendar_response(("room", room.id, window), lambda: occupancy_feed(window, room), private=False)


@bp.get("/staff/<token>.ics")
@private_link
def staff(token: str):
    """The staff feed at one staff member's secret address: who stays, never how to reach them."""
    if staff_by_calendar_token(token) is None:
        abort(404)
    window = feed_window()
    # Every staff member gets the same feed: it is built once for all of them.
    config = current_app.config
    key = ("staff", config["STAFF_FEED_INCLUDE_PENDING"], config["STAFF_FEED_MAX_PENDING"], window)
    return calendar_response(key, lambda: staff_feed(window), private=True)


@bp.get("/requests/<token>.ics")
@private_link
def stay(token: str):
    """A requester's own stay; the calendar is empty while the stay is not approved."""
    stay = stay_by_token(token)
    if stay is None:
        return replaced_stay(token)
    return calendar_response(
        ("stay", stay.id),
        lambda: stay_feed(stay),
        private=True,
        download_name=f"{stay.reference}.ics",
    )


def replaced_stay(token: str):
    """A replaced link's calendar, without the event: a subscription drops it instead of failing."""
    stay = stay_by_replaced_token(token) or abort(404)
    return calendar_response(("replaced", stay.id), lambda: replaced_link_feed(stay), private=True)


@bp.get("/help", endpoint="help")
@staff_required
def help_page():
    """How to subscribe to the feeds in the usual calendar apps, and how often each refreshes."""
    feeds = [(None, external_url("calendar.occupancy"))]
    feeds += [(room, external_url("calendar.room", room_id=room.id)) for room in active_rooms()]
    return render_template(
        "calendar/help.html",
        feeds=[(room, url, webcal_url(url)) for room, url in feeds],
        has_private_feed=current_user.calendar_token_hash is not None,
    )
