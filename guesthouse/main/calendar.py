"""The public month view of availability: weeks of nights, and the two clicks that pick a stay."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..bookings.operations import Night, availability


@dataclass
class Month:
    first: date
    weeks: list[list[Night | None]]  # Monday-first weeks; None pads days of other months

    @property
    def previous(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return (self.first + timedelta(days=32)).replace(day=1)


def parse_month(value: str | None, default: date) -> date | None:
    """The first day of a YYYY-MM month, `default`'s month when absent, None when malformed."""
    if not value:
        return default.replace(day=1)
    # Four ASCII digits for the year: a longer number would overflow the date type.
    if not (match := re.fullmatch(r"(\d{4})-(\d{1,2})", value, re.ASCII)):
        return None
    try:
        return date(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


def parse_guests(value: str | None) -> int | None:
    """The number of travellers carried through the calendar to the form, or None when not a count."""
    if value and len(value) <= 3 and value.isascii() and value.isdigit() and int(value) > 0:
        return int(value)
    return None


def month_view(first: date) -> Month:
    """Free rooms and beds for each night of the month, laid out in Monday-first weeks."""
    days_in_month = calendar.monthrange(first.year, first.month)[1]
    nights = availability(first, days_in_month)
    cells: list[Night | None] = [None] * first.weekday() + list(nights)
    cells += [None] * (-len(cells) % 7)
    return Month(first, [cells[i : i + 7] for i in range(0, len(cells), 7)])
