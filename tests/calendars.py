"""Reading calendar files the way clients do: three independent parsers, which must agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import icalendar
import vobject
from ical.calendar_stream import IcsCalendarStream


@dataclass(frozen=True)
class ParsedEvent:
    uid: str
    start: date
    end: date
    summary: str
    description: str | None
    location: str | None
    status: str
    sequence: int


def assert_well_formed(body: bytes) -> None:
    """Every line ends with CRLF and is at most 75 octets; no bare CR or LF anywhere."""
    assert body.endswith(b"\r\n")
    lines = body.split(b"\r\n")[:-1]
    for line in lines:
        assert b"\n" not in line and b"\r" not in line, line
        assert len(line) <= 75, (len(line), line)
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-1] == b"END:VCALENDAR"


def _with_icalendar(body: bytes) -> list[ParsedEvent]:
    calendar = icalendar.Calendar.from_ical(body)
    return [
        ParsedEvent(
            uid=str(e["UID"]),
            start=e.decoded("DTSTART"),
            end=e.decoded("DTEND"),
            summary=str(e["SUMMARY"]),
            description=str(e["DESCRIPTION"]) if "DESCRIPTION" in e else None,
            location=str(e["LOCATION"]) if "LOCATION" in e else None,
            status=str(e["STATUS"]),
            sequence=int(e["SEQUENCE"]),
        )
        for e in calendar.walk("VEVENT")
    ]


def _with_vobject(body: bytes) -> list[ParsedEvent]:
    calendar = vobject.readOne(body.decode())

    def value(event, name):
        return event.contents[name][0].value if name in event.contents else None

    return [
        ParsedEvent(
            uid=value(e, "uid"),
            start=value(e, "dtstart"),
            end=value(e, "dtend"),
            summary=value(e, "summary"),
            description=value(e, "description"),
            location=value(e, "location"),
            status=value(e, "status"),
            sequence=int(value(e, "sequence")),
        )
        for e in calendar.contents.get("vevent", [])
    ]


def _with_ical(body: bytes) -> list[ParsedEvent]:
    calendar = IcsCalendarStream.calendar_from_ics(body.decode())
    return [
        ParsedEvent(
            uid=e.uid,
            start=e.dtstart,
            end=e.dtend,
            summary=e.summary,
            description=e.description,
            location=e.location,
            status=e.status.value,
            sequence=e.sequence,
        )
        for e in calendar.events
    ]


def parse(body: bytes) -> list[ParsedEvent]:
    """The events, once the three parsers have read the same thing; in file order."""
    assert_well_formed(body)
    by_icalendar = _with_icalendar(body)
    assert _with_vobject(body) == by_icalendar
    assert _with_ical(body) == by_icalendar
    for event in by_icalendar:
        # All-day events: dates, not datetimes (datetime is a subclass of date), end after start.
        assert not isinstance(event.start, datetime) and not isinstance(event.end, datetime)
        assert event.end > event.start
    return by_icalendar


def calendar_properties(body: bytes) -> dict[str, str]:
    """The VCALENDAR's own properties, as icalendar reads them (name -> content line value)."""
    calendar = icalendar.Calendar.from_ical(body)
    return {name: calendar[name].to_ical().decode() for name in calendar}


def unfolded(body: bytes) -> str:
    """The text with folded lines joined back, to search for a value that may have been folded."""
    return body.decode().replace("\r\n ", "")
