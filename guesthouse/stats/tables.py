"""The report as tables: the same cells feed the page (formatted for reading) and the CSV exports."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_date, format_decimal, format_percent, get_locale, ngettext
from flask_babel import gettext as _

from ..bookings.choices import StayStatus
from ..i18n import format_day
from .operations import ActivityReport, Group, Tally

NUMERIC = {"int", "decimal", "percent", "hours"}
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A CSV cell is a bare number: its unit goes into the column's (or, in a two-column table, the row's) name.
UNITS = {"percent": "%", "hours": "h"}


def percent_pattern() -> str:
    """The locale's percent pattern with one decimal: "29,8 %" in French, "29.8%" in English."""
    return get_locale().percent_formats[None].pattern.replace("#,##0", "#,##0.0", 1)


def duration(hours: float) -> str:
    """A delay for people: in hours under two days, in days beyond."""
    if hours < 48:
        shown = round(hours, 1)
        return ngettext(
            "%(value)s heure", "%(value)s heures", plural_count(shown), value=format_decimal(shown, "#,##0.#")
        )
    shown = round(hours / 24, 1)
    return ngettext(
        "%(value)s jour", "%(value)s jours", plural_count(shown), value=format_decimal(shown, "#,##0.#")
    )


def plural_count(value: float) -> int:
    """gettext picks a plural form from an integer only (a float warns, then fails); 1.5 is plural."""
    return 1 if value == 1 else 2


def neutralise(text: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula: a leading quote makes it plain text."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class Cell:
    value: Any
    kind: str = "text"  # text, int, decimal, percent (a ratio), hours, month, date

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC

    def display(self) -> str:
        """The value as people read it on the page, in their language."""
        if self.value is None:
            return "—"
        match self.kind:
            case "int":
                return format_decimal(self.value)
            case "decimal":
                return format_decimal(self.value, "#,##0.0")
            case "percent":
                return format_percent(self.value, percent_pattern())
            case "hours":
                return duration(self.value)
            case "month":
                return format_date(self.value, "LLLL yyyy")
            case "date":
                return format_day(self.value, "medium")
        return str(self.value)

    def csv(self) -> str:
        """The value for a spreadsheet: bare numbers with the locale's decimal mark, ISO dates."""
        if self.value is None:
            return ""
        match self.kind:
            case "int":
                return str(self.value)
            case "decimal" | "hours":
                return format_decimal(self.value, "0.0")
            case "percent":
                return format_decimal(self.value * 100, "0.0")
            case "month":
                return self.value.strftime("%Y-%m")
            case "date":
                return self.value.isoformat()
        return neutralise(str(self.value))


@dataclass
class Table:
    name: str  # in the export's address and file name
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    total: list[Cell] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def is_key_value(self) -> bool:
        """A list of indicators (name, value) rather than a table of records."""
        return len(self.headers) == 2

    def csv_headers(self) -> list[str]:
        if self.is_key_value:
            return list(self.headers)
        headers = []
        for i, header in enumerate(self.headers):
            kinds = {row[i].kind for row in self.rows + ([self.total] if self.total else [])}
            unit = UNITS.get(kinds.pop()) if len(kinds) == 1 else None
            headers.append(f"{header} ({unit})" if unit else header)
        return headers

    def csv_row(self, row: list[Cell]) -> list[str]:
        cells = [cell.csv() for cell in row]
        if self.is_key_value and row[1].kind in UNITS:
            cells[0] = f"{cells[0]} ({UNITS[row[1].kind]})"
        return cells

    def csv_bytes(self) -> bytes:
        """UTF-8 with a BOM and `;` between cells: what French Excel opens directly."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow([neutralise(h) for h in self.csv_headers()])
        for row in [*self.rows, *([self.total] if self.total else [])]:
            writer.writerow(self.csv_row(row))
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def tally_cells(tally: Tally, whole: Tally | None = None) -> list[Cell]:
    cells = [
        Cell(tally.stays, "int"),
        Cell(tally.travellers, "int"),
        Cell(tally.nights, "int"),
        Cell(tally.person_nights, "int"),
    ]
    if whole is not None:
        share = tally.person_nights / whole.person_nights if whole.person_nights else None
        cells.append(Cell(share, "percent"))
    return cells


def tally_headers() -> list[str]:
    return [_("Séjours"), _("Voyageurs"), _("Nuits"), _("Nuitées")]


def summary_table(report: ActivityReport) -> Table:
    rows = [
        (_("Taux d'occupation"), Cell(report.room_nights.rate, "percent")),
        (_("Nuits-chambres occupées"), Cell(report.room_nights.occupied, "int")),
        (_("Nuits-chambres disponibles (hors fermetures)"), Cell(report.room_nights.available, "int")),
        (_("Séjours"), Cell(report.total.stays, "int")),
        (_("Voyageurs"), Cell(report.total.travellers, "int")),
        (_("Nuits (une par séjour et par nuit)"), Cell(report.total.nights, "int")),
        (
            _("Nuits réellement passées (séjours dont l'arrivée est enregistrée)"),
            Cell(report.nights_spent, "int"),
        ),
        (_("Séjours sans personne arrivée (absences notées)"), Cell(report.no_shows, "int")),
        (_("Nuitées (une par voyageur et par nuit)"), Cell(report.total.person_nights, "int")),
        (
            _("Durée moyenne d'un séjour dans la période (nuits)"),
            Cell(report.total.average_nights, "decimal"),
        ),
    ]
    return Table(
        "summary", _("Chiffres clés"), [_("Indicateur"), _("Valeur")], [[Cell(k), v] for k, v in rows]
    )


def months_table(report: ActivityReport) -> Table:
    headers = [
        _("Mois"),
        _("Nuits-chambres disponibles"),
        _("Nuits-chambres occupées"),
        _("Taux d'occupation"),
        *tally_headers(),
    ]

    def cells(first: Cell, room_nights, tally) -> list[Cell]:
        return [
            first,
            Cell(room_nights.available, "int"),
            Cell(room_nights.occupied, "int"),
            Cell(room_nights.rate, "percent"),
            *tally_cells(tally),
        ]

    return Table(
        "months",
        _("Occupation et séjours par mois"),
        headers,
        [cells(Cell(m.month, "month"), m.room_nights, m.tally) for m in report.months],
        total=cells(Cell(_("Période entière")), report.room_nights, report.total),
        notes=[
            _(
                "Un séjour à cheval sur deux mois compte dans chacun : la somme des séjours par mois peut "
                "dépasser le total de la période, pas celle des nuits."
            )
        ],
    )


def group_table(
    name: str, title: str, first_header: str, groups: list[Group], report: ActivityReport
) -> Table:
    return Table(
        name,
        title,
        [first_header, *tally_headers(), _("Part des nuitées")],
        [[Cell(g.label), *tally_cells(g.tally, report.total)] for g in groups],
        total=[Cell(_("Total")), *tally_cells(report.total, report.total)],
    )


def requests_table(report: ActivityReport) -> Table:
    figures = report.requests
    rows = [
        (_("Demandes reçues"), Cell(figures.received, "int")),
        (_("dont confirmées"), Cell(figures.by_status[StayStatus.APPROVED], "int")),
        (_("dont refusées"), Cell(figures.by_status[StayStatus.REJECTED], "int")),
        (_("dont annulées"), Cell(figures.by_status[StayStatus.CANCELLED], "int")),
        (_("dont retirées par le demandeur"), Cell(figures.by_status[StayStatus.WITHDRAWN], "int")),
        (_("dont encore en attente"), Cell(figures.by_status[StayStatus.PENDING], "int")),
        (_("Délai médian de décision"), Cell(figures.median_hours, "hours")),
    ]
    return Table(
        "requests",
        _("Demandes reçues dans la période"),
        [_("Demandes"), _("Valeur")],
        [[Cell(k), v] for k, v in rows],
        notes=[
            ngettext(
                "Demandes comptées à leur date de réception, y compris celles que la purge des données "
                "personnelles a supprimées. Délai de décision : de la réception à la confirmation, au refus "
                "ou à l'annulation par le service, sur %(num)s demande décidée ; dans le fichier CSV, "
                "il est en heures.",
                "Demandes comptées à leur date de réception, y compris celles que la purge des données "
                "personnelles a supprimées. Délai de décision : de la réception à la confirmation, au refus "
                "ou à l'annulation par le service, sur %(num)s demandes décidées ; dans le fichier CSV, "
                "il est en heures.",
                figures.decided,
            )
        ],
    )


def stays_table(report: ActivityReport) -> Table:
    """The approved stays behind the figures; no contact, no traveller names."""
    headers = [
        _("Référence"),
        _("Arrivée"),
        _("Départ"),
        _("Nuits dans la période"),
        _("Voyageurs"),
        _("Nuitées dans la période"),
        _("Organisation"),
        _("Type d'organisation"),
        _("Acteur angevin"),
        _("Axe de coopération"),
        _("Chambres"),
        _("Statut"),
    ]
    rows = [
        [
            Cell(line.stay.reference),
            Cell(line.stay.arrival, "date"),
            Cell(line.stay.departure, "date"),
            Cell(line.nights_in_period, "int"),
            Cell(line.stay.guests, "int"),
            Cell(line.stay.guests * line.nights_in_period, "int"),
            Cell(line.stay.organisation),
            Cell(line.stay.organisation_type_label),
            Cell(_("Oui") if line.stay.angers_based else _("Non")),
            Cell(line.stay.cooperation_axis_label),
            Cell(", ".join(room.name for room in line.stay.rooms)),
            Cell(line.stay.status.label),
        ]
        for line in report.stays
    ]
    return Table("stays", _("Séjours de la période"), headers, rows)


def report_tables(report: ActivityReport) -> dict[str, Table]:
    """Every table of the report by export name, in the order of the page."""
    tables = [
        summary_table(report),
        months_table(report),
        group_table("axes", _("Par axe de coopération"), _("Axe de coopération"), report.by_axis, report),
        group_table("types", _("Par type d'organisation"), _("Type d'organisation"), report.by_type, report),
        group_table("origins", _("Acteurs angevins et autres"), _("Origine"), report.by_origin, report),
        group_table(
            "organisations", _("Par organisation"), _("Organisation"), report.by_organisation, report
        ),
        requests_table(report),
        stays_table(report),
    ]
    return {table.name: table for table in tables}


EXPORTS = ("summary", "months", "axes", "types", "origins", "organisations", "requests", "stays")
