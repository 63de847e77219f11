"""The daily sheet (page and CSV), and the arrivals, departures and no-shows recorded from it."""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ..access_log.models import AccessKind
from ..access_log.operations import record_access
from ..bookings.models import StayRequest, TransitionError
from ..bookings.operations import lock_stay
from ..cache import kept
from ..calendar.models import current_feed_version
from ..database import today
from ..errors import render_error
from ..extensions import db
from ..i18n import language
from ..staff.access import house_staff_required
from ..urls import safe_next
from . import bp
from .evacuation import (
    MAX_EVACUATION_DAYS,
    evacuation_list,
    evacuation_table,
    note_evacuation_viewing,
    parse_days,
)
from .operations import daily_sheet, parse_day, refusal, sheet_table


def bad_date():
    return render_error(
        400, _("Date invalide : choisissez une date réelle au format AAAA-MM-JJ (par exemple 2027-03-14).")
    )


@bp.route("/sheet")
@house_staff_required
def sheet():
    """Arrivals, departures and tonight's travellers of a day (today in Bamako by default), and the week ahead."""
    day = parse_day(request.args.get("date"))
    if day is None:
        return bad_date()
    # Kept: the sections cost about 10 ms of CPU a page (make bench), over the page budget at 10 clients.
    # They are the same for every member who may open the sheet (the buttons carry no token: they
    # submit the page's one presence form); it is kept by data version (travellers' details and the
    # arrivals recorded raise it), and today is in the key: the buttons open from the arrival day.
    key = ("sheet.sheet", today(), language(), day)
    shown = kept(current_feed_version().version, key, lambda: sheet_sections(day))
    one_day = timedelta(days=1)
    page = render_template(
        "sheet/sheet.html", sections=shown.html, day=day, previous=day - one_day, following=day + one_day
    )
    record_access(AccessKind.SHEET, shown.references)
    db.session.commit()
    return page


@dataclass(frozen=True)
class SheetSections:
    html: Markup
    references: tuple[str, ...]  # the requests shown, for the access log


def sheet_sections(day: date) -> SheetSections:
    """The sheet's four sections of `day`, and the requests they show."""
    shown = daily_sheet(day)
    # The member itself, not the proxy: each stay's buttons ask it three questions.
    html = render_template("sheet/_sections.html", sheet=shown, user=current_user._get_current_object())
    # Markup: the HTML comes from an autoescaping template, so every value in it is already escaped.
    return SheetSections(Markup(html), tuple(stay.reference for stay in shown.stays))  # noqa: S704  # nosec B704


@bp.route("/sheet.csv")
@house_staff_required
def sheet_csv():
    """The same sheet as a CSV file that French Excel opens, for a gate whose connection comes and goes."""
    day = parse_day(request.args.get("date"))
    if day is None:
        return bad_date()
    shown = daily_sheet(day)
    body = sheet_table(shown).csv_bytes()
    record_access(AccessKind.SHEET_CSV, [stay.reference for stay in shown.stays])
    db.session.commit()
    return csv_download(body, f"mpab-feuille-{day.isoformat()}.csv")


def csv_download(body: bytes, filename: str) -> Response:
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            # Phones and emergency contacts: nothing for a shared cache to keep.
            "Cache-Control": "private, no-store",
        },
    )


def bad_days():
    return render_error(
        400,
        _(
            "Nombre de jours invalide : choisissez un nombre entier de 1 à %(max)s (par exemple 14).",
            max=MAX_EVACUATION_DAYS,
        ),
    )


@bp.route("/sheet/evacuation")
@house_staff_required
def evacuation():
    """Everyone in the house tonight and arriving in the next days, with what it takes to bring them home;
    the viewing is written in each stay's history and in the access log."""
    days = parse_days(request.args.get("days"))
    if days is None:
        return bad_days()
    shown = evacuation_list(today(), days)
    page = render_template("sheet/evacuation.html", evacuation=shown)
    note_evacuation_viewing(shown, by=current_user._get_current_object(), export=False)
    record_access(AccessKind.EVACUATION, [stay.reference for stay in shown.stays])
    db.session.commit()
    return page


@bp.route("/sheet/evacuation.csv")
@house_staff_required
def evacuation_csv():
    """The same list as a CSV file that French Excel opens; the viewing is recorded the same way."""
    days = parse_days(request.args.get("days"))
    if days is None:
        return bad_days()
    shown = evacuation_list(today(), days)
    body = evacuation_table(shown).csv_bytes()
    note_evacuation_viewing(shown, by=current_user._get_current_object(), export=True)
    record_access(AccessKind.EVACUATION_CSV, [stay.reference for stay in shown.stays])
    db.session.commit()
    return csv_download(body, f"mpab-rapatriement-{shown.day.isoformat()}.csv")


# Each recording: the model's transition, and what the flash says once it is done.
RECORDINGS = {
    "check_in": (StayRequest.check_in, lambda ref: _("Arrivée de %(reference)s enregistrée.", reference=ref)),
    "check_out": (StayRequest.check_out, lambda ref: _("Départ de %(reference)s enregistré.", reference=ref)),
    "no_show": (StayRequest.mark_no_show, lambda ref: _("Absence de %(reference)s notée.", reference=ref)),
}


def record(stay_id: int, action: str):
    """Lock the stay, record the arrival, departure or no-show in its history, and go back where it was asked."""
    stay = lock_stay(stay_id) or abort(404)
    if not stay.can_see(current_user):
        abort(403)
    back = safe_next(request.form.get("next"), url_for("staff.request_detail", stay_id=stay.id))
    transition, done = RECORDINGS[action]
    try:
        transition(stay, by=current_user)
    except TransitionError:
        db.session.rollback()
        return render_template("sheet/refused.html", stay=stay, message=refusal(stay, action), back=back), 409
    db.session.commit()
    flash(done(stay.reference), "success")
    return redirect(back, code=303)


@bp.post("/requests/<int:stay_id>/check-in")
@house_staff_required
def check_in(stay_id: int):
    """The travellers have arrived (from the arrival day to the departure day)."""
    return record(stay_id, "check_in")


@bp.post("/requests/<int:stay_id>/check-out")
@house_staff_required
def check_out(stay_id: int):
    """The travellers have left."""
    return record(stay_id, "check_out")


@bp.post("/requests/<int:stay_id>/no-show")
@house_staff_required
def no_show(stay_id: int):
    """Nobody came (from the arrival day on)."""
    return record(stay_id, "no_show")
