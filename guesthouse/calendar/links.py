"""Absolute addresses of the feeds, and the "add to calendar" links of a requester's stay."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import current_app, url_for
from flask_babel import gettext as _

from ..bookings.models import StayRequest

GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render"


def absolute_url(endpoint: str, **values) -> str:
    """The public address of a page, from BASE_URL: feeds are fetched by servers that never saw ours."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def webcal_url(url: str) -> str:
    """The same address with the webcal scheme, which opens the calendar app's subscription dialog."""
    return "webcal://" + url.split("://", 1)[-1]


def google_calendar_url(stay: StayRequest) -> str:
    """Google Calendar's "new event" form filled with the stay (all-day dates, end exclusive)."""
    house = current_app.config["CALENDAR_NAME"]
    params = {
        "action": "TEMPLATE",
        "text": _("Séjour — %(house)s", house=house),
        "dates": f"{stay.arrival:%Y%m%d}/{stay.departure:%Y%m%d}",
        # The reference, not the private page's address: Google would keep the secret link.
        "details": _("Référence : %(reference)s", reference=stay.reference or ""),
        "location": _("%(house)s, Bamako (Mali)", house=house),
    }
    return f"{GOOGLE_TEMPLATE}?{urlencode(params)}"


def stay_calendar_links(stay: StayRequest) -> dict[str, str]:
    """The requester's .ics download, its webcal:// subscription and Google Calendar's form."""
    return {
        "download": url_for("calendar.stay", token=stay.access_token),
        "webcal": webcal_url(absolute_url("calendar.stay", token=stay.access_token)),
        "google": google_calendar_url(stay),
    }
