"""Bar charts drawn on the server as inline SVG: no script, no inline style, no third-party service.

Each chart is an image for assistive technology (role="img", a label, and a description that reads out
every value); the same figures are in the table next to it. Colours come from CSS classes in app.css,
with presentation attributes as a fallback when the SVG is copied out of the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import format_date, format_percent
from flask_babel import gettext as _
from markupsafe import Markup

from .operations import Group, Month
from .tables import Cell

WIDTH = 640
BAR_COLOUR = "#8a3b12"
INK = "#1f2328"
GRID = "#d0d7de"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no figure (nothing was open that month)
    text: str  # the value as people read it


# Every element is a Markup template filled by `.format`, which escapes each value it inserts: labels
# (organisation types, axes, months) can never inject markup into the page.
SVG = Markup(
    '<svg class="chart" id="{id}" role="img" viewBox="0 0 {width} {height}" aria-label="{title}" '
    'aria-describedby="{id}-desc" xmlns="http://www.w3.org/2000/svg">'
    '<title>{title}</title><desc id="{id}-desc">{description}</desc>{body}</svg>'
)
GRIDLINE = Markup(
    '<line class="chart-grid" x1="{x1}" x2="{x2}" y1="{y:.1f}" y2="{y:.1f}" stroke="{colour}"/>'
    '<text class="chart-tick" x="{tx}" y="{ty:.1f}" text-anchor="end" fill="{ink}">{text}</text>'
)
BAR = Markup(
    '<rect class="chart-bar" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
    'fill="{colour}"><title>{reading}</title></rect>'
)
TEXT = Markup('<text class="{cls}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{ink}">{text}</text>')


def _svg(chart_id: str, title: str, bars: list[Bar], height: int, body: list[Markup]) -> Markup:
    # TRANSLATORS: between two bars of a chart read out, as in "March: 30%; April: 5%".
    description = _(" ; ").join(_reading(bar) for bar in bars)
    return SVG.format(
        id=chart_id,
        width=WIDTH,
        height=height,
        title=title,
        description=description,
        body=Markup("").join(body),
    )


def _text(cls: str, x: float, y: float, text: str, anchor: str = "start") -> Markup:
    return TEXT.format(cls=cls, x=x, y=y, anchor=anchor, ink=INK, text=text)


def _reading(bar: Bar) -> str:
    """A bar as read out, with the punctuation of the reader's language."""
    return _("%(label)s : %(value)s", label=bar.label, value=bar.text)


def _bar(bar: Bar, x: float, y: float, width: float, height: float) -> Markup:
    return BAR.format(x=x, y=y, width=width, height=height, colour=BAR_COLOUR, reading=_reading(bar))


def column_chart(
    chart_id: str, title: str, bars: list[Bar], ticks: list[tuple[float, str]], top: float
) -> Markup:
    """Vertical bars over labelled gridlines, from 0 to `top`."""
    height, left, right, upper, lower = 260, 52, WIDTH - 8, 24, 260 - 40
    slot = (right - left) / max(len(bars), 1)
    # Past a year of months, label one bar in `step` so that labels do not overlap.
    step = math.ceil(len(bars) / 12) or 1

    def y(value: float) -> float:
        return lower - (lower - upper) * min(value / top, 1) if top else lower

    body = [
        GRIDLINE.format(
            x1=left, x2=right, y=y(value), colour=GRID, tx=left - 6, ty=y(value) + 4, ink=INK, text=text
        )
        for value, text in ticks
    ]
    for i, bar in enumerate(bars):
        x = left + i * slot
        centre = x + slot / 2
        if bar.value is not None:
            top_y = y(bar.value)
            body.append(_bar(bar, x + slot * 0.15, top_y, slot * 0.7, lower - top_y))
            if len(bars) <= 24:
                body.append(_text("chart-value", centre, top_y - 5, bar.text, "middle"))
        if i % step == 0:
            body.append(_text("chart-label", centre, lower + 18, bar.label, "middle"))
    return _svg(chart_id, title, bars, height, body)


def row_chart(chart_id: str, title: str, bars: list[Bar]) -> Markup:
    """Horizontal bars, one labelled row each, in the order given."""
    row, label_width, value_width = 30, 210, 90
    height = row * len(bars) + 10
    span = WIDTH - label_width - value_width
    top = max((bar.value or 0 for bar in bars), default=0) or 1
    body = []
    for i, bar in enumerate(bars):
        y = 5 + i * row
        width = span * (bar.value or 0) / top
        body += [
            _text("chart-label", label_width - 8, y + 19, bar.label, "end"),
            _bar(bar, label_width, y + 5, width, row - 10),
            _text("chart-value", label_width + width + 6, y + 19, bar.text),
        ]
    return _svg(chart_id, title, bars, height, body)


def occupancy_chart(months: list[Month]) -> Markup:
    """The occupancy rate of each month of the period."""
    short = len(months) <= 12
    bars = [
        Bar(
            format_date(m.month, "MMM" if short else "MMM yy"),
            m.room_nights.rate,
            Cell(m.room_nights.rate, "percent").display(),
        )
        for m in months
    ]
    ticks = [(v, format_percent(v)) for v in (0, 0.25, 0.5, 0.75, 1)]
    return column_chart("chart-occupancy", _("Taux d'occupation par mois"), bars, ticks, 1)


def axis_chart(groups: list[Group]) -> Markup:
    """Person-nights of each cooperation axis."""
    bars = [Bar(g.label, g.tally.person_nights, Cell(g.tally.person_nights, "int").display()) for g in groups]
    return row_chart("chart-axes", _("Nuitées par axe de coopération"), bars)
