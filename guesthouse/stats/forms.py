"""The period chooser of the statistics page: a year, a month or a range of dates, from GET parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import Form, HiddenField, StringField
from wtforms.validators import NumberRange, Optional

from ..forms import BoundedIntegerField, IsoDateField
from ..i18n import format_day

# Dates far outside the house's life are typos; they would also overflow date arithmetic near year 9999.
MIN_YEAR, MAX_YEAR = 2000, 2100
# Ten years of nights, leap days included: enough for any report, bounded for the server.
MAX_PERIOD_DAYS = 3653
KINDS = ("year", "month", "custom")


@dataclass(frozen=True)
class Period:
    """The nights `[start, end)` a report covers."""

    kind: str  # one of KINDS
    start: date
    end: date

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def nights(self) -> int:
        return (self.end - self.start).days

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("année %(year)s", year=self.start.year)
        if self.kind == "month":
            return format_date(self.start, "LLLL yyyy")
        return _(
            "du %(start)s au %(end)s",
            start=format_day(self.start, "long"),
            end=format_day(self.last_day, "long"),
        )

    @property
    def args(self) -> dict[str, str]:
        """The GET parameters that choose this period again (for the export links)."""
        if self.kind == "year":
            return {"period": "year", "year": str(self.start.year)}
        if self.kind == "month":
            return {"period": "month", "month": self.start.strftime("%Y-%m")}
        return {"period": "custom", "start": self.start.isoformat(), "end": self.last_day.isoformat()}

    @property
    def slug(self) -> str:
        """A short ASCII name for file names."""
        if self.kind == "year":
            return str(self.start.year)
        if self.kind == "month":
            return self.start.strftime("%Y-%m")
        return f"{self.start.isoformat()}_{self.last_day.isoformat()}"


def year_period(year: int) -> Period:
    return Period("year", date(year, 1, 1), date(year + 1, 1, 1))


def month_period(month: date) -> Period:
    return Period("month", month, date(month.year + month.month // 12, month.month % 12 + 1, 1))


class MonthField(StringField):
    """A month typed as YYYY-MM (what `<input type="month">` sends); its data is the month's first day."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        raw = valuelist[0].strip()
        year, dash, month = raw.partition("-")
        # isascii(): int() would also read other scripts' digits, which no page here writes.
        if not (
            dash
            and raw.isascii()
            and len(year) == 4
            and year.isdigit()
            and month.isdigit()
            and 1 <= int(month) <= 12
        ):
            self.data = None
            raise ValueError(_l("Mois invalide : saisissez-le au format AAAA-MM (par exemple 2027-03)."))
        self.data = date(int(year), int(month), 1)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%Y-%m") if self.data else ""


YEARS_MESSAGE = _l("Choisissez une année entre %(min)s et %(max)s.", min=MIN_YEAR, max=MAX_YEAR)


class PeriodForm(Form):
    """Three small GET forms on the page share these fields; `period` says which one was sent."""

    min_year, max_year = MIN_YEAR, MAX_YEAR
    period = HiddenField()
    year = BoundedIntegerField(
        _l("Année"), validators=[Optional(), NumberRange(MIN_YEAR, MAX_YEAR, message=YEARS_MESSAGE)]
    )
    month = MonthField(_l("Mois"))
    start = IsoDateField(_l("Du"))
    end = IsoDateField(_l("Au (inclus)"))

    def chosen_kind(self) -> str | None:
        """The kind of period asked for; guessed from the fields given when a link left `period` out."""
        if self.period.data:
            return self.period.data
        if self.start.raw_data or self.end.raw_data:
            return "custom"
        if self.month.raw_data:
            return "month"
        if self.year.raw_data:
            return "year"
        return None

    def chosen_period(self) -> Period | None:
        """The period the fields describe, or None with an error on the field to correct."""
        kind = self.chosen_kind()
        if kind not in KINDS:
            self.period.errors.append(_l("Période inconnue : choisissez une année, un mois ou des dates."))
            return None
        if kind == "year":
            return self._year()
        if kind == "month":
            return self._month()
        return self._custom()

    def _year(self) -> Period | None:
        if self.year.errors:  # out of range: year 0 or 62027 is not even a date
            return None
        if self.year.data is None:
            self.year.errors.append(_l("Indiquez une année, par exemple 2027."))
            return None
        return year_period(self.year.data)

    def _month(self) -> Period | None:
        if self.month.data is None:
            if not self.month.errors:
                self.month.errors.append(_l("Indiquez un mois au format AAAA-MM (par exemple 2027-03)."))
            return None
        if not MIN_YEAR <= self.month.data.year <= MAX_YEAR:
            self.month.errors.append(YEARS_MESSAGE)
            return None
        return month_period(self.month.data)

    def _custom(self) -> Period | None:
        start, end = self.start.data, self.end.data
        for f in (self.start, self.end):
            if f.data is None and not f.errors:
                f.errors.append(_l("Indiquez la date de début et la date de fin de la période."))
        if start is None or end is None:
            return None
        if not (MIN_YEAR <= start.year <= MAX_YEAR and MIN_YEAR <= end.year <= MAX_YEAR):
            self.start.errors.append(YEARS_MESSAGE)
            return None
        if end < start:
            self.end.errors.append(_l("La date de fin doit suivre la date de début (ou lui être égale)."))
            return None
        if (end - start).days + 1 > MAX_PERIOD_DAYS:
            self.end.errors.append(
                _l("La période ne peut pas dépasser 10 ans : choisissez des dates plus proches.")
            )
            return None
        return Period("custom", start, end + timedelta(days=1))

    @property
    def messages(self) -> list[str]:
        return [str(message) for errors in self.errors.values() for message in errors]


def prefilled(period: Period) -> PeriodForm:
    """The chooser showing this period in each of its three forms."""
    return PeriodForm(
        data={
            "year": period.start.year,
            "month": period.start.replace(day=1),
            "start": period.start,
            "end": period.last_day,
        }
    )


def choose_period(args: MultiDict, today: date) -> tuple[Period, PeriodForm]:
    """The period the GET parameters ask for, else the current year; the form carries any error."""
    form = PeriodForm(args)
    form.validate()  # parses the fields; the checks that depend on the kind of period follow
    period = form.chosen_period() if form.chosen_kind() is not None else year_period(today.year)
    if period is None or form.errors:
        return year_period(today.year), form
    return period, prefilled(period)
