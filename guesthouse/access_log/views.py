"""The access log for admins: browse by member and by request, and export as CSV."""

import csv
import io

import sqlalchemy as sa
from flask import Response, abort, current_app, render_template, request
from flask_babel import gettext as _

from ..database import today
from ..errors import render_error
from ..extensions import db
from ..staff.access import admin_required
from ..staff.models import StaffUser
from ..stats.tables import neutralise
from ..urls import MAX_ID
from . import bp
from .forms import AccessFilterForm
from .operations import access_records

PAGE_SIZE = 50


def filtered() -> tuple[AccessFilterForm, sa.Select]:
    """The filter form from the query string, and the records it selects (all of them if invalid)."""
    members = list(db.session.scalars(sa.select(StaffUser).order_by(StaffUser.name, StaffUser.id)))
    form = AccessFilterForm(request.args, members=members)
    if form.validate():
        return form, access_records(form.member_id, form.clean_reference)
    return form, access_records()


@bp.get("/access-log")
@admin_required
def index():
    """Who opened which person's details, newest first, by member and by request."""
    form, query = filtered()
    number = request.args.get("page", 1, type=int)
    if number > MAX_ID:
        abort(404)
    page = db.paginate(query, page=number, per_page=PAGE_SIZE, error_out=False)
    args = {key: value for key, value in request.args.items() if key != "page"}
    months = current_app.config["ACCESS_LOG_MONTHS"]
    status = 400 if form.errors else 200
    return render_template("access_log/index.html", form=form, page=page, args=args, months=months), status


@bp.get("/access-log.csv")
@admin_required
def export():
    """The records the filters select, as a CSV file that French Excel opens."""
    form, query = filtered()
    if form.errors:
        return render_error(400, _("Filtres invalides : ouvrez le journal et choisissez-les de nouveau."))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [_("Date (UTC)"), _("Membre du service"), _("Adresse e-mail"), _("Consultation"), _("Demandes")]
    )
    for record in db.session.scalars(query):
        member = record.user
        writer.writerow(
            [
                record.accessed_at.isoformat(timespec="seconds"),
                neutralise(member.name if member else ""),
                neutralise(member.email if member else ""),
                record.kind.label,
                " ".join(record.reference_list),
            ]
        )
    return Response(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="mpab-journal-des-acces-{today().isoformat()}.csv"',
            "Cache-Control": "private, no-store",
        },
    )
