"""The iCalendar part of confirmation, change and cancellation mails (iTIP, RFC 5546)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from icalendar import Calendar, Event, vCalAddress

from ..database import utcnow
from .compose import one_line

if TYPE_CHECKING:
    from ..bookings.models import StayRequest

PRODID = "-//Ville d'Angers//Reservations MPAB//FR"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


def invitation(
    stay: StayRequest,
    *,
    method: str,
    sequence: int,
    organizer: tuple[str, str],
    summary: str,
    description: str,
    location: str,
) -> str:
    """One all-day event over the stay's nights: `[arrival, departure)` is exactly DTSTART/DTEND.

    The UID is the stay's, for its whole life, and SEQUENCE the stay's as of the change announced, which
    every change an invitation must reflect raises: a calendar then updates or removes the event it holds.
    """
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"unsupported iTIP method {method!r}")
    organizer_name, organizer_address = organizer
    event = Event.new(
        uid=stay.ical_uid,
        start=stay.arrival,
        end=stay.departure,
        sequence=sequence,
        stamp=utcnow(),
        summary=summary,
        description=description,
        location=location,
        status="CANCELLED" if method == CANCEL else "CONFIRMED",
        organizer=vCalAddress.new(one_line(organizer_address), cn=_cn(organizer_name)),
        attendees=[
            vCalAddress.new(
                one_line(stay.contact_email),
                cn=_cn(stay.contact_name),
                role="REQ-PARTICIPANT",
                partstat="NEEDS-ACTION",
                # Nothing reads replies: the service mailbox would only collect "accepted" notices.
                rsvp=False,
            )
        ],
    )
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def _cn(name: str) -> str:
    # A double quote cannot appear in a parameter value; RFC 6868 escapes it as ^', which Outlook
    # shows as such. A plain apostrophe reads the same.
    return one_line(name).replace('"', "'")
