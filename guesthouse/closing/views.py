"""Admin pages: the notice on every page, the suspension of the house and its reopening; the waiting lists."""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from ..bookings.operations import overlaps
from ..database import begin_write, today
from ..extensions import db
from ..rooms.models import Closure
from ..staff.access import admin_required, staff_required
from . import bp
from .forms import NoticeForm, ReopenForm, SuspensionForm
from .models import HouseNotice, WaitKind, current_notice, notice_row
from .operations import reopen, stays_concerned, suspend, suspensions
from .waitlist import waitlist_page


@bp.app_template_global("house_notice")
def house_notice() -> HouseNotice | None:
    """The notice every page shows at its top (templates/closing/_notice.html)."""
    try:
        return current_notice()
    except sa.exc.SQLAlchemyError:
        return None  # an error page after a failed transaction: the page matters more than the notice


@bp.route("/staff/notice", methods=["GET", "POST"])
@admin_required
def notice():
    """Write the notice shown on every page, or change it."""
    row = notice_row()
    form = NoticeForm(obj=row)
    if form.validate_on_submit():
        if row is None:
            row = HouseNotice()
            db.session.add(row)
        row.text_fr, row.text_en = form.text_fr.data.strip(), form.text_en.data.strip()
        row.level, row.ends_on, row.in_mails = form.level.data, form.ends_on.data, form.in_mails.data
        row.updated_by_id = current_user.id
        db.session.commit()
        flash(_("Avis enregistré : il s'affiche en tête de chaque page."), "success")
        return redirect(url_for(".notice"), code=303)
    return render_template("closing/notice.html", form=form, row=row), 400 if form.errors else 200


@bp.post("/staff/notice/remove")
@admin_required
def remove_notice():
    """Take the notice down from every page."""
    row = notice_row()
    if row is not None:
        db.session.delete(row)
        db.session.commit()
    flash(_("Avis retiré : il ne s'affiche plus."), "success")
    return redirect(url_for(".notice"), code=303)


def render_suspension(form: SuspensionForm, status: int = 200, reopen_form: ReopenForm | None = None):
    listed = suspensions()
    # One query for all of them: the stays from the first suspension's first night on.
    stays = stays_concerned(max(min(s.start_date for s in listed), today()), None) if listed else []
    concerned = {
        s.id: sum(
            overlaps(stay.arrival, stay.departure, max(s.start_date, today()), s.end_date) for stay in stays
        )
        for s in listed
    }
    return render_template(
        "closing/suspension.html",
        form=form,
        suspensions=listed,
        concerned=concerned,
        reopen_form=reopen_form or ReopenForm(formdata=None, reopen_on=today()),
        today=today(),
    ), status


@bp.route("/staff/suspension", methods=["GET", "POST"])
@admin_required
def suspension():
    """Suspend the house from a date, until another or further notice; the suspensions in force."""
    form = SuspensionForm()
    if form.validate_on_submit():
        begin_write()
        closure = suspend(
            start=form.start_date.data,
            end=form.end_date.data,
            reason_fr=form.reason_fr.data,
            reason_en=form.reason_en.data,
            by=current_user,
        )
        db.session.commit()
        flash(
            _("Maison suspendue à partir du %(date)s.", date=format_date(closure.start_date, "long"))
            if closure.open_ended
            else _(
                "Maison suspendue du %(start)s au %(end)s.",
                start=format_date(closure.start_date, "long"),
                end=format_date(closure.end_date, "long"),
            ),
            "success",
        )
        return redirect(url_for(".suspension"), code=303)
    return render_suspension(form, 400 if form.errors else 200)


@bp.post("/staff/suspension/<int:closure_id>/reopen")
@admin_required
def reopen_house(closure_id: int):
    """Lift a suspension, or shorten it: the house reopens from the date given."""
    found = db.get_or_404(Closure, closure_id)
    if not found.is_suspension:
        abort(404)
    form = ReopenForm()
    if not form.validate_on_submit():
        return render_suspension(SuspensionForm(formdata=None), 400, reopen_form=form)
    begin_write()
    closure = db.session.get(Closure, closure_id, with_for_update=True) or abort(404)
    on = form.reopen_on.data
    if on >= closure.end_date:
        flash(_("La suspension se termine déjà avant cette date : rien n'a changé."), "info")
        return redirect(url_for(".suspension"), code=303)
    reopen(closure, on=on)
    db.session.commit()
    flash(
        _("Suspension levée : la maison rouvre le %(date)s.", date=format_date(on, "long")),
        "success",
    )
    return redirect(url_for(".suspension"), code=303)


@bp.route("/staff/waitlist")
@staff_required
def waitlist():
    """Who waits for free beds on their dates, and who waits for the house to reopen."""
    limit = current_app.config["DASHBOARD_PAGE_SIZE"]
    return render_template(
        "closing/waitlist.html",
        dates=waitlist_page(WaitKind.DATES, limit),
        reopening=waitlist_page(WaitKind.REOPENING, limit),
    )
