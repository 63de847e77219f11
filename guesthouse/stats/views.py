"""The "Statistiques" page and its CSV exports, for staff."""

from flask import Response, abort, render_template, request
from flask_babel import gettext as _

from ..database import today
from ..errors import render_error
from ..staff.access import staff_required
from . import bp
from .charts import axis_chart, occupancy_chart
from .forms import choose_period
from .operations import activity_report
from .tables import EXPORTS, report_tables

# Organisations shown on the page; the CSV export has them all.
ORGANISATIONS_SHOWN = 50


@bp.route("")
@staff_required
def index():
    """The figures of a period (the current year unless chosen), with charts and CSV exports."""
    period, form = choose_period(request.args, today())
    report = activity_report(period.start, period.end)
    return render_template(
        "stats/index.html",
        period=period,
        form=form,
        report=report,
        tables=report_tables(report),
        charts={"occupancy": occupancy_chart(report.months), "axes": axis_chart(report.by_axis)},
        organisations_shown=ORGANISATIONS_SHOWN,
    ), (400 if form.errors else 200)


@bp.route("/<name>.csv")
@staff_required
def export(name: str):
    """One table of the page, or the stays of the period, as a CSV file that French Excel opens."""
    if name not in EXPORTS:
        abort(404)
    period, form = choose_period(request.args, today())
    if form.errors:
        return render_error(400, _("Période invalide : %(errors)s", errors=" ".join(form.messages)))
    table = report_tables(activity_report(period.start, period.end))[name]
    return Response(
        table.csv_bytes(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="mpab-{name}-{period.slug}.csv"',
            # Organisation names and stays: nothing for a shared cache to keep.
            "Cache-Control": "private, no-store",
        },
    )
