"""Every iCalendar object the service writes: the feeds, the requester's download and the invitations.

One PRODID and one escaping for all of them. Everything an event says comes from its record (DTSTAMP
and LAST-MODIFIED from `updated_at`, SEQUENCE from `sequence`), and events are sorted, so the same data
always gives the same bytes. Subscription feeds carry no METHOD (RFC 5546 methods are for invitations,
not for published calendars). Calendars sync to third parties: no object holds a private link.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from icalendar import Calendar, Component, Event, vCalAddress, vDuration, vText

from ..bookings.choices import StayStatus
from ..bookings.models import RoomAssignment, StayRequest
from ..rooms.models import Closure

PRODID = "-//Ville d'Angers//MPAB sejours//FR"
UID_DOMAIN = "mpab"
REFRESH = timedelta(hours=1)
# iTIP methods of the invitations mailed to a requester (RFC 5546).
REQUEST = "REQUEST"
CANCEL = "CANCEL"

# US-ASCII controls other than TAB and LF, which RFC 5545 TEXT cannot carry (CR is turned into LF
# first), and the byte-order mark, which parsers drop at the start of a value.
_UNCARRIABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufeff]")


def calendar_text(value: str) -> str:
    """The text as a calendar can carry it: line breaks as LF, without control characters."""
    return _UNCARRIABLE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


class Text(vText):
    """A TEXT value escaped exactly as RFC 5545 §3.3.11 says: the one escaping of every TEXT value here.

    icalendar's own vText escaping first turns a backslash followed by N in the value into a line
    break, so "C:\\Niger" would come back from any parser as "C:" and "iger" on two lines. Only
    backslash (first), semicolon, comma and line feed are escaped here; a line break is written "\\n".
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
        "guests": ngettext("%(num)s voyageur", "%(num)s voyageurs", stay.guests),
    }
    if stay.status == StayStatus.PENDING:
        return _("[En attente] %(reference)s — %(organisation)s, %(guests)s", **values)
    return _("%(reference)s — %(organisation)s, %(guests)s", **values)


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
        _("Référence : %(reference)s", reference=stay.reference or ""),
        _("Organisation : %(organisation)s", organisation=calendar_text(stay.organisation)),
        _("Voyageurs : %(guests)s", guests=stay.guests),
        _("Chambres : à attribuer (demande en attente)")
        if pending
        else _("Chambres : %(rooms)s", rooms=rooms),
        _("Fiche : %(url)s", url=detail_url),
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


# -- a requester's own stay: one event for the download, the subscription and the invitations ----
@dataclass(frozen=True)
class HouseFacts:
    """What a requester's event says besides the stay itself: public facts only, never a private link."""

    name: str
    address: str
    page_url: str
    contact_email: str


@dataclass(frozen=True)
class StayText:
    summary: str
    location: str
    description: str


def stay_text(stay: StayRequest, house: HouseFacts) -> StayText:
    """What a calendar shows of the stay: the same text in a file, an invitation or Google's form."""
    lines = [_("Référence : %(reference)s", reference=stay.reference or "")]
    if rooms := room_names(stay):
        lines.append(_("Chambres : %(rooms)s", rooms=rooms))
    lines += [
        _("Site de la maison\u00a0: %(url)s", url=house.page_url),
        _("Contact du service\u00a0: %(email)s", email=house.contact_email),
        # The private link is left to the mails: a synced calendar would hand it to a third party.
        _("Pour suivre votre demande, ouvrez le lien personnel reçu par courriel."),
    ]
    return StayText(
        summary=_("Séjour — %(house)s", house=house.name),
        location=calendar_text(house.address),
        description="\n".join(lines),
    )


def requester_stay_event(
    stay: StayRequest, house: HouseFacts, *, sequence: int | None = None, cancelled: bool = False
) -> Event:
    """The stay under the same UID, SUMMARY, LOCATION and DESCRIPTION wherever it is sent.

    An invitation gives the SEQUENCE of the change it announces (a later change may have raised the
    stay's since), and `cancelled` for an iTIP CANCEL; nothing else differs.
    """
    text = stay_text(stay, house)
    event = all_day_event(
        uid=stay.ical_uid,
        start=stay.arrival,
        end=stay.departure,
        revised=stay.updated_at,
        sequence=stay.sequence if sequence is None else sequence,
        summary=text.summary,
        status="CANCELLED" if cancelled else "CONFIRMED",
        transparent=False,
    )
    add_text(event, "DESCRIPTION", text.description)
    add_text(event, "LOCATION", text.location)
    add_text(event, "CONTACT", house.contact_email)
    event.add("URL", house.page_url)
    return event


def invitation(event: Event, *, method: str, organizer: tuple[str, str], attendee: tuple[str, str]) -> str:
    """The event as an iTIP message: METHOD, and the ORGANIZER and ATTENDEE that RFC 5546 requires.

    ORGANIZER is the address the mails come from, so that a calendar accepts the updates that follow.
    """
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"unsupported iTIP method {method!r}")
    event.add("ORGANIZER", calendar_address(*organizer))
    # Nothing reads replies (RSVP false): the service mailbox would only collect "accepted" notices.
    event.add(
        "ATTENDEE", calendar_address(*attendee, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp=False)
    )
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def calendar_address(name: str, address: str, **parameters) -> vCalAddress:
    """A mailto: address with its CN, on one line whatever the name holds."""
    # A double quote cannot appear in a parameter value; RFC 6868 escapes it as ^', which Outlook
    # shows as such. A plain apostrophe reads the same.
    cn = " ".join(calendar_text(name).split()).replace('"', "'")
    return vCalAddress.new("".join(calendar_text(address).split()), cn=cn, **parameters)
