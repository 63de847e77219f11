"""The addresses of a requester's calendar: its download, its subscriptions and Google Calendar's form."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import url_for

from ..bookings.choices import StayStatus
from ..bookings.models import StayRequest
from ..urls import external_url
from .feeds import house_facts
from .ical import stay_text

GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render"


def webcal_url(url: str) -> str:
    """The same address with the webcal scheme, which opens the calendar app's subscription dialog."""
    return "webcal://" + url.split("://", 1)[-1]


def google_calendar_url(stay: StayRequest) -> str:
    """Google Calendar's "new event" form filled with the stay (all-day dates, end exclusive).

    The text of the calendar files, which holds no private link: Google would keep it.
    """
    text = stay_text(stay, house_facts())
    params = {
        "action": "TEMPLATE",
        "text": text.summary,
        "dates": f"{stay.arrival:%Y%m%d}/{stay.departure:%Y%m%d}",
        "details": text.description,
        "location": text.location,
    }
    return f"{GOOGLE_TEMPLATE}?{urlencode(params)}"


def stay_calendar_links(stay: StayRequest) -> dict[str, str]:
    """The requester's .ics download, its webcal:// subscription and Google Calendar's form."""
    return {
        "download": url_for("calendar.stay", token=stay.access_token),
        "webcal": webcal_url(external_url("calendar.stay", token=stay.access_token)),
        "google": google_calendar_url(stay),
    }


def stay_subscription(stay: StayRequest) -> tuple[str, str] | None:
    """The https and webcal:// addresses of an approved stay's calendar, for a mail; None otherwise."""
    if stay.status != StayStatus.APPROVED:
        return None
    url = external_url("calendar.stay", token=stay.access_token)
    return url, webcal_url(url)
