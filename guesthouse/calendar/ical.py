"""iCalendar documents for the feeds and the requester's download, built with icalendar.

Everything an event says comes from its record (DTSTAMP and LAST-MODIFIED from `updated_at`, SEQUENCE
from `sequence`), and events are sorted, so the same data always gives the same bytes. Subscription
feeds carry no METHOD (RFC 5546 methods are for invitations, not for published calendars).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from icalendar import Calendar, Component, Event, vDuration, vText

from ..bookings.choices import StayStatus
from ..bookings.models import RoomAssignment, StayRequest
from ..rooms.models import Closure

PRODID = "-//Ville d'Angers//MPAB sejours//FR"
UID_DOMAIN = "mpab"
REFRESH = timedelta(hours=1)

# US-ASCII controls other than TAB and LF, which RFC 5545 TEXT cannot carry (CR is turned into LF
# first), and the byte-order mark, which parsers drop at the start of a value.
_UNCARRIABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufeff]")


def calendar_text(value: str) -> str:
    """The text as a calendar can carry it: line breaks as LF, without control characters."""
    return _UNCARRIABLE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


class Text(vText):
    """A TEXT value escaped exactly as RFC 5545 §3.3.11 says.

    icalendar's vText also reads a backslash followed by N in the value as a line break, so
    "C:\\Nouveau" would not come back unchanged from a parser; only backslash (first), semicolon,
    comma and line feed are escaped here.
    """

    def to_ical(self) -> bytes:
        escaped = self.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
        return escaped.encode(self.encoding)


def opaque_uid(*parts: str) -> str:
    """A stable UID that reveals neither ids nor the order of records."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"{digest}@{UID_DOMAIN}"


def add_text(component: Component, name: str, value: str) -> None:
    component.add(name, Text(calendar_text(value)))


def new_calendar(*, name: str, description: str, uid_seed: str) -> Calendar:
    """An empty calendar with what subscription clients need: names, refresh interval, no METHOD."""
    calendar = Calendar.new(prodid=PRODID, uid=opaque_uid("calendar", uid_seed))
    add_text(calendar, "NAME", name)
    add_text(calendar, "X-WR-CALNAME", name)
    add_text(calendar, "DESCRIPTION", description)
    add_text(calendar, "X-WR-CALDESC", description)
    calendar.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    return calendar


def all_day_event(
    *,
    uid: str,
    start: date,
    end: date,
    revised: datetime,
    sequence: int,
    summary: str,
    status: str = "CONFIRMED",
    transparent: bool = True,
) -> Event:
    """An event over whole days `[start, end)`: DTEND is exclusive, as the stays' nights are."""
    event = Event.new(
        uid=uid,
        start=start,
        end=end,
        stamp=revised,
        last_modified=revised,
        sequence=sequence,
        status=status,
        transparency="TRANSPARENT" if transparent else "OPAQUE",
    )
    add_text(event, "SUMMARY", summary)
    return event


def with_events(calendar: Calendar, events: Iterable[Event]) -> Calendar:
    for event in sorted(events, key=lambda e: (e.start, str(e["UID"]))):
        calendar.add_component(event)
    return calendar


def to_ics(calendar: Calendar) -> bytes:
    return calendar.to_ical()


# -- public feeds: occupancy, no personal data -----------------------------------------------------
def occupancy_event(assignment: RoomAssignment) -> Event:
    """One room held by one approved stay: "Occupé" and the room, nothing about who."""
    stay = assignment.stay
    event = all_day_event(
        uid=opaque_uid("stay", stay.ical_uid, str(assignment.room_id)),
        start=assignment.arrival,
        end=assignment.departure,
        revised=stay.updated_at,
        sequence=stay.sequence,
        summary=_("Occupé"),
    )
    add_text(event, "LOCATION", assignment.room.name)
    return event


def closure_location(closure: Closure) -> str:
    return calendar_text(closure.room.name) if closure.room else _("Toute la maison")


def public_closure_event(closure: Closure) -> Event:
    """A closure without its reason, which staff write for themselves."""
    event = all_day_event(
        uid=f"{closure.uid}@{UID_DOMAIN}",
        start=closure.start_date,
        end=closure.end_date,
        revised=closure.updated_at,
        sequence=closure.sequence,
        summary=_("Fermé"),
    )
    add_text(event, "LOCATION", closure_location(closure))
    return event


def occupancy_calendar(
    calendar: Calendar, assignments: Iterable[RoomAssignment], closures: Iterable[Closure]
) -> Calendar:
    events = [occupancy_event(a) for a in assignments] + [public_closure_event(c) for c in closures]
    return with_events(calendar, events)


# -- staff feed: reference, organisation, travellers and rooms; never a phone or an email ------------
# Values are made carriable before they are put together: a name ending with CR followed by the line
# feed that separates two lines would otherwise become a single line break.
def room_names(stay: StayRequest) -> str:
    return ", ".join(calendar_text(a.room.name) for a in stay.assignments)


def staff_stay_summary(stay: StayRequest) -> str:
    values = {
        "reference": stay.reference or "",
        "organisation": calendar_text(stay.organisation),
        "guests": stay.guests,
    }
    if stay.status == StayStatus.PENDING:
        return _("[En attente] %(reference)s — %(organisation)s, %(guests)s voyageur(s)", **values)
    return _("%(reference)s — %(organisation)s, %(guests)s voyageur(s)", **values)


def staff_stay_event(stay: StayRequest, detail_url: str) -> Event:
    """A stay as staff see it; a pending request is TENTATIVE and has no room yet."""
    pending = stay.status == StayStatus.PENDING
    rooms = room_names(stay)
    event = all_day_event(
        uid=opaque_uid("staff-stay", stay.ical_uid),
        start=stay.arrival,
        end=stay.departure,
        revised=stay.updated_at,
        sequence=stay.sequence,
        summary=staff_stay_summary(stay),
        status="TENTATIVE" if pending else "CONFIRMED",
    )
    lines = [
        _("Référence : %(reference)s", reference=stay.reference or ""),
        _("Organisation : %(organisation)s", organisation=calendar_text(stay.organisation)),
        _("Voyageurs : %(guests)s", guests=stay.guests),
        _("Chambres : à attribuer (demande en attente)")
        if pending
        else _("Chambres : %(rooms)s", rooms=rooms),
        _("Fiche : %(url)s", url=detail_url),
    ]
    add_text(event, "DESCRIPTION", "\n".join(lines))
    if rooms:
        add_text(event, "LOCATION", rooms)
    event.add("URL", detail_url)
    return event


def staff_closure_event(closure: Closure) -> Event:
    event = all_day_event(
        uid=opaque_uid("staff-closure", closure.uid),
        start=closure.start_date,
        end=closure.end_date,
        revised=closure.updated_at,
        sequence=closure.sequence,
        summary=_("Fermé — %(where)s", where=closure_location(closure)),
    )
    add_text(event, "DESCRIPTION", closure.reason)
    add_text(event, "LOCATION", closure_location(closure))
    return event


def staff_calendar(
    calendar: Calendar,
    stays: Iterable[StayRequest],
    closures: Iterable[Closure],
    detail_url: dict[int, str],
) -> Calendar:
    events = [staff_stay_event(s, detail_url[s.id]) for s in stays]
    events += [staff_closure_event(c) for c in closures]
    return with_events(calendar, events)


# -- a requester's own stay -----------------------------------------------------------------------
def requester_stay_event(stay: StayRequest, *, house: str, page_url: str) -> Event:
    """The stay under the UID of the invitations e-mailed to the requester, so an import updates it."""
    event = all_day_event(
        uid=stay.ical_uid,
        start=stay.arrival,
        end=stay.departure,
        revised=stay.updated_at,
        sequence=stay.sequence,
        summary=_("Séjour — %(house)s", house=house),
        transparent=False,
    )
    lines = [
        _("Référence : %(reference)s", reference=stay.reference or ""),
        _("Chambres : %(rooms)s", rooms=room_names(stay)),
        _("Suivi de la demande : %(url)s", url=page_url),
    ]
    add_text(event, "DESCRIPTION", "\n".join(lines))
    add_text(event, "LOCATION", _("%(house)s, Bamako (Mali)", house=house))
    event.add("URL", page_url)
    return event
